"""Delivery assessments: a judgement on each priority, made on a date. Services flush;
callers commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from taskforce.audit.services import Actor, apply_changes, record, record_changes
from taskforce.bodies.models import TaskForce
from taskforce.errors import ValidationError, check_version
from taskforce.extensions import db
from taskforce.performance.models import RATING_NAMES, Assessment
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
        f"{RATING_NAMES[assessment.likelihood_of_delivery]}",
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
