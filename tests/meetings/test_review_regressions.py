"""Cases a review found: each failed (a 500, a double send, a lost error) before its fix."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import vobject

from taskforce import mail
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.links import AccessLink
from taskforce.mail import OutboxMessage
from taskforce.meetings import services
from taskforce.meetings.models import Meeting
from tests.conftest import _csrf_from, login


def _queue(n: int) -> None:
    for i in range(n):
        message = mail.new_message([f"p{i}@example.gov.uk"], f"Message {i}")
        message.set_content("Body")
        mail.queue(message, kind="test")
    db.session.commit()


def test_two_deliveries_at_once_send_each_message_once(app, smtp):
    _queue(30)
    results = []

    def run():
        with app.app_context():
            results.append(mail.deliver_queued())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(sent for sent, _ in results) == 30
    assert len(smtp.messages) == 30


def test_sent_mail_keeps_no_copy_of_its_links(api, smtp, make_meeting):
    meeting = make_meeting()
    api.post(f"/meetings/{meeting.id}/invites")
    assert all(row.raw == "" for row in db.session.query(OutboxMessage).all())


@pytest.mark.parametrize("start", ["9999-12-29T10:00:00", "0001-01-05T10:00:00"])
def test_absurd_years_are_refused_and_the_list_still_works(api, tf, start):
    response = api.post(
        f"/taskforces/{tf.id}/schedule", {"first_start": start, "count": 1, "record_history": True}
    )
    assert response.status_code == 422
    assert api.get(f"/taskforces/{tf.id}/meetings").status_code == 200


def test_a_meeting_cannot_be_moved_into_the_past_or_invited_to_once_past(api, make_meeting):
    future = make_meeting()
    moved = api.patch(f"/meetings/{future.id}", {"start": "2020-01-01T10:00:00"})
    assert moved.status_code == 422
    past = make_meeting(start="2024-02-06T10:00:00", record_history=True)
    assert api.post(f"/meetings/{past.id}/invites").status_code == 409


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


def test_milestones_far_before_the_meeting_still_show_as_due(tf, make_meeting):
    tf.milestone_offsets = {"commission_papers": -60}
    db.session.commit()
    make_meeting(start="2027-06-01T10:00:00", record_history=True)  # allowed once it is past
    due = services.due_between([tf], date(2027, 3, 1), date(2027, 3, 8))
    assert [m.kind for m, _ in due] == ["commission_papers"]


def test_calendar_feeds_name_no_attendees(api, tf, make_meeting):
    make_meeting(), make_meeting()
    feed = vobject.readOne(api.get(f"/taskforces/{tf.id}/calendar.ics").get_data(as_text=True))
    assert all(not hasattr(event, "attendee") for event in feed.vevent_list)


def test_sending_to_an_existing_dedupe_key_quietly_queues_nothing(app):
    message = mail.new_message(["a@example.gov.uk"], "Once")
    message.set_content("x")
    assert mail.queue(message, kind="test", dedupe_key="k1") is not None
    assert mail.queue(message, kind="test", dedupe_key="k1") is None
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 1


class TestPages:
    @pytest.fixture(autouse=True)
    def _signed_in(self, client, secretariat, no_csrf):
        login(client, secretariat)

    def test_a_date_with_the_wrong_number_of_parts_is_a_form_error(self, client, tf):
        response = client.post(
            f"/taskforces/{tf.id}/meetings/schedule",
            data={
                "first_date": ["1", "2"],
                "start_time": "10:00",
                "duration_minutes": "90",
                "count": "1",
                "cadence_weeks": "6",
            },
        )
        assert response.status_code == 200
        assert "must be a day, month and year" in response.get_data(as_text=True)

    def test_a_skipped_clock_time_shows_on_the_date(self, client, make_meeting):
        meeting = make_meeting()
        html = client.post(
            f"/meetings/{meeting.id}/edit",
            data={
                "title": "T",
                "date": ["28", "3", "2027"],
                "start_time": "01:30",
                "duration_minutes": "60",
                "location": "",
                "version": str(meeting.version),
            },
        ).get_data(as_text=True)
        assert "clocks go forward" in html
        assert 'href="#date-day"' in html

    def test_a_tampered_version_is_a_conflict(self, client, make_meeting):
        meeting = make_meeting()
        html = client.post(
            f"/meetings/{meeting.id}/edit",
            data={
                "title": "Changed",
                "date": ["2", "2", "2027"],
                "start_time": "10:00",
                "duration_minutes": "60",
                "location": "",
                "version": "abc",
            },
        ).get_data(as_text=True)
        assert "changed by someone else" in html
        assert db.session.get(Meeting, meeting.id).title != "Changed"

    def test_moving_to_a_working_day_ignores_the_referrer(self, client, make_meeting):
        meeting = make_meeting(start="2027-05-31T10:00:00")  # Spring Bank Holiday
        response = client.post(
            f"/meetings/{meeting.id}/next-working-day",
            headers={"Referer": "https://evil.example/x"},
        )
        assert response.location == f"/meetings/{meeting.id}"


def test_links_are_stored_only_as_hashes(api, smtp, make_meeting):
    meeting = make_meeting()
    api.post(f"/meetings/{meeting.id}/invites")
    text = smtp.to("sam@example.gov.uk")[0].get_body(preferencelist=("plain",)).get_content()
    token = text.split("/apologies/")[1].split()[0]
    assert all(token not in link.token_hash for link in db.session.query(AccessLink).all())


def test_a_date_without_a_time_and_loose_types_are_refused(api, tf):
    for body in (
        {"first_start": "2027-01-12", "count": 1},
        {"first_start": "2027-01-12T10:00:00", "count": True},
        {"first_start": "2027-01-12T10:00:00", "count": 1, "record_history": "yes"},
    ):
        assert api.post(f"/taskforces/{tf.id}/schedule", body).status_code == 422, body


def test_only_apologies_before_the_meeting_starts(api, tf, make_meeting):
    meeting = make_meeting()
    member_id = api.get(f"/taskforces/{tf.id}/members").get_json()["items"][0]["id"]
    early = api.put(
        f"/meetings/{meeting.id}/attendance", [{"member_id": member_id, "status": "attended"}]
    )
    assert early.status_code == 422
    ok = api.put(
        f"/meetings/{meeting.id}/attendance", [{"member_id": member_id, "status": "apologies"}]
    )
    assert ok.status_code == 200
