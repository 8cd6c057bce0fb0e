"""Allocate actions and record every change to them. Services flush; callers commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from taskforce.actions.models import TRANSITIONS, Action, ActionStatus, ActionUpdate
from taskforce.audit.services import Actor, record
from taskforce.bodies.models import TaskForce
from taskforce.bodies.services import normalise_email
from taskforce.db import utcnow
from taskforce.errors import Conflict, ValidationError
from taskforce.extensions import db
from taskforce.formatting import local
from taskforce.meetings.models import Meeting


def today() -> date:
    """Today in the service's time zone: what "overdue" is measured against."""
    return local(utcnow()).date()


def create_action(
    tf: TaskForce, data: dict[str, Any], actor: Actor, meeting: Meeting | None = None
) -> tuple[Action, list[str]]:
    """Allocate an action with the next reference; return it with any warnings."""
    if meeting is not None and meeting.taskforce_id != tf.id:
        raise ValidationError.single("meeting_id", "That meeting belongs to another task force")
    meeting_number = meeting.number if meeting is not None else 0
    number = (
        db.session.scalar(
            select(func.max(Action.number)).where(
                Action.taskforce_id == tf.id, Action.meeting_number == meeting_number
            )
        )
        or 0
    ) + 1
    action = Action(
        taskforce=tf,
        meeting=meeting,
        meeting_number=meeting_number,
        number=number,
        reference=f"{tf.code}-{meeting_number}/{number}",
        description=data["description"],
        owner_name=data["owner_name"],
        owner_email=normalise_email(data["owner_email"]),
        owner_organisation=data.get("owner_organisation") or "",
        due_on=data["due_date"],
    )
    db.session.add(action)
    db.session.flush()
    action.updates.append(
        ActionUpdate(
            by=actor.label,
            by_user_id=actor.user.id if actor.user else None,
            via=actor.via,
            status_to=action.status,
            due_to=action.due_on,
            comment="Allocated",
        )
    )
    record(
        actor,
        "action.created",
        action,
        taskforce_id=tf.id,
        summary=f"Allocated {action.reference} to {action.owner_name}",
    )
    warnings = []
    if action.due_on < today():
        warnings.append(f"The due date {action.due_on:%-d %B %Y} has already passed")
    return action, warnings


def update_action(
    action: Action, data: dict[str, Any], actor: Actor, expected_version: int | None = None
) -> Action:
    """Change status, due date or description, keeping the old values in the history."""
    if expected_version is not None and expected_version != action.version:
        raise Conflict(
            "This action was changed by someone else since you read it "
            f"(version {expected_version}, now {action.version}). Reload it first."
        )
    status = data.get("status")
    comment = (data.get("comment") or "").strip()
    entry = ActionUpdate(
        by=actor.label,
        by_user_id=actor.user.id if actor.user else None,
        via=actor.via,
        comment=comment,
    )
    changed = False
    if status is not None and status != action.status:
        if status not in TRANSITIONS[action.status]:
            hint = " Reopen it first." if action.status in ("closed", "dropped") else ""
            raise ValidationError.single(
                "status",
                f"An action that is {action.status.replace('_', ' ')} cannot become "
                f"{status.replace('_', ' ')}.{hint}",
            )
        if status == ActionStatus.DROPPED and not comment:
            raise ValidationError.single("comment", "Say why the action is dropped")
        entry.status_from, entry.status_to = action.status, status
        action.status = status
        changed = True
    if data.get("due_date") is not None and data["due_date"] != action.due_on:
        entry.due_from, entry.due_to = action.due_on, data["due_date"]
        action.due_on = data["due_date"]
        changed = True
    if data.get("description") is not None and data["description"] != action.description:
        entry.description_from = action.description
        action.description = data["description"]
        changed = True
    if not changed and not comment:
        return action
    action.updates.append(entry)
    db.session.flush()
    record(
        actor,
        "action.updated",
        action,
        taskforce_id=action.taskforce_id,
        changes={
            "status": [entry.status_from, entry.status_to],
            "due_date": [entry.due_from, entry.due_to],
        }
        if changed
        else {},
        summary=f"Updated {action.reference}",
    )
    return action
