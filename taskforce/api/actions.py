"""Actions over JSON: allocate, read, filter, update with optimistic locking."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import selectinload

from taskforce import clock, transaction
from taskforce.actions import emails, services, tracker
from taskforce.actions.emails import OWNER_LINK_LIFETIME
from taskforce.actions.models import Action, ActionStatus
from taskforce.actions.schemas import ActionChange, ActionCreate, ActionOut, LinkSent
from taskforce.api.core import (
    api_actor,
    api_user,
    bp,
    dump,
    get_for_taskforce,
    load_taskforce,
    page_of,
    parse,
    parse_change,
)
from taskforce.api.spec import operation
from taskforce.auth import permissions
from taskforce.db import utcnow
from taskforce.errors import ValidationError
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
    errors={404: "No task force with the id given as taskforce_id"},
    summary="Allocate an action; a due date in the past is allowed with a warning",
)
def create_action():
    data = parse(ActionCreate)
    tf = load_taskforce(data.taskforce_id, edit=True)
    meeting = None
    if data.meeting_id is not None:
        meeting = services.meeting_for_action(tf, data.meeting_id)
    action, warnings = services.create_action(tf, data.model_dump(), api_actor(), meeting)
    return dump(ActionOut.of(action, clock.today(), warnings), 201)


@operation(
    bp,
    "/actions/<int:action_id>",
    "GET",
    tag=TAG,
    response=ActionOut,
    summary="Read an action with its history",
)
def get_action(action_id: int):
    return dump(ActionOut.of(_action(action_id), clock.today()))


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
    filters = tracker.Filters()
    for name in ("taskforce_id", "meeting_id"):
        if name in request.args:
            value = small_int(request.args[name])
            if value is None:
                raise ValidationError.single(name, f"{name} must be an id")
            setattr(filters, name, value)
    if "status" in request.args:
        filters.statuses = request.args["status"].split(",")
        unknown = [s for s in filters.statuses if s not in set(ActionStatus)]
        if unknown:
            raise ValidationError.single("status", f"Unknown status {unknown[0]!r}")
    if "owner_email" in request.args:
        filters.owner_email = request.args["owner_email"].strip()
    if "overdue" in request.args:
        if request.args["overdue"] not in ("true", "false"):
            raise ValidationError.single("overdue", "overdue must be true or false")
        filters.overdue = request.args["overdue"] == "true"
    today = clock.today()
    visible = permissions.visible_taskforces(api_user())
    # The tracker's own query, in the API's order: by id, so that pages follow on.
    stmt = tracker.select_actions(visible, filters, today).order_by(None)
    stmt = stmt.options(selectinload(Action.updates))
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
    data, expected = parse_change(ActionChange)
    services.update_action(action, data, api_actor(), expected_version=expected)
    return dump(ActionOut.of(action, clock.today()))


@operation(
    bp,
    "/actions/<int:action_id>/link",
    "POST",
    tag=TAG,
    response=LinkSent,
    status=202,
    errors={409: "The action is closed or completed: its owner has nothing to update"},
    summary="Withdraw the owner's earlier links to this action and email them a new one",
)
def send_owner_link(action_id: int):
    action = _action(action_id, edit=True)
    emails.send_owner_link(action, api_actor())
    delivery = transaction.finish()
    return dump(
        LinkSent(
            sent=1,
            delivered=delivery.sent,
            kept=delivery.kept,
            email=action.owner_email,
            expires_at=utcnow() + OWNER_LINK_LIFETIME,
        ),
        202,
    )
