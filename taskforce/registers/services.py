"""The risk register and the benefits, delivery milestones and decisions registers.
Services flush; callers commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from taskforce.audit.services import Actor, apply_changes, record, record_changes
from taskforce.bodies.models import TaskForce
from taskforce.errors import ValidationError, check_version
from taskforce.extensions import db
from taskforce.registers.models import Benefit, Decision, DeliveryMilestone, Risk


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
    from taskforce.clock import today

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
