"""The meeting pages: schedule, flagged dates, invites, changes, cancelling, attendance."""

from __future__ import annotations

import pytest

from taskforce.extensions import db
from taskforce.meetings.models import Meeting
from tests.conftest import login


@pytest.fixture
def secretariat(make_user, client, no_csrf):
    user = make_user("secretariat")
    login(client, user)
    return user


SCHEDULE = {
    "first_date": ["31", "5", "2027"],
    "start_time": "10:00",
    "duration_minutes": "90",
    "location": "Room 1",
    "count": "3",
    "cadence_weeks": "6",
}


def test_schedule_from_the_form_flags_a_bank_holiday_and_moves_it(client, tf):
    response = client.post(f"/taskforces/{tf.id}/meetings/schedule", data=SCHEDULE)
    assert response.status_code == 302
    page = client.get(f"/taskforces/{tf.id}/meetings").get_data(as_text=True)
    assert "Spring Bank Holiday" in page
    first = db.session.query(Meeting).filter_by(number=1).one()
    assert client.post(f"/meetings/{first.id}/next-working-day").status_code == 302
    db.session.expire_all()
    assert first.start_at.date().isoformat() == "2027-06-01"
    assert "Spring Bank Holiday" not in client.get(f"/taskforces/{tf.id}/meetings").get_data(
        as_text=True
    )


def test_schedule_form_errors_are_summarised(client, tf):
    html = client.post(
        f"/taskforces/{tf.id}/meetings/schedule",
        data={**SCHEDULE, "start_time": "25:00", "count": "0", "first_date": ["1", "1", "2020"]},
    ).get_data(as_text=True)
    assert "There is a problem" in html
    assert "24-hour clock" in html
    assert "Schedule from 1 to 50 meetings" in html
    assert db.session.query(Meeting).count() == 0


def test_meeting_page_sends_invites_changes_and_cancels(client, tf, smtp):
    client.post(f"/taskforces/{tf.id}/meetings/schedule", data={**SCHEDULE, "count": "1"})
    meeting = db.session.query(Meeting).one()
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Pack issued" in page and "Send invites" in page
    client.post(f"/meetings/{meeting.id}/invites")
    assert len(smtp.messages) == 3  # one for each of tf's members
    client.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": meeting.title,
            "date": ["2", "6", "2027"],
            "start_time": "11:30",
            "duration_minutes": "60",
            "location": "Room 2",
            "version": str(meeting.version),
        },
    )
    assert len(smtp.messages) == 6
    assert smtp.messages[-1][1]["Subject"].startswith("Updated:")
    client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Purdah"})
    assert smtp.messages[-1][1]["Subject"].startswith("Cancelled:")
    assert "Cancelled" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_attendance_form_records_quorum(client, tf, api):
    assert api.patch(f"/taskforces/{tf.id}", {"quorum": 1}).status_code == 200
    client.post(
        f"/taskforces/{tf.id}/meetings/schedule",
        data={**SCHEDULE, "count": "1", "first_date": ["3", "6", "2025"], "record_history": "y"},
    )
    meeting = db.session.query(Meeting).one()
    nia, sam, _seren = tf.members
    response = client.post(
        f"/meetings/{meeting.id}/attendance",
        data={f"status-{nia.id}": "apologies", f"status-{sam.id}": "deputy"},
    )
    assert response.status_code == 422
    assert "Give the name of the deputy" in response.get_data(as_text=True)
    client.post(
        f"/meetings/{meeting.id}/attendance",
        data={
            f"status-{nia.id}": "attended",
            f"status-{sam.id}": "deputy",
            f"deputy-{sam.id}": "Kit",
        },
    )
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "2 present" in html and "quorate" in html


def test_home_page_lists_what_is_due_this_week(client, tf, api_for, secretariat):
    from datetime import timedelta

    from taskforce.db import utcnow

    # A meeting 5 working days or so ahead puts "Pack issued" in or near this week; schedule
    # one three weeks out and one a week out so at least one milestone lands this week.
    soon = (utcnow() + timedelta(days=7)).date()
    api = api_for(secretariat)
    api.post(f"/taskforces/{tf.id}/schedule", {"first_start": f"{soon}T10:00:00", "count": 1})
    api.post(
        f"/taskforces/{tf.id}/schedule",
        {"first_start": f"{soon + timedelta(days=14)}T10:00:00", "count": 1},
    )
    html = client.get("/").get_data(as_text=True)
    assert "Due this week" in html
    assert f"{tf.code} meeting" in html


def test_outbox_page_shows_waiting_mail_and_retries_it(client, make_meeting, smtp):
    meeting = make_meeting()
    smtp.stop()
    client.post(f"/meetings/{meeting.id}/invites")
    html = client.get("/outbox").get_data(as_text=True)
    assert "Waiting (3)" in html and "Connection refused" in html
    smtp.start()
    from taskforce.mail import OutboxMessage

    for row in db.session.query(OutboxMessage).all():
        client.post(f"/outbox/{row.id}/retry")
    assert len(smtp.messages) == 3
    assert "Waiting (0)" in client.get("/outbox").get_data(as_text=True)


def test_outbox_hides_other_task_forces_mail(client, make_meeting, app, make_user, smtp):
    client.post(f"/meetings/{make_meeting().id}/invites")
    assert "nia@example.gov.uk" in client.get("/outbox").get_data(as_text=True)
    other = login(app.test_client(), make_user("secretariat"))
    html = other.get("/outbox").get_data(as_text=True)
    assert "nia@example.gov.uk" not in html
    from taskforce.mail import OutboxMessage

    row = db.session.query(OutboxMessage).first()
    assert other.post(f"/outbox/{row.id}/retry").status_code == 404
    reader = login(app.test_client(), make_user("member"))
    assert reader.get("/outbox").status_code == 403


def test_cycle_form_saves_offsets_and_refuses_wrong_signs(client, tf):
    form = {
        "commission_papers": "-15",
        "papers_deadline": "-7",
        "agenda_agreed": "-6",
        "pack_issued": "-4",
        "draft_minutes": "2",
        "minutes_circulated": "5",
    }
    html = client.post(f"/taskforces/{tf.id}/cycle", data={**form, "draft_minutes": "-2"}).get_data(
        as_text=True
    )
    assert "comes after the meeting" in html
    assert client.post(f"/taskforces/{tf.id}/cycle", data=form).status_code == 302
    db.session.expire_all()
    assert tf.milestone_offsets["pack_issued"] == -4
