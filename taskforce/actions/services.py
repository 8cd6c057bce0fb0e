"""Allocate actions and record every change to them. Services flush; callers commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from taskforce import numbering
from taskforce.actions.models import ENDED, TRANSITIONS, Action, ActionStatus, ActionUpdate
from taskforce.audit.services import Actor, record, same
from taskforce.bodies.models import TaskForce
from taskforce.bodies.services import normalise_email
from taskforce.clock import today
from taskforce.errors import Conflict, ValidationError, check_version
from taskforce.extensions import db
from taskforce.links import release_action
from taskforce.meetings.models import Meeting


def _entry(actor: Actor, **fields: Any) -> ActionUpdate:
    """A new line of an action's history, signed by whoever is acting."""
    return ActionUpdate(
        by=actor.label[:255],
        by_user_id=actor.user.id if actor.user else None,
        via=actor.via,
        **fields,
    )


def _add_entry(
    action: Action, entry: ActionUpdate, actor: Actor, event: str, *, changes: dict, summary: str
) -> None:
    """Add a line to the action's history and put the change in the audit trail."""
    action.updates.append(entry)
    flag_modified(action, "status")  # every update, even a bare comment, bumps the version
    db.session.flush()
    record(actor, event, action, taskforce_id=action.taskforce_id, changes=changes, summary=summary)


def _meeting_not_available(meeting_id: int) -> ValidationError:
    # One answer for a meeting that does not exist and one of a task force the caller may not
    # see: the difference would tell them which ids the other task forces' meetings have.
    return ValidationError.single(
        "meeting_id",
        f"Meeting {meeting_id} is not available: choose one of this task force's meetings",
    )


def meeting_for_action(tf: TaskForce, meeting_id: int) -> Meeting:
    """The meeting of this task force with this id, or a refusal that does not say why."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.taskforce_id != tf.id:
        raise _meeting_not_available(meeting_id)
    return meeting


def create_action(
    tf: TaskForce, data: dict[str, Any], actor: Actor, meeting: Meeting | None = None
) -> tuple[Action, list[str]]:
    """Allocate an action with the next reference; return it with any warnings."""
    [(action, warnings)] = create_actions(tf, [data], actor, meeting)
    return action, warnings


def create_actions(
    tf: TaskForce, items: list[dict[str, Any]], actor: Actor, meeting: Meeting | None = None
) -> list[tuple[Action, list[str]]]:
    """Allocate several actions agreed at one meeting (or between meetings, with none), with
    consecutive references taken in one go; return each with its warnings, in order.

    Everything is checked before a number is taken: numbers are never skipped.
    """
    if meeting is not None and meeting.taskforce_id != tf.id:
        raise _meeting_not_available(meeting.id)
    if not items:
        return []
    emails = [normalise_email(data["owner_email"]) for data in items]
    meeting_number = meeting.number if meeting is not None else 0
    numbers = numbering.allocate(tf.id, numbering.Series.ACTION, len(items), scope=meeting_number)
    actions = [
        Action(
            taskforce=tf,
            meeting=meeting,
            meeting_number=meeting_number,
            number=number,
            reference=f"{tf.code}-{meeting_number}/{number}",
            description=data["description"],
            owner_name=data["owner_name"],
            owner_email=email,
            owner_organisation=data.get("owner_organisation") or "",
            due_on=data["due_date"],
        )
        for number, data, email in zip(numbers, items, emails, strict=True)
    ]
    db.session.add_all(actions)
    db.session.flush()
    created = []
    for action in actions:
        action.updates.append(
            _entry(actor, status_to=action.status, due_to=action.due_on, comment="Allocated")
        )
        db.session.flush()
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
        created.append((action, warnings))
    return created


def update_action(
    action: Action, data: dict[str, Any], actor: Actor, expected_version: int | None = None
) -> Action:
    """Change status, due date or description, keeping the old values in the history."""
    check_version(action.version, expected_version, "action")
    status = data.get("status")
    comment = (data.get("comment") or "").strip()
    entry = _entry(actor, comment=comment)
    changed = False
    if status is not None and status != action.status:
        if status not in TRANSITIONS:
            raise ValidationError.single("status", f"Unknown status {status!r}")
        if status not in TRANSITIONS[action.status]:
            hint = " Reopen it first." if action.is_ended else ""
            raise ValidationError.single(
                "status",
                f"An action that is {action.status_words} cannot become "
                f"{ActionStatus(status).words}.{hint}",
            )
        if status == ActionStatus.DROPPED and not comment:
            raise ValidationError.single("comment", "Say why the action is dropped")
        entry.status_from, entry.status_to = action.status, status
        action.status = status
        changed = True
        if status in ENDED:
            # Its owner links stop reaching it for good: reopened, it needs a new link.
            release_action(action)
    if data.get("due_date") is not None and data["due_date"] != action.due_on:
        entry.due_from, entry.due_to = action.due_on, data["due_date"]
        action.due_on = data["due_date"]
        # A new due date settles any date the owner proposed: taken up or overtaken.
        action.proposed_due_on = None
        changed = True
    declined = "proposed_due_date" in data and data["proposed_due_date"] is None
    if declined and action.proposed_due_on is not None:  # the due date stays as it is
        entry.comment = entry.comment or (
            f"Declined the proposed due date {action.proposed_due_on:%-d %B %Y}"
        )
        action.proposed_due_on = None
        changed = True
    if data.get("description") is not None and not same(data["description"], action.description):
        entry.description_from = action.description
        action.description = data["description"]
        changed = True
    if not changed and not comment:
        return action
    _add_entry(
        action,
        entry,
        actor,
        "action.updated",
        changes=_changes(action, entry),
        summary=f"Updated {action.reference}",
    )
    return action


def _changes(action: Action, entry: ActionUpdate) -> dict[str, Any]:
    """What one history line changed, for the audit trail: the fields that moved, alone,
    each as [old, new], and the comment given."""
    changes: dict[str, Any] = {}
    if entry.status_to is not None and entry.status_to != entry.status_from:
        changes["status"] = [entry.status_from, entry.status_to]
    if entry.due_to is not None and entry.due_to != entry.due_from:
        changes["due_date"] = [entry.due_from, entry.due_to]
    if entry.description_from is not None:
        changes["description"] = [entry.description_from, action.description]
    if entry.due_proposed is not None:
        changes["proposed_due_date"] = entry.due_proposed
    if entry.comment:
        changes["comment"] = entry.comment
    return changes


#: What an owner may set from an emailed link.
OWNER_STATUSES = {ActionStatus.IN_PROGRESS.value, ActionStatus.COMPLETE.value}


def owner_update(
    action: Action,
    *,
    status: str | None,
    proposed_due: date | None,
    comment: str,
    actor: Actor,
    expected_version: int | None = None,
) -> Action:
    """An owner's update, from their emailed link or signed in: progress or completion, a
    proposed date, a comment.

    "Complete" is the owner's word; the secretariat closes. A proposed date waits for the
    secretariat to accept or decline it.
    """
    check_version(
        action.version,
        expected_version,
        "action",
        stale="This action has changed since the page was opened, perhaps by this same form "
        "being sent twice. Nothing was changed: check it below and update again if needed.",
    )
    if action.is_ended:
        raise Conflict(f"{action.reference} is {action.status}: it needs no more updates.")
    problems: dict[str, list[str]] = {}
    if status is not None and status not in OWNER_STATUSES:
        problems["status"] = ["Choose in progress or complete"]
    if proposed_due is not None and proposed_due <= today():
        problems["due_date"] = ["Propose a date after today"]
    if status is None and proposed_due is None and not comment:
        problems["status"] = ["Choose how it is going, propose a new date or add a comment"]
    if problems:
        raise ValidationError(problems)
    if status is not None and status != action.status and status not in TRANSITIONS[action.status]:
        raise ValidationError.single("status", f"{action.reference} cannot become {status}")
    entry = _entry(actor, comment=comment)
    if status is not None and status != action.status:
        entry.status_from, entry.status_to = action.status, status
        action.status = status
    if proposed_due is not None and proposed_due != action.due_on:
        entry.due_proposed = proposed_due
        action.proposed_due_on = proposed_due
    if entry.status_to is None and entry.due_proposed is None and not comment:
        return action  # nothing new: the same status again, with nothing to add
    _add_entry(
        action,
        entry,
        actor,
        "action.owner_update",
        changes=_changes(action, entry),
        summary=f"{action.owner_name} updated {action.reference}"
        + (" from their emailed link" if actor.via == "email_link" else " signed in"),
    )
    return action


def decide_proposal(
    action: Action, accept: bool, actor: Actor, comment: str = "", expected_version=None
) -> Action:
    """Accept (the due date becomes the proposed one) or decline the owner's proposed date."""
    if action.proposed_due_on is None:
        raise Conflict("There is no proposed date waiting for a decision.")
    proposed = action.proposed_due_on
    note = f"{'Accepted' if accept else 'Declined'} the proposed due date {proposed:%-d %B %Y}"
    return update_action(
        action,
        {
            "due_date": proposed if accept else None,
            "proposed_due_date": None,
            "comment": f"{note}. {comment}".strip() if comment else note,
        },
        actor,
        expected_version=expected_version,
    )
