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
from tests.conftest import _csrf_from, login


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


# --- Link actions are keyed on the member record, never on the address ---------------------


def _feed_for_sam(api, tf, smtp) -> tuple[int, str]:
    """Email Sam (a member of `tf`) a calendar feed; return Sam's member id and the feed path."""
    sam = next(
        m
        for m in api.get(f"/taskforces/{tf.id}/members").get_json()["items"]
        if m["email"] == "sam@example.gov.uk"
    )
    assert api.post(f"/members/{sam['id']}/calendar-link").get_json() == {"sent": 1}
    return sam["id"], _link(smtp.to("sam@example.gov.uk")[-1], "feed")


def test_another_secretariat_cannot_withdraw_a_feed_it_did_not_issue(
    api, api_for, tf, invited, smtp, app, make_user, make_taskforce
):
    """Secretariat B adds a member with the address of A's member to B's own task force, and
    withdraws "their" feed, by API and on the web: A's feed is untouched."""
    _sam_id, path = _feed_for_sam(api, tf, smtp)
    other = make_user("secretariat")
    theirs = make_taskforce(by=other)
    api_b = api_for(other)
    added = api_b.post(
        f"/taskforces/{theirs.id}/members",
        json={"name": "Sam Patel", "email": "SAM@example.gov.uk", "group": "official"},
    )
    assert added.status_code == 201
    copy = added.get_json()["id"]
    assert api_b.delete(f"/members/{copy}/calendar-link").get_json() == {"revoked": 0}
    web_b = login(app.test_client(), other)
    page = web_b.get(f"/members/{copy}/edit")
    assert page.status_code == 200
    withdrawn = web_b.post(
        f"/members/{copy}/calendar-link/withdraw",
        data={"csrf_token": _csrf_from(page.get_data(as_text=True)), "confirm": "yes"},
        follow_redirects=True,
    )
    assert "Withdrew 0 calendar feed links" in withdrawn.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 200  # A's feed still works
    assert db.session.query(AccessLink).filter(AccessLink.revoked_at.isnot(None)).count() == 0


def test_a_secretariat_cannot_touch_links_of_a_member_it_does_not_serve(
    api, api_for, tf, invited, smtp, app, make_user
):
    sam_id, path = _feed_for_sam(api, tf, smtp)
    api_b = api_for(make_user("secretariat"))
    assert api_b.delete(f"/members/{sam_id}/calendar-link").status_code == 403
    assert api_b.post(f"/members/{sam_id}/calendar-link").status_code == 403
    assert app.test_client().get(path).status_code == 200


def test_member_links_die_with_the_membership_or_its_address_for_good(api, tf, invited, smtp, app):
    sam_id, feed = _feed_for_sam(api, tf, smtp)
    apologies = _link(smtp.to("sam@example.gov.uk")[0], "apologies")
    browser = app.test_client()
    assert browser.get(feed).status_code == 200 and browser.get(apologies).status_code == 200

    version = api.get(f"/members/{sam_id}").get_json()["version"]
    moved = {"email": "sam.patel@example.gov.uk", "version": version}
    assert api.patch(f"/members/{sam_id}", json=moved).status_code == 200
    assert browser.get(feed).status_code == 410
    assert browser.get(apologies).status_code == 410
    version = api.get(f"/members/{sam_id}").get_json()["version"]
    back = {"email": "sam@example.gov.uk", "version": version}
    assert api.patch(f"/members/{sam_id}", json=back).status_code == 200
    assert browser.get(feed).status_code == 410  # the old address again does not revive it
    assert browser.get(apologies).status_code == 410

    _sam_id, new_feed = _feed_for_sam(api, tf, smtp)
    assert browser.get(new_feed).status_code == 200
    assert api.delete(f"/members/{sam_id}").status_code == 204
    assert browser.get(new_feed).status_code == 410


def test_a_feed_is_not_kept_alive_by_the_address_alone(api, tf, invited, smtp, app):
    """Even a link whose row was never withdrawn stops once its member record has gone."""
    sam_id, feed = _feed_for_sam(api, tf, smtp)
    from taskforce.bodies.models import Member

    db.session.get(Member, sam_id).removed_at = utcnow()  # as an older release removed members
    db.session.commit()
    response = app.test_client().get(feed)
    assert response.status_code == 410
    assert "withdrawn" in response.get_data(as_text=True)
