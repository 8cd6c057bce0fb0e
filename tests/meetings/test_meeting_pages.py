"""The meeting pages: schedule, flagged dates, invites, changes, cancelling, attendance,
what is due this week, and the outbox."""

from __future__ import annotations

from datetime import date

import pytest

from taskforce.extensions import db
from taskforce.meetings import services
from taskforce.meetings.models import Meeting
from tests.conftest import login


@pytest.fixture(autouse=True)
def _signed_in(client, secretariat, no_csrf):
    """The pages are used by the secretariat user, signed in; forms go without CSRF tokens."""
    login(client, secretariat)


#: Three meetings from Spring Bank Holiday 2040, a Monday: still to come whenever the tests run.
SCHEDULE = {
    "first_date": ["28", "5", "2040"],
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
    assert first.start_at.date().isoformat() == "2040-05-29"
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
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Sent " in page and "Kept in the Outbox" not in page
    client.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": meeting.title,
            "date": ["30", "5", "2040"],
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


def test_with_no_mail_server_the_meeting_says_its_invites_were_kept_not_sent(client, tf):
    client.post(f"/taskforces/{tf.id}/meetings/schedule", data={**SCHEDULE, "count": "1"})
    meeting = db.session.query(Meeting).one()
    client.post(f"/meetings/{meeting.id}/invites")
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Kept in the Outbox, not sent:" in page  # the meeting's facts
    assert page.count("Kept in the Outbox") == 2  # and the invites step of its cycle
    assert ">Sent " not in page


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
    assert "Enter the deputy&#39;s name" in response.get_data(as_text=True)
    client.post(
        f"/meetings/{meeting.id}/attendance",
        data={
            f"status-{nia.id}": "attended",
            f"status-{sam.id}": "deputy",
            f"deputy-{sam.id}": "Kit",
        },
    )
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "2 present against a quorum of 1:" in html
    assert "<strong>quorate</strong>" in html


def test_a_deputy_named_over_two_lines_is_refused_on_the_page(client, tf):
    """The page posts deputies' names without a form of fields: the service checks them."""
    client.post(
        f"/taskforces/{tf.id}/meetings/schedule",
        data={**SCHEDULE, "count": "1", "first_date": ["3", "6", "2025"], "record_history": "y"},
    )
    meeting = db.session.query(Meeting).one()
    _nia, sam, _seren = tf.members
    for name in ("Kit\u2028Jones", "Kit\x85Jones", "Kit\x1eJones"):
        response = client.post(
            f"/meetings/{meeting.id}/attendance",
            data={f"status-{sam.id}": "deputy", f"deputy-{sam.id}": name},
        )
        assert response.status_code == 422
        assert "The deputy&#39;s name must be on one line" in response.get_data(as_text=True)
    assert meeting.attendance == []


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


def test_milestones_far_before_the_meeting_still_show_as_due(tf, make_meeting):
    tf.milestone_offsets = {"commission_papers": -60}
    db.session.commit()
    make_meeting(start="2027-06-01T10:00:00", record_history=True)  # allowed once it is past
    due = services.due_between([tf], date(2027, 3, 1), date(2027, 3, 8))
    assert [m.kind for m, _ in due] == ["commission_papers"]


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


def test_a_date_with_the_wrong_number_of_parts_is_a_form_error(client, tf):
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
    assert response.status_code == 422
    assert "must be a day, month and year" in response.get_data(as_text=True)


def test_a_skipped_clock_time_shows_on_the_date(client, make_meeting):
    meeting = make_meeting()
    html = client.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": "T",
            "date": ["25", "3", "2040"],
            "start_time": "01:30",
            "duration_minutes": "60",
            "location": "",
            "version": str(meeting.version),
        },
    ).get_data(as_text=True)
    assert "clocks go forward" in html
    assert 'href="#date-day"' in html


def test_a_tampered_version_is_a_conflict(client, make_meeting):
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
    assert "did not say which version of this meeting it showed" in html
    assert db.session.get(Meeting, meeting.id).title != "Changed"


def test_moving_to_a_working_day_ignores_the_referrer(client, make_meeting):
    meeting = make_meeting(start="2040-05-28T10:00:00")  # Spring Bank Holiday
    response = client.post(
        f"/meetings/{meeting.id}/next-working-day",
        headers={"Referer": "https://evil.example/x"},
    )
    assert response.location == f"/meetings/{meeting.id}"
