"""`flask demo load` gives a realistic, invented task force to sign in to."""

from __future__ import annotations

from taskforce.bodies.models import TaskForce
from taskforce.demo.data import DEMO_PASSWORD
from taskforce.extensions import db
from tests.conftest import _csrf_from


def test_demo_load_creates_a_full_terms_of_reference(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "secretariat@example.gov.uk" in result.output
    tf = db.session.query(TaskForce).one()
    assert len(tf.priorities) == 8
    assert tf.chair is not None
    assert len(tf.members_in("minister")) >= 3
    assert len(tf.members_in("official")) >= 2
    assert len(tf.members_in("secretariat")) >= 1
    assert tf.current_tor_number == 2
    from taskforce.actions.models import Action
    from taskforce.clock import today

    actions = db.session.query(Action).all()
    assert {a.status for a in actions} == {"open", "in_progress", "complete", "closed"}
    assert any(a.is_overdue(today()) for a in actions)
    from taskforce.performance.models import Assessment, Indicator
    from taskforce.registers.models import Risk

    assert db.session.query(Indicator).count() == 3
    assert len({a.assessed_on for a in db.session.query(Assessment)}) == 3
    assert db.session.query(Risk).count() == 4


def test_demo_load_has_a_meeting_held_the_next_one_and_the_one_after(app):
    from taskforce.actions.models import Action
    from taskforce.clock import today
    from taskforce.mail import OutboxMessage
    from taskforce.meetings import steps
    from taskforce.meetings.models import Meeting
    from taskforce.meetings.workdays import is_working_day

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    held, upcoming, after = db.session.query(Meeting).order_by(Meeting.start_at).all()
    assert [m.status for m in (held, upcoming, after)] == ["held", "scheduled", "scheduled"]
    days = [(m.start_at.date() - today()).days for m in (held, upcoming, after)]
    assert days[0] < 0 < days[1] <= 21 < days[2]
    assert all(is_working_day(m.start_at.date()) for m in (held, upcoming, after))
    # Attendance is recorded at the meeting held, and every action was allocated there.
    assert {a.status for a in held.attendance} == {"attended", "apologies", "deputy", "absent"}
    actions = db.session.query(Action).all()
    assert {a.meeting_id for a in actions} == {held.id}
    assert any(a.is_overdue(today()) for a in actions)
    # The next meeting's invites are sent (the mail waits in the outbox); the one after's not.
    assert upcoming.invites_sent_at is not None and after.invites_sent_at is None
    assert db.session.query(OutboxMessage).filter_by(status="queued").count() == len(
        upcoming.taskforce.members
    )
    # So its cycle has steps done, late and due soon on the day the demo is loaded.
    found = steps.steps_of([upcoming])[upcoming.id]
    states = {s.kind: s.state for s in found}
    assert states["invites"] == steps.State.DONE
    # Its papers were commissioned (one is late); the pack is still to issue.
    assert states["commission_papers"] == steps.State.DONE
    assert states["papers_deadline"] != steps.State.DONE
    assert states["pack_issued"] == steps.State.DUE


def test_demo_load_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load", "--if-empty"])
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert "nothing loaded" in again.output
    assert db.session.query(TaskForce).count() == 1


def test_demo_login_works(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    token = _csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "email": "secretariat@example.gov.uk",
            "password": DEMO_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert "Skills and Work Task Force" in client.get("/").get_data(as_text=True)


def test_demo_data_is_recorded_as_loaded_on_the_command_line(app):
    from taskforce.actions.models import ActionUpdate
    from taskforce.audit.models import AuditEvent

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert {via for (via,) in db.session.query(AuditEvent.via).distinct()} == {"cli"}
    assert {via for (via,) in db.session.query(ActionUpdate.via).distinct()} == {"cli"}
