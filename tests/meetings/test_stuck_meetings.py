"""Meetings whose stored text holds a line break that one-line fields now refuse (saved before
the rule covered every kind) still open, mail and calendar, and can be put right.

Building an email's Subject from a title with U+2028 in it used to raise, so retiming,
cancelling or inviting answered 500 and the meeting was stuck.
"""

from __future__ import annotations

import re

import vobject
from sqlalchemy import update

from taskforce.bodies.models import Member, TaskForce
from taskforce.extensions import db
from taskforce.meetings.models import Meeting
from taskforce.text import LINE_BREAKS
from tests.conftest import NIA, SAM, SEREN
from tests.pages import form_fields


def _break_it(meeting: Meeting) -> None:
    """Store the text as an older version let it in: every kind of line break somewhere."""
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(title="Skills\u2028board\x85review", location="Room 1\x0bWhitehall\u2029")
    )
    db.session.execute(
        update(TaskForce).where(TaskForce.id == meeting.taskforce_id).values(name="Skills\x85Work")
    )
    db.session.execute(update(Member).where(Member.email == SAM).values(name="Sam\u2029\x1cPatel"))
    db.session.commit()


def _clean(text: str) -> bool:
    return not any(c in LINE_BREAKS for c in text)


def _check_received(smtp, kind: str = "") -> None:
    for rcpts, message in smtp.messages:
        subject = message["Subject"]
        assert _clean(subject), repr(subject)
        assert "Skills board review" in subject and subject.startswith(kind)
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                cal = vobject.readOne(part.get_content())
                event = cal.vevent
                assert event.summary.value == "Skills board review"
                assert _clean(event.location.value)
                names = [a.params["CN"][0] for a in event.contents["attendee"]]
                assert "Sam Patel" in names and all(_clean(n) for n in names)
        assert rcpts[0] in (NIA, SAM, SEREN)


def test_a_stuck_meeting_still_invites_moves_and_cancels_over_the_api(api, make_meeting, smtp):
    meeting = make_meeting()
    _break_it(meeting)
    response = api.post(f"/meetings/{meeting.id}/invites")
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["sent"] == 3
    _check_received(smtp)
    assert api.get(f"/meetings/{meeting.id}/invite.ics").status_code == 200
    assert api.get(f"/taskforces/{meeting.taskforce_id}/calendar.ics").status_code == 200

    smtp.messages.clear()
    moved = api.patch(f"/meetings/{meeting.id}", {"start": "2040-02-08T11:00:00"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert len(smtp.messages) == 3
    _check_received(smtp, "Updated:")

    smtp.messages.clear()
    cancelled = api.post(f"/meetings/{meeting.id}/cancel", {"reason": "Purdah\u2028begins"})
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    assert len(smtp.messages) == 3
    _check_received(smtp, "Cancelled:")
    assert db.session.get(Meeting, meeting.id).cancel_reason == "Purdah\nbegins"


def test_a_stuck_meeting_can_be_opened_corrected_and_cancelled_on_the_web(
    web, make_meeting, smtp, api
):
    meeting = make_meeting()
    assert api.post(f"/meetings/{meeting.id}/invites").status_code == 202
    _break_it(meeting)
    smtp.messages.clear()

    assert web.get(f"/meetings/{meeting.id}").status_code == 200
    assert web.get(f"/taskforces/{meeting.taskforce_id}/meetings").status_code == 200
    page = web.get(f"/meetings/{meeting.id}/edit")
    assert page.status_code == 200
    form = form_fields(page.get_data(as_text=True))
    # The title is redrawn on one line, so saving the form as it stands repairs it.
    assert form["title"] == "Skills board review"
    assert form["location"] == "Room 1 Whitehall"
    date = re.findall(r'name="date" type="text" value="(\d+)"', page.get_data(as_text=True))
    response = web.post(
        f"/meetings/{meeting.id}/edit",
        data={**form, "date": date or ["7", "2", "2040"], "start_time": "11:30"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    fixed = db.session.get(Meeting, meeting.id)
    assert fixed.title == "Skills board review"
    assert fixed.location == "Room 1 Whitehall"
    assert len(smtp.messages) == 3  # the updates, for the move to 11:30
    _check_received(smtp, "Updated:")

    smtp.messages.clear()
    csrf = form_fields(web.get(f"/meetings/{meeting.id}/cancel").get_data(as_text=True))
    response = web.post(f"/meetings/{meeting.id}/cancel", data={**csrf, "reason": "Purdah"})
    assert response.status_code == 302
    assert len(smtp.messages) == 3
    _check_received(smtp, "Cancelled:")


def test_a_stuck_meeting_can_be_invited_and_moved_on_the_web(web, make_meeting, smtp):
    meeting = make_meeting()
    _break_it(meeting)
    token = form_fields(web.get(f"/meetings/{meeting.id}").get_data(as_text=True))["csrf_token"]
    response = web.post(f"/meetings/{meeting.id}/invites", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(smtp.messages) == 3
    _check_received(smtp)
    smtp.messages.clear()
    response = web.post(f"/meetings/{meeting.id}/next-working-day", data={"csrf_token": token})
    assert response.status_code == 302
