"""Scheduling, milestones, invites, updates and cancellations over the API and real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import vobject

from taskforce import mail
from taskforce.extensions import db
from taskforce.mail import OutboxMessage
from tests.conftest import NIA, SAM, SEREN

MEMBERS = [NIA, SAM, SEREN]  # tf's: the chair, an official and the secretariat

# Meetings here start in 2040 unless a test says otherwise: still to come whenever the tests
# run (the service refuses a past start unless it is recording history), in a year whose
# bank holidays and clock changes the tests below rely on.


def _schedule(api, tf, **kw):
    body = {
        "first_start": "2040-01-10T10:00:00",
        "count": 6,
        "location": "Room 1, 70 Whitehall",
        **kw,
    }
    response = api.post(f"/taskforces/{tf.id}/schedule", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["items"]


def _parse(part_or_bytes):
    data = part_or_bytes if isinstance(part_or_bytes, bytes) else part_or_bytes.get_content()
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return vobject.readOne(data)


def _calendar_part(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part
    raise AssertionError("no text/calendar part")


def test_schedule_six_meetings_six_weeks_apart_at_the_same_uk_time(api, tf):
    meetings = _schedule(api, tf)
    assert [m["number"] for m in meetings] == [1, 2, 3, 4, 5, 6]
    # 10 January and 21 February 2040 are GMT; 3 April on is BST: 10am UK time throughout.
    starts = [datetime.fromisoformat(m["start"]) for m in meetings]
    assert all(s.hour == 10 and s.minute == 0 for s in starts)
    assert [s.astimezone(UTC).hour for s in starts] == [10, 10, 9, 9, 9, 9]
    # 15 working days back from 10 January 2040 skips New Year's Day (observed on Monday 2
    # January) and the two Christmas bank holidays of 2039 (26 and 27 December).
    assert meetings[0]["milestones"][0] == {"kind": "commission_papers", "due_on": "2039-12-15"}


def test_invites_for_a_six_meeting_schedule_reach_every_member(api, tf, smtp):
    meetings = _schedule(api, tf)
    for m in meetings:
        response = api.post(f"/meetings/{m['id']}/invites")
        assert response.status_code == 202
        assert response.get_json() == {"sent": 3, "skipped": []}
    for person in MEMBERS:
        received = smtp.to(person)
        assert len(received) == 6
        message = received[0]
        assert message.get_content_type() == "multipart/mixed"
        alternative = message.get_payload()[0]
        assert alternative.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in alternative.get_payload()] == [
            "text/plain",
            "text/calendar",
        ]
        assert alternative.get_payload()[1].get_param("method") == "REQUEST"
        attachment = message.get_payload()[1]
        assert attachment.get_filename() == "invite.ics"
        cal = _parse(_calendar_part(message))
        assert cal.method.value == "REQUEST"
        event = cal.vevent
        attendees = {a.value.lower(): a.params for a in event.attendee_list}
        assert attendees["mailto:nia@example.gov.uk"]["ROLE"] == ["CHAIR"]
        assert attendees["mailto:sam@example.gov.uk"]["ROLE"] == ["REQ-PARTICIPANT"]
        assert attendees["mailto:sam@example.gov.uk"]["RSVP"] == ["TRUE"]
        assert event.organizer.value.lower().startswith("mailto:")
    assert db.session.query(OutboxMessage).filter_by(status="sent").count() == 18


def test_sending_invites_twice_mails_nobody_twice(api, tf, smtp):
    meeting = _schedule(api, tf, count=1)[0]
    api.post(f"/meetings/{meeting['id']}/invites")
    again = api.post(f"/meetings/{meeting['id']}/invites")
    assert again.get_json() == {"sent": 0, "skipped": []}
    assert len(smtp.messages) == 3


def test_a_retime_keeps_the_uid_and_raises_the_sequence(api, tf, smtp):
    meeting = _schedule(api, tf, count=1)[0]
    api.post(f"/meetings/{meeting['id']}/invites")
    first = _parse(_calendar_part(smtp.to("sam@example.gov.uk")[0])).vevent
    response = api.patch(f"/meetings/{meeting['id']}", {"start": "2040-01-11T14:30:00"})
    assert response.status_code == 200
    assert response.get_json()["sequence"] == 1
    update = smtp.to("sam@example.gov.uk")[1]
    assert update["Subject"].startswith("Updated:")
    second = _parse(_calendar_part(update)).vevent
    assert second.uid.value == first.uid.value
    assert int(second.sequence.value) == int(first.sequence.value) + 1
    assert second.dtstart.value == datetime(2040, 1, 11, 14, 30, tzinfo=UTC)


def test_a_cancel_sends_method_cancel(api, tf, smtp):
    meeting = _schedule(api, tf, count=1)[0]
    api.post(f"/meetings/{meeting['id']}/invites")
    response = api.post(f"/meetings/{meeting['id']}/cancel", {"reason": "Recess"})
    assert response.get_json()["status"] == "cancelled"
    cal = _parse(_calendar_part(smtp.to("nia@example.gov.uk")[-1]))
    assert cal.method.value == "CANCEL"
    assert cal.vevent.status.value == "CANCELLED"
    ics = api.get(f"/meetings/{meeting['id']}/invite.ics")
    assert vobject.readOne(ics.get_data(as_text=True)).method.value == "CANCEL"
    again = api.post(f"/meetings/{meeting['id']}/cancel", {"reason": "Twice"})
    assert again.status_code == 409
    assert api.patch(f"/meetings/{meeting['id']}", {"location": "Elsewhere"}).status_code == 409


def test_a_meeting_cannot_be_moved_into_the_past_or_invited_to_once_past(api, make_meeting):
    future = make_meeting()
    moved = api.patch(f"/meetings/{future.id}", {"start": "2020-01-01T10:00:00"})
    assert moved.status_code == 422
    past = make_meeting(start="2024-02-06T10:00:00", record_history=True)
    assert api.post(f"/meetings/{past.id}/invites").status_code == 409


@pytest.mark.parametrize(
    ("local_start", "utc_hour"),
    [
        ("2040-03-24T10:00:00", 10),  # Saturday before the clocks go forward: GMT
        ("2040-03-26T10:00:00", 9),  # after: BST
        ("2040-10-27T10:00:00", 9),  # Saturday before the clocks go back: BST
        ("2040-10-29T10:00:00", 10),  # after: GMT
    ],
)
def test_ics_times_are_utc_and_match_the_uk_time_entered(api, tf, local_start, utc_hour):
    meeting = _schedule(api, tf, count=1, first_start=local_start)[0]
    ics = api.get(f"/meetings/{meeting['id']}/invite.ics").get_data(as_text=True)
    event = vobject.readOne(ics).vevent
    assert event.dtstart.value.utcoffset().total_seconds() == 0
    assert event.dtstart.value.hour == utc_hour
    assert "DTSTART:" in ics and "Z\r\n" in ics


def test_a_time_that_does_not_exist_in_the_uk_is_refused(api, tf):
    response = api.post(
        f"/taskforces/{tf.id}/schedule", {"first_start": "2040-03-25T01:30:00", "count": 1}
    )
    assert response.status_code == 422
    assert "clocks go forward" in response.get_json()["error"]["fields"]["first_start"][0]


def test_meeting_moved_to_the_tuesday_after_easter_2040_issues_its_pack_on_the_23rd(api, tf):
    meeting = _schedule(api, tf, count=1)[0]
    moved = api.patch(f"/meetings/{meeting['id']}", {"start": "2040-04-03T10:00:00"}).get_json()
    dates = {m["kind"]: m["due_on"] for m in moved["milestones"]}
    assert dates["pack_issued"] == "2040-03-23"  # Easter Monday and Good Friday skipped
    assert dates["draft_minutes"] == "2040-04-05"


def test_a_meeting_on_a_bank_holiday_is_flagged(api, tf):
    meeting = _schedule(api, tf, count=1, first_start="2040-05-28T10:00:00")[0]
    assert "Spring Bank Holiday" in meeting["warnings"][0]
    assert "Tuesday 29 May 2040" in meeting["warnings"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_start": "2040-01-10T10:00:00", "count": 0}, "count"),
        ({"first_start": "2040-01-10T10:00:00", "count": 51}, "count"),
        ({"first_start": "2020-01-14T10:00:00", "count": 2}, "first_start"),
        ({"first_start": "not a date", "count": 2}, "first_start"),
        (
            {"first_start": "2040-01-10T10:00:00", "count": 2, "duration_minutes": 0},
            "duration_minutes",
        ),
        ({"first_start": "2040-01-10T10:00:00", "count": 2, "location": "Line\nbreak"}, "location"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_created(api, tf, body, field):
    response = api.post(f"/taskforces/{tf.id}/schedule", body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert api.get(f"/taskforces/{tf.id}/meetings").get_json()["items"] == []


def test_a_date_without_a_time_and_loose_types_are_refused(api, tf):
    for body in (
        {"first_start": "2040-01-10", "count": 1},
        {"first_start": "2040-01-10T10:00:00", "count": True},
        {"first_start": "2040-01-10T10:00:00", "count": 1, "record_history": "yes"},
    ):
        assert api.post(f"/taskforces/{tf.id}/schedule", body).status_code == 422, body


@pytest.mark.parametrize("start", ["9999-12-29T10:00:00", "0001-01-05T10:00:00"])
def test_absurd_years_are_refused_and_the_list_still_works(api, tf, start):
    response = api.post(
        f"/taskforces/{tf.id}/schedule", {"first_start": start, "count": 1, "record_history": True}
    )
    assert response.status_code == 422
    assert api.get(f"/taskforces/{tf.id}/meetings").status_code == 200


def test_past_meetings_can_be_recorded_when_asked(api, tf):
    body = {"first_start": "2025-01-14T10:00:00", "count": 2, "record_history": True}
    assert api.post(f"/taskforces/{tf.id}/schedule", body).status_code == 201


def test_odd_characters_make_valid_escaped_icalendar(api, tf):
    location = "Room 4; Café Ñandú, 1 Horse Guards Road — «London»"
    meeting = _schedule(api, tf, count=1, location=location)[0]
    api.patch(f"/meetings/{meeting['id']}", {"title": "Skills, jobs; and growth: ünïcödé"})
    ics = api.get(f"/meetings/{meeting['id']}/invite.ics").get_data(as_text=True)
    event = vobject.readOne(ics).vevent
    assert event.location.value == location
    assert event.summary.value == "Skills, jobs; and growth: ünïcödé"
    feed = api.get(f"/taskforces/{tf.id}/calendar.ics").get_data(as_text=True)
    assert vobject.readOne(feed).method.value == "PUBLISH"


def test_calendar_feeds_name_no_attendees(api, tf, make_meeting):
    make_meeting(), make_meeting()
    feed = vobject.readOne(api.get(f"/taskforces/{tf.id}/calendar.ics").get_data(as_text=True))
    assert all(not hasattr(event, "attendee") for event in feed.vevent_list)


def test_with_the_smtp_server_down_invites_wait_then_go_once(api, tf, smtp, app):
    meeting = _schedule(api, tf, count=1)[0]
    smtp.stop()
    assert api.post(f"/meetings/{meeting['id']}/invites").status_code == 202
    rows = db.session.query(OutboxMessage).all()
    assert [r.status for r in rows] == ["queued"] * 3
    # Nothing is charged to the messages themselves: it was the server that was away.
    assert all(r.attempts == 0 and "refused" in r.last_error.lower() for r in rows)
    smtp.start()
    # The retry waits for its back-off; the scheduler would run this when it is due.
    db.session.query(OutboxMessage).update({"next_attempt_at": datetime(2000, 1, 1, tzinfo=UTC)})
    db.session.commit()
    assert mail.deliver_queued() == (3, 0)
    assert mail.deliver_queued() == (0, 0)
    assert len(smtp.messages) == 3


def test_attendance_computes_quorum_from_the_tor(api, tf, secretariat):
    api.patch(f"/taskforces/{tf.id}", {"quorum": 2})
    meeting = _schedule(api, tf, count=1, first_start="2025-06-10T10:00:00", record_history=True)[0]
    ids = [m["id"] for m in api.get(f"/taskforces/{tf.id}/members").get_json()["items"]]
    one = api.put(
        f"/meetings/{meeting['id']}/attendance",
        [{"member_id": ids[0], "status": "attended"}, {"member_id": ids[1], "status": "apologies"}],
    )
    assert one.status_code == 200
    assert one.get_json()["quorate"] is False
    assert one.get_json()["status"] == "held"
    two = api.put(
        f"/meetings/{meeting['id']}/attendance",
        [{"member_id": ids[1], "status": "deputy", "deputy_name": "Ola Deputy"}],
    )
    assert two.get_json()["quorate"] is True
    assert two.get_json()["present"] == 2
    assert api.patch(f"/meetings/{meeting['id']}", {"location": "X"}).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"member_id": 999999, "status": "attended"}], "0.member_id"),
        ([{"member_id": None, "status": "attended"}], "0.member_id"),
        ([{"status": "asleep", "member_id": 1}], "0.status"),
        (["not an object"], "0"),
        ({"member_id": 1}, "_body"),
    ],
)
def test_bad_attendance_is_refused(api, tf, body, field):
    meeting = _schedule(api, tf, count=1)[0]
    response = api.put(f"/meetings/{meeting['id']}/attendance", body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"], response.get_json()


def test_a_deputy_needs_a_name_and_a_member_is_listed_once(api, tf):
    meeting = _schedule(api, tf, count=1)[0]
    member_id = api.get(f"/taskforces/{tf.id}/members").get_json()["items"][0]["id"]
    response = api.put(
        f"/meetings/{meeting['id']}/attendance",
        [
            {"member_id": member_id, "status": "deputy"},
            {"member_id": member_id, "status": "attended"},
        ],
    )
    fields = response.get_json()["error"]["fields"]
    assert "0.deputy_name" in fields and "1.member_id" in fields
    assert api.get(f"/meetings/{meeting['id']}/attendance").get_json()["attendance"] == []


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


def test_a_task_force_sets_its_own_milestone_offsets(api, tf):
    meeting = _schedule(api, tf, count=1, first_start="2040-04-03T10:00:00")[0]
    response = api.patch(f"/taskforces/{tf.id}", {"milestone_offsets": {"pack_issued": -3}})
    assert response.status_code == 200
    assert response.get_json()["milestone_offsets"]["pack_issued"] == -3
    assert response.get_json()["milestone_offsets"]["papers_deadline"] == -7
    dates = {
        m["kind"]: m["due_on"]
        for m in api.get(f"/meetings/{meeting['id']}").get_json()["milestones"]
    }
    assert dates["pack_issued"] == "2040-03-27"  # Good Friday and Easter Monday skipped


@pytest.mark.parametrize(
    "offsets",
    [
        {"pack_issued": 3},
        {"draft_minutes": -2},
        {"lunch": -1},
        {"pack_issued": 0},
        {"pack_issued": -500},
        {"pack_issued": "soon"},
    ],
)
def test_impossible_offsets_are_refused(api, tf, offsets):
    response = api.patch(f"/taskforces/{tf.id}", {"milestone_offsets": offsets})
    assert response.status_code == 422
    assert any(k.startswith("milestone_offsets") for k in response.get_json()["error"]["fields"])
