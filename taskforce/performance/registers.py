"""Delivery assessments and the risk register. Services flush; callers commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from taskforce.audit.services import Actor, apply_changes, record, record_changes
from taskforce.bodies.models import TaskForce
from taskforce.errors import ValidationError, check_version
from taskforce.extensions import db
from taskforce.performance.models import (
    Assessment,
    Benefit,
    Decision,
    DeliveryMilestone,
    Risk,
)
from taskforce.performance.services import priority_named


def _check_assessment_free(priority, assessed_on, assessment_id: int | None = None) -> None:
    clash = db.session.scalar(
        select(Assessment.id).where(
            Assessment.priority_id == priority.id, Assessment.assessed_on == assessed_on
        )
    )
    if clash is not None and clash != assessment_id:
        raise ValidationError.single(
            "assessed_on", "This priority already has an assessment on that date"
        )


def add_assessment(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Assessment:
    priority = priority_named(tf, data["priority"])
    _check_assessment_free(priority, data["assessed_on"])
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


ASSESSMENT_FIELDS = (
    "assessed_on",
    "degree_of_challenge",
    "quality_of_planning",
    "capacity_to_drive_progress",
    "stage_of_delivery",
    "likelihood_of_delivery",
    "rationale",
)


def update_assessment(
    assessment: Assessment, data: dict[str, Any], actor: Actor, expected_version=None
) -> Assessment:
    """Correct an assessment (a judgement made on a date; a new judgement is a new one)."""
    check_version(assessment.version, expected_version, "assessment")
    tf = db.session.get(TaskForce, assessment.taskforce_id)
    priority = (
        priority_named(tf, data["priority"], assessment.priority)
        if data.get("priority")
        else assessment.priority
    )
    _check_assessment_free(priority, data.get("assessed_on", assessment.assessed_on), assessment.id)
    changes = apply_changes(assessment, data, ASSESSMENT_FIELDS)
    if priority is not assessment.priority:
        changes["priority"] = [assessment.priority.title, priority.title]
        assessment.priority = priority
    record_changes(
        actor,
        "assessment.updated",
        assessment,
        changes,
        summary=f"Corrected the assessment of {priority.title} on "
        f"{assessment.assessed_on:%-d %B %Y}",
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


def _check_ref_free(taskforce_id: int, ref: str) -> None:
    if db.session.scalar(select(Risk.id).where(Risk.taskforce_id == taskforce_id, Risk.ref == ref)):
        raise ValidationError.single("ref", f"The register already has a risk {ref}")


def add_risk(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Risk:
    _check_ref_free(tf.id, data["ref"])
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


RISK_FIELDS = (
    "ref",
    "description",
    "likelihood",
    "impact",
    "impact_statement",
    "mitigation",
    "owner",
    "review_on",
    "trend",
)


def update_risk(risk: Risk, data: dict[str, Any], actor: Actor, expected_version=None) -> Risk:
    """Change a risk, close it (`closed: true`) or reopen it; its rating follows."""
    from taskforce.actions.services import today

    check_version(risk.version, expected_version, "risk")
    if "ref" in data and data["ref"] != risk.ref:
        _check_ref_free(risk.taskforce_id, data["ref"])
    rating = risk.rating
    changes = apply_changes(risk, data, RISK_FIELDS)
    if risk.rating != rating:
        changes["rating"] = [rating, risk.rating]
    closed = data.get("closed")
    if closed is not None and closed != (risk.closed_on is not None):
        changes["closed_on"] = [risk.closed_on, today() if closed else None]
        risk.closed_on = changes["closed_on"][1]
    what = (
        "closed"
        if closed and "closed_on" in changes
        else "reopened"
        if "closed_on" in changes
        else "changed"
    )
    detail = f" (rating {rating} → {risk.rating})" if "rating" in changes else ""
    record_changes(actor, "risk.updated", risk, changes, summary=f"Risk {risk.ref} {what}{detail}")
    return risk


def risks_of(tf: TaskForce, *, closed: bool = False) -> list[Risk]:
    """Open risks, Red first (or closed ones, most recently closed first)."""
    stmt = select(Risk).where(Risk.taskforce_id == tf.id)
    if closed:
        stmt = stmt.where(Risk.closed_on.is_not(None)).order_by(Risk.closed_on.desc(), Risk.ref)
        return list(db.session.scalars(stmt))
    risks = db.session.scalars(stmt.where(Risk.closed_on.is_(None))).all()
    order = {"Red": 0, "Amber": 1, "Green": 2}
    return sorted(risks, key=lambda r: (order[r.rating], r.ref))


# Benefits, delivery milestones and decisions: simple registers, newest entries last.

REGISTER_MODELS = {"benefits": Benefit, "milestones": DeliveryMilestone, "decisions": Decision}
_ORDER = {
    "benefits": (Benefit.id,),
    "milestones": (DeliveryMilestone.ends_on, DeliveryMilestone.id),
    "decisions": (Decision.decided_on, Decision.id),
}


REGISTER_FIELDS = {
    "benefits": ("benefit", "measure", "baseline", "target", "realised", "owner"),
    "milestones": ("activity", "starts_on", "ends_on", "status", "owner"),
    "decisions": ("decided_on", "text", "meeting_id"),
}
REGISTER_NOUNS = {"benefits": "benefit", "milestones": "milestone", "decisions": "decision"}


def _check_entry(taskforce_id: int, kind: str, data: dict[str, Any]) -> None:
    """The rules across fields; data holds the entry as it would be."""
    if kind == "milestones" and data.get("starts_on") and data["starts_on"] > data["ends_on"]:
        raise ValidationError.single("ends_on", "The end must not come before the start")
    if kind == "decisions" and data.get("meeting_id") is not None:
        from taskforce.meetings.models import Meeting

        meeting = db.session.get(Meeting, data["meeting_id"])
        if meeting is None or meeting.taskforce_id != taskforce_id:
            raise ValidationError.single("meeting_id", "Choose one of this task force's meetings")


def add_entry(tf: TaskForce, kind: str, data: dict[str, Any], actor: Actor):
    model = REGISTER_MODELS[kind]
    _check_entry(tf.id, kind, data)
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


def update_entry(entry, kind: str, data: dict[str, Any], actor: Actor, expected_version=None):
    """Change a benefit, milestone or decision; the audit trail keeps what it said before."""
    noun = REGISTER_NOUNS[kind]
    check_version(entry.version, expected_version, noun)
    fields = REGISTER_FIELDS[kind]
    _check_entry(
        entry.taskforce_id, kind, {name: data.get(name, getattr(entry, name)) for name in fields}
    )
    changes = apply_changes(entry, data, fields)
    labels = ", ".join(ENTRY_LABELS.get(name, name) for name in changes)
    record_changes(actor, f"{kind}.updated", entry, changes, summary=f"Changed a {noun} ({labels})")
    return entry


ENTRY_LABELS = {
    "starts_on": "start",
    "ends_on": "end",
    "decided_on": "date",
    "meeting_id": "meeting",
    "realised": "realised to date",
}
