"""Delivery assessments and the risk register. Services flush; callers commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from taskforce.audit.services import Actor, record
from taskforce.bodies.models import TaskForce
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.performance.models import (
    Assessment,
    Benefit,
    Decision,
    DeliveryMilestone,
    Risk,
)


def _priority(tf: TaskForce, title: str):
    priority = next((p for p in tf.priorities if p.title == title and p.retired_at is None), None)
    if priority is None:
        raise ValidationError.single(
            "priority", "Choose one of the task force's priorities, by its title"
        )
    return priority


def add_assessment(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Assessment:
    priority = _priority(tf, data["priority"])
    if db.session.scalar(
        select(Assessment.id).where(
            Assessment.priority_id == priority.id, Assessment.assessed_on == data["assessed_on"]
        )
    ):
        raise ValidationError.single(
            "assessed_on", "This priority already has an assessment on that date"
        )
    assessment = Assessment(
        taskforce_id=tf.id,
        priority=priority,
        assessed_on=data["assessed_on"],
        degree_of_challenge=data["degree_of_challenge"],
        quality_of_planning=data["quality_of_planning"],
        capacity_to_drive_progress=data["capacity_to_drive_progress"],
        stage_of_delivery=data["stage_of_delivery"],
        likelihood_of_delivery=data["likelihood_of_delivery"],
        rationale=data.get("rationale") or "",
        created_by=actor.label[:255],
    )
    db.session.add(assessment)
    db.session.flush()
    record(
        actor,
        "assessment.created",
        assessment,
        taskforce_id=tf.id,
        summary=f"Assessed {priority.title} on {assessment.assessed_on:%-d %B %Y}: "
        f"{assessment.likelihood_of_delivery}",
    )
    return assessment


def assessments_of(tf: TaskForce) -> list[Assessment]:
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.taskforce_id == tf.id)
            .order_by(Assessment.assessed_on, Assessment.id)
        )
    )


def grid(tf: TaskForce) -> tuple[list[Any], list, dict]:
    """Priorities down, assessment dates across: (priorities, dates, {(priority, date): a})."""
    found = assessments_of(tf)
    dates = sorted({a.assessed_on for a in found})
    cells = {(a.priority_id, a.assessed_on): a for a in found}
    priorities = [
        p
        for p in tf.priorities
        if p.retired_at is None or any(a.priority_id == p.id for a in found)
    ]
    return priorities, dates, cells


def add_risk(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Risk:
    if db.session.scalar(
        select(Risk.id).where(Risk.taskforce_id == tf.id, Risk.ref == data["ref"])
    ):
        raise ValidationError.single("ref", f"The register already has a risk {data['ref']}")
    risk = Risk(
        taskforce_id=tf.id,
        ref=data["ref"],
        description=data["description"],
        likelihood=data["likelihood"],
        impact=data["impact"],
        impact_statement=data.get("impact_statement") or "",
        mitigation=data.get("mitigation") or "",
        owner=data.get("owner") or "",
        review_on=data.get("review_on"),
        trend=data.get("trend") or "",
    )
    db.session.add(risk)
    db.session.flush()
    record(actor, "risk.created", risk, taskforce_id=tf.id, summary=f"Added risk {risk.ref}")
    return risk


def risks_of(tf: TaskForce) -> list[Risk]:
    risks = db.session.scalars(select(Risk).where(Risk.taskforce_id == tf.id)).all()
    order = {"Red": 0, "Amber": 1, "Green": 2}
    return sorted(risks, key=lambda r: (order[r.rating], r.ref))


# Benefits, delivery milestones and decisions: simple registers, newest entries last.

REGISTER_MODELS = {"benefits": Benefit, "milestones": DeliveryMilestone, "decisions": Decision}
_ORDER = {
    "benefits": (Benefit.id,),
    "milestones": (DeliveryMilestone.ends_on, DeliveryMilestone.id),
    "decisions": (Decision.decided_on, Decision.id),
}


def add_entry(tf: TaskForce, kind: str, data: dict[str, Any], actor: Actor):
    model = REGISTER_MODELS[kind]
    if kind == "milestones" and data.get("starts_on") and data["starts_on"] > data["ends_on"]:
        raise ValidationError.single("ends_on", "The end must not come before the start")
    if kind == "decisions" and data.get("meeting_id") is not None:
        from taskforce.meetings.models import Meeting

        meeting = db.session.get(Meeting, data["meeting_id"])
        if meeting is None or meeting.taskforce_id != tf.id:
            raise ValidationError.single("meeting_id", "Choose one of this task force's meetings")
    entry = model(taskforce_id=tf.id, **data)
    db.session.add(entry)
    db.session.flush()
    record(
        actor, f"{kind}.added", entry, taskforce_id=tf.id, summary=f"Added to the {kind} register"
    )
    return entry


def entries(tf: TaskForce, kind: str) -> list:
    model = REGISTER_MODELS[kind]
    return list(
        db.session.scalars(select(model).where(model.taskforce_id == tf.id).order_by(*_ORDER[kind]))
    )
