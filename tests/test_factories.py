"""The root factories in tests/conftest.py make what they say, through the app's services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from taskforce.audit.models import AuditEvent
from taskforce.clock import today
from taskforce.extensions import db
from taskforce.performance import services as performance_services
from tests.conftest import NIA, SAM, SEREN, TF_PRIORITIES


def test_tf_is_run_by_the_secretariat_user_with_a_chair_an_official_and_a_secretariat(
    tf, secretariat, api
):
    assert (tf.code, tf.name) == ("SW", "Skills and Work Task Force")
    assert [(m.email, m.group, m.is_chair) for m in tf.members] == [
        (NIA, "minister", True),
        (SAM, "official", False),
        (SEREN, "secretariat", False),
    ]
    assert [p.title for p in tf.priorities] == TF_PRIORITIES
    assert api.patch(f"/taskforces/{tf.id}", {"quorum": 2}).status_code == 200  # theirs to edit


def test_make_meeting_schedules_one_meeting_still_to_come(tf, make_meeting):
    first, second = make_meeting(), make_meeting(start="2040-03-06T14:30:00", location="")
    assert [m.number for m in (first, second)] == [1, 2]
    assert first.start_at == datetime(2040, 2, 7, 10, 0, tzinfo=UTC)  # GMT in February
    assert first.duration_minutes == 90 and first.location == "Room 1, 70 Whitehall"
    assert first.taskforce_id == tf.id and second.location == ""
    past = make_meeting(start="2025-06-10T10:00:00", record_history=True)
    assert past.number == 3
    assert db.session.query(AuditEvent).filter_by(action="meetings.scheduled").count() == 3


def test_make_action_allocates_to_tf_unless_told(tf, make_taskforce, make_action, make_meeting):
    action = make_action()
    assert (action.reference, action.owner_name, action.owner_email) == (
        "SW-0/1",
        "Ana.Lopes",
        "ana.lopes@example.gov.uk",
    )
    assert action.due_on == today() + timedelta(days=14)
    assert action.status == "open" and action.updates[0].comment == "Allocated"
    other = make_taskforce(code="HX")
    meeting = make_meeting()
    assert make_action(taskforce=other).reference == "HX-0/1"
    at_meeting = make_action(
        "Ben@Example.gov.uk", date(2027, 3, 1), "Ben Clarke", meeting=meeting, description="X"
    )
    assert (at_meeting.reference, at_meeting.owner_email) == ("SW-1/1", "ben@example.gov.uk")


def test_make_indicator_records_its_trajectory_and_actuals(tf, make_indicator):
    indicator = make_indicator(
        name="Apprenticeship starts",
        priority=TF_PRIORITIES[0],
        trajectory={"2027-01": 1000, "2027-02": 1100},
        actuals={"2027-01": "980.5"},
    )
    assert indicator.priority.title == TF_PRIORITIES[0]
    points = performance_services.series(indicator)
    assert [(p.period, p.trajectory, p.actual, p.rag) for p in points] == [
        ("2027-01", Decimal(1000), Decimal("980.5"), "amber"),
        ("2027-02", Decimal(1100), None, None),
    ]
    assert make_indicator().name != make_indicator().name


def test_make_risk_adds_amber_risks_numbered_in_turn(tf, make_taskforce, make_risk):
    first, second = make_risk(), make_risk(likelihood="High", owner="Fiona Gallacher")
    assert [(r.ref, r.rating, r.version) for r in (first, second)] == [
        ("R1", "Amber", 1),
        ("R2", "Red", 1),
    ]
    assert first.taskforce_id == tf.id and second.owner == "Fiona Gallacher"
    other = make_taskforce(code="HX")
    assert make_risk(taskforce=other, ref="X1").taskforce_id == other.id
    assert db.session.query(AuditEvent).filter_by(action="risk.created").count() == 3
