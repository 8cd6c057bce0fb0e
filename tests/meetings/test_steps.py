"""A meeting's cycle as steps: their states in working days, what marks them done, the
registry other domains plug into, and the cycle on the meeting page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from taskforce.bodies import services as body_services
from taskforce.extensions import db
from taskforce.formatting import format_date
from taskforce.meetings import services, steps
from tests.conftest import CLI, login

#: make_meeting's default meeting is on Tuesday 7 February 2040 at 10:00. Its milestones:
#: commission papers Tue 17 Jan, papers deadline Fri 27 Jan, agenda agreed Mon 30 Jan,
#: pack issued Tue 31 Jan, draft minutes Thu 9 Feb, minutes circulated Tue 14 Feb.
AGENDA_DAY = date(2040, 1, 30)
AGENDA_MORNING = datetime(2040, 1, 30, 9, 0, tzinfo=UTC)


def _states(found: list[steps.Step]) -> list[tuple[str, str]]:
    return [(step.kind, step.state_words) for step in found]


def test_a_meeting_to_come_has_its_steps_in_order_due_or_late_in_working_days(make_meeting):
    meeting = make_meeting()
    found = steps.steps_of([meeting], today=AGENDA_DAY, now=AGENDA_MORNING)[meeting.id]
    assert _states(found) == [
        ("invites", "Not done yet"),
        ("commission_papers", "Late by 9 working days"),
        ("papers_deadline", "Late by 1 working day"),
        ("agenda_agreed", "Due today"),
        ("pack_issued", "Due in 1 working day"),
        ("meeting", "Due in 6 working days"),
        ("draft_minutes", "Due in 8 working days"),
        ("minutes_circulated", "Due in 11 working days"),
    ]


def test_a_step_due_on_friday_is_late_on_saturday_by_no_working_day_yet(make_meeting):
    meeting = make_meeting()
    saturday = date(2040, 1, 28)
    found = steps.steps_of([meeting], today=saturday, now=AGENDA_MORNING)[meeting.id]
    deadline = next(s for s in found if s.kind == "papers_deadline")
    assert (deadline.state, deadline.state_words) == (steps.State.LATE, "Late")


def test_steps_follow_the_task_forces_own_offsets(tf, make_meeting):
    body_services.update_taskforce(
        tf, {"milestone_offsets": {"commission_papers": -3, "papers_deadline": -4}}, CLI
    )
    db.session.commit()
    meeting = make_meeting()
    found = steps.steps_of([meeting], today=AGENDA_DAY, now=AGENDA_MORNING)[meeting.id]
    # Papers now come after the agenda and pack: steps are in the order of their dates.
    assert [s.kind for s in found][:5] == [
        "invites",
        "agenda_agreed",
        "pack_issued",
        "papers_deadline",
        "commission_papers",
    ]


def test_sent_invites_are_done_with_when_they_went(make_meeting, api, smtp):
    meeting = make_meeting()
    assert api.post(f"/meetings/{meeting.id}/invites").status_code == 202
    db.session.expire_all()
    found = steps.steps_of([meeting], today=AGENDA_DAY, now=AGENDA_MORNING)[meeting.id]
    invites = found[0]
    assert invites.state == steps.State.DONE
    assert invites.summary == f"Sent {format_date(meeting.invites_sent_at)}"


def test_a_held_meeting_is_done_and_the_steps_before_it_went_unrecorded(tf, make_meeting):
    body_services.update_taskforce(tf, {"quorum": 2}, CLI)
    meeting = make_meeting(start="2025-06-03T10:00:00", record_history=True)
    nia, sam, _seren = tf.members
    services.record_attendance(
        meeting,
        [{"member_id": nia.id, "status": "attended"}, {"member_id": sam.id, "status": "apologies"}],
        CLI,
    )
    db.session.commit()
    wednesday = date(2025, 6, 11)
    found = steps.steps_of([meeting], today=wednesday, now=datetime(2025, 6, 11, 9, tzinfo=UTC))
    assert _states(found[meeting.id]) == [
        ("invites", "Not recorded"),
        ("commission_papers", "Not recorded"),
        ("papers_deadline", "Not recorded"),
        ("agenda_agreed", "Not recorded"),
        ("pack_issued", "Not recorded"),
        ("meeting", "Done"),
        ("draft_minutes", "Late by 4 working days"),
        ("minutes_circulated", "Late by 1 working day"),
    ]
    assert found[meeting.id][5].summary == "1 present, not quorate"


def test_a_cancelled_meeting_has_no_steps(make_meeting):
    meeting = make_meeting()
    services.cancel_meeting(meeting, "Recess", CLI)
    db.session.commit()
    assert steps.steps_of([meeting]) == {}


@pytest.fixture
def registry(monkeypatch):
    """The registry as it stands, restored after the test."""
    # The tests stand in for the agenda's and the pack's own sources of these steps.
    stood_in = ("agenda_agreed", "pack_issued")
    monkeypatch.setattr(
        steps, "_SOURCES", {k: v for k, v in steps._SOURCES.items() if k not in stood_in}
    )


def test_a_domain_plugs_in_its_step_once_for_all_meetings(registry, make_meeting, tf):
    first, second = make_meeting(), make_meeting(start="2040-03-20T10:00:00")
    asked = []

    def progress(meetings):
        asked.append([m.id for m in meetings])
        return {first.id: steps.Progress(done=True, summary="Agreed by the chair")}

    def button(meeting, user):
        return steps.Button("Agree the agenda", f"/agenda/{meeting.id}")

    steps.register("agenda_agreed", progress=progress, button=button)
    found = steps.steps_of([first, second], today=AGENDA_DAY, now=AGENDA_MORNING, viewer=None)
    assert asked == [[first.id, second.id]]
    agreed = {m: next(s for s in found[m] if s.kind == "agenda_agreed") for m in found}
    assert (agreed[first.id].state, agreed[first.id].summary) == (
        steps.State.DONE,
        "Agreed by the chair",
    )
    assert agreed[second.id].state == steps.State.DUE
    assert agreed[second.id].tracked and agreed[second.id].button is None  # no viewer, no button


def test_a_kind_of_step_has_one_source_and_must_exist(registry):
    with pytest.raises(ValueError, match="already has a source"):
        steps.register("invites", progress=lambda meetings: {})
    with pytest.raises(ValueError, match="Unknown kind of step"):
        steps.register("pack_printed", progress=lambda meetings: {})


# --- The meeting page ----------------------------------------------------------------------


def test_meeting_page_shows_each_step_with_its_state_and_the_buttons_so_far(
    client, secretariat, make_meeting
):
    meeting = make_meeting()
    login(client, secretariat)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="step-invites"' in html and 'id="step-minutes_circulated"' in html
    invites = html[html.index('id="step-invites"') : html.index('id="step-commission_papers"')]
    assert "Not done yet" in invites
    assert f'action="/meetings/{meeting.id}/invites"' in invites and ">Send invites<" in invites
    # Not tracked yet: said once, above the table, not claimed done.
    assert "This service does not record these steps yet" in html
    assert "Record attendance" not in html  # the meeting has not started


def test_readers_see_the_cycle_without_buttons(client, make_user, make_meeting):
    from tests.conftest import SAM

    meeting = make_meeting()
    login(client, make_user("member", email=SAM))
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="step-invites"' in html and "Not done yet" in html
    assert "Send invites" not in html


def test_a_meeting_that_has_started_offers_to_record_attendance(client, secretariat, make_meeting):
    meeting = make_meeting(start="2025-06-03T10:00:00", record_history=True)
    login(client, secretariat)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    step = html[html.index('id="step-meeting"') : html.index('id="step-draft_minutes"')]
    assert f'href="/meetings/{meeting.id}#attendance"' in step and "Record attendance" in step
    assert "Late by" in step  # its day has passed with no attendance recorded


def test_a_registered_button_appears_on_the_meeting_page(
    registry, client, secretariat, make_meeting
):
    meeting = make_meeting()
    steps.register(
        "pack_issued",
        progress=lambda meetings: {},
        button=lambda m, user: steps.Button("Issue the pack", f"/meetings/{m.id}/pack", post=True),
    )
    login(client, secretariat)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    step = html[html.index('id="step-pack_issued"') : html.index('id="step-meeting"')]
    assert f'<form method="post" action="/meetings/{meeting.id}/pack"' in step
    assert 'name="csrf_token"' in step and "Issue the pack" in step


def test_a_cancelled_meetings_page_says_its_cycle_stopped(client, secretariat, make_meeting):
    meeting = make_meeting()
    services.cancel_meeting(meeting, "Recess", CLI)
    db.session.commit()
    login(client, secretariat)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "its cycle has stopped" in html and 'id="step-invites"' not in html
