"""Links in emails: apologies from the invite and a personal calendar feed, no login, and
never stored in the clear."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import vobject

from taskforce.audit.models import AuditEvent
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.links import AccessLink
from taskforce.mail import OutboxMessage
from taskforce.meetings.models import Attendance, Meeting
from tests.conftest import _csrf_from


def _link(message, path: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"https?://\S+(/{path}/\S+)", text)
    assert match, text
    return match.group(1)


@pytest.fixture
def invited(api, smtp, make_meeting):
    """A meeting whose invites have reached every member."""
    meeting = make_meeting()
    assert api.post(f"/meetings/{meeting.id}/invites").get_json() == {"sent": 3, "skipped": []}
    return meeting


def test_apologies_from_the_invite_email(api, invited, smtp, app):
    path = _link(smtp.to("sam@example.gov.uk")[0], "apologies")
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200
    assert "Send apologies for meeting 1" in page.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0  # GET changed nothing
    assert browser.post(path).status_code == 400  # no CSRF token, no change
    assert db.session.query(Attendance).count() == 0
    done = browser.post(path, data={"csrf_token": _csrf_from(page.get_data(as_text=True))})
    assert "Apologies sent" in done.get_data(as_text=True)
    row = db.session.query(Attendance).one()
    assert (row.status, row.member.email) == ("apologies", "sam@example.gov.uk")
    event = db.session.query(AuditEvent).filter_by(action="meeting.attendance").one()
    assert event.via == "email_link"
    assert (
        api.get(f"/meetings/{invited.id}/attendance").get_json()["attendance"][0]["status"]
        == "apologies"
    )


def test_apologies_after_the_start_are_refused_and_do_not_close_the_meeting(
    api, smtp, app, make_meeting
):
    meeting = make_meeting()
    api.post(f"/meetings/{meeting.id}/invites")
    text = smtp.to("sam@example.gov.uk")[0].get_body(preferencelist=("plain",)).get_content()
    path = "/apologies/" + text.split("/apologies/")[1].split()[0]
    browser = app.test_client()
    token = _csrf_from(browser.get(path).get_data(as_text=True))
    row = db.session.get(Meeting, meeting.id)
    row.start_at = utcnow() - timedelta(minutes=5)
    row.end_at = utcnow() + timedelta(minutes=60)
    db.session.commit()
    assert browser.post(path, data={"csrf_token": token}).status_code == 410
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


def test_unknown_tampered_and_expired_links_say_what_to_do(invited, smtp, app):
    path = _link(smtp.to("nia@example.gov.uk")[0], "apologies")
    browser = app.test_client()
    tampered = browser.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert tampered.status_code == 404
    assert "not recognised" in tampered.get_data(as_text=True)
    db.session.query(AccessLink).update({"expires_at": datetime(2000, 1, 1, tzinfo=UTC)})
    db.session.commit()
    expired = browser.get(path)
    assert expired.status_code == 410
    assert "expired" in expired.get_data(as_text=True)
    assert browser.get("/apologies/x").status_code == 404


def test_an_apologies_link_is_not_a_calendar_feed(invited, smtp, app):
    token = _link(smtp.to("nia@example.gov.uk")[0], "apologies").rsplit("/", 1)[1]
    assert app.test_client().get(f"/feed/{token}.ics").status_code == 404


def test_personal_calendar_feed_link_and_its_withdrawal(api, tf, invited, smtp, app):
    sam = next(
        m
        for m in api.get(f"/taskforces/{tf.id}/members").get_json()["items"]
        if m["email"] == "sam@example.gov.uk"
    )
    assert api.post(f"/members/{sam['id']}/calendar-link").get_json() == {"sent": 1}
    message = smtp.to("sam@example.gov.uk")[-1]
    assert message["Subject"] == "Your task force meetings calendar"
    path = _link(message, "feed")
    feed = app.test_client().get(path)
    assert feed.status_code == 200
    cal = vobject.readOne(feed.get_data(as_text=True))
    assert cal.method.value == "PUBLISH"
    assert len(cal.vevent_list) == 1
    assert api.delete(f"/members/{sam['id']}/calendar-link").get_json() == {"revoked": 1}
    assert app.test_client().get(path).status_code == 410


def test_links_are_stored_only_as_hashes(api, smtp, make_meeting):
    meeting = make_meeting()
    api.post(f"/meetings/{meeting.id}/invites")
    text = smtp.to("sam@example.gov.uk")[0].get_body(preferencelist=("plain",)).get_content()
    token = text.split("/apologies/")[1].split()[0]
    assert all(token not in link.token_hash for link in db.session.query(AccessLink).all())


def test_sent_mail_keeps_no_copy_of_its_links(api, smtp, make_meeting):
    meeting = make_meeting()
    api.post(f"/meetings/{meeting.id}/invites")
    assert all(row.raw == "" for row in db.session.query(OutboxMessage).all())
