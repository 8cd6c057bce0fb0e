"""Actions over JSON: allocate, read, filter, update with optimistic locking."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import selectinload

from taskforce import mail
from taskforce.actions import emails, services
from taskforce.actions.chasing import OWNER_LINK_LIFETIME
from taskforce.actions.models import FINISHED, Action
from taskforce.actions.schemas import ActionChange, ActionCreate, ActionOut, LinkSent
from taskforce.api import api_actor, api_user, bp, dump, get_for_taskforce, page_of, parse
from taskforce.api.spec import operation
from taskforce.api.taskforces import _taskforce
from taskforce.auth import permissions
from taskforce.bodies.models import TaskForce
from taskforce.db import utcnow
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.meetings.models import Meeting
from taskforce.text import small_int

TAG = "Actions"


def _action(action_id: int, *, edit: bool = False) -> Action:
    return get_for_taskforce(Action, action_id, edit=edit)


@operation(
    bp,
    "/actions",
    "POST",
    tag=TAG,
    body=ActionCreate,
    response=ActionOut,
    status=201,
    summary="Allocate an action; a due date in the past is allowed with a warning",
)
def create_action():
    data = parse(ActionCreate)
    tf = _taskforce(data.taskforce_id, edit=True)
    meeting = None
    if data.meeting_id is not None:
        meeting = db.session.get(Meeting, data.meeting_id)
        if meeting is None:
            raise ValidationError.single("meeting_id", f"No meeting with id {data.meeting_id}")
    action, warnings = services.create_action(tf, data.model_dump(), api_actor(), meeting)
    db.session.commit()
    return dump(ActionOut.of(action, services.today(), warnings), 201)


@operation(
    bp,
    "/actions/<int:action_id>",
    "GET",
    tag=TAG,
    response=ActionOut,
    summary="Read an action with its history",
)
def get_action(action_id: int):
    return dump(ActionOut.of(_action(action_id), services.today()))


FILTERS = {
    "taskforce_id": "task force id",
    "meeting_id": "meeting id",
    "status": "a status",
    "overdue": "true for overdue only",
    "owner_email": "the owner's email",
}


@operation(
    bp,
    "/actions",
    "GET",
    tag=TAG,
    response=ActionOut,
    paged=True,
    query=FILTERS,
    summary="List the actions you can see, filtered",
)
def list_actions():
    visible = permissions.visible_taskforces(api_user()).with_only_columns(TaskForce.id)
    stmt = (
        db.select(Action)
        .where(Action.taskforce_id.in_(visible.scalar_subquery()))
        .options(selectinload(Action.updates))
    )
    args = request.args
    for name in ("taskforce_id", "meeting_id"):
        if name in args:
            value = small_int(args[name])
            if value is None:
                raise ValidationError.single(name, f"{name} must be an id")
            stmt = stmt.where(getattr(Action, name) == value)
    if "status" in args:
        statuses = args["status"].split(",")
        unknown = [
            s for s in statuses if s not in {"open", "in_progress", "complete", "closed", "dropped"}
        ]
        if unknown:
            raise ValidationError.single("status", f"Unknown status {unknown[0]!r}")
        stmt = stmt.where(Action.status.in_(statuses))
    if "owner_email" in args:
        stmt = stmt.where(Action.owner_email == args["owner_email"].strip().lower())
    if "overdue" in args:
        if args["overdue"] not in ("true", "false"):
            raise ValidationError.single("overdue", "overdue must be true or false")
        is_overdue = Action.status.not_in(FINISHED) & (Action.due_on < services.today())
        stmt = stmt.where(is_overdue if args["overdue"] == "true" else ~is_overdue)
    today = services.today()
    return page_of(stmt, Action.id, lambda a: ActionOut.of(a, today).model_dump(mode="json"))


@operation(
    bp,
    "/actions/<int:action_id>",
    "PATCH",
    tag=TAG,
    body=ActionChange,
    response=ActionOut,
    summary="Change an action's status, due date or description",
)
def update_action(action_id: int):
    action = _action(action_id, edit=True)
    data = parse(ActionChange).model_dump(exclude_unset=True)
    expected = data.pop("version", None)
    services.update_action(action, data, api_actor(), expected_version=expected)
    db.session.commit()
    return dump(ActionOut.of(action, services.today()))


@operation(
    bp,
    "/actions/<int:action_id>/link",
    "POST",
    tag=TAG,
    response=LinkSent,
    status=202,
    summary="Withdraw the owner's earlier links to this action and email them a new one",
)
def send_owner_link(action_id: int):
    action = _action(action_id, edit=True)
    emails.send_owner_link(action, api_actor())
    delivered, _failed = mail.commit_and_deliver(1)
    return dump(
        LinkSent(
            sent=1,
            delivered=delivered,
            email=action.owner_email,
            expires_at=utcnow() + OWNER_LINK_LIFETIME,
        ),
        202,
    )
