"""The JSON shapes of actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from taskforce.actions.models import COMMENT_MAX, DESCRIPTION_MAX
from taskforce.schemas import Day, EmailAddress, Id, Input, Line, Output, Text

Status = Literal["open", "in_progress", "complete", "closed", "dropped"]


class ActionCreate(Input):
    taskforce_id: Id
    meeting_id: Id | None = None
    description: Annotated[Text(DESCRIPTION_MAX), Field(min_length=1)]
    owner_name: Line(120)
    owner_email: Annotated[EmailAddress, Field(max_length=254)]
    owner_organisation: Line(200, min_length=0) = ""
    due_date: Day


class ActionChange(Input):
    status: Status | None = None
    due_date: Day | None = None
    #: Only null: declines the owner's proposed date without changing the due date.
    proposed_due_date: None = None
    comment: Text(COMMENT_MAX) | None = None
    description: Annotated[Text(DESCRIPTION_MAX), Field(min_length=1)] | None = None
    version: int | None = None


class OwnerOut(Output):
    name: str
    email: str
    organisation: str


class UpdateOut(Output):
    at: datetime
    by: str
    via: str
    status: str | None = None
    due_date: date | None = None
    proposed_due_date: date | None = None
    comment: str | None = None


class ActionOut(Output):
    id: int
    reference: str
    taskforce_id: int
    meeting_id: int | None
    description: str
    owner: OwnerOut
    due_date: date
    #: A date the owner proposed from their link: a PATCH that changes due_date settles it,
    #: and proposed_due_date: null declines it.
    proposed_due_date: date | None = None
    status: Status
    is_overdue: bool
    version: int
    updates: list[UpdateOut]
    warnings: list[str] = []

    @classmethod
    def of(cls, action, today: date, warnings: list[str] | None = None) -> ActionOut:
        return cls(
            id=action.id,
            reference=action.reference,
            taskforce_id=action.taskforce_id,
            meeting_id=action.meeting_id,
            description=action.description,
            owner=OwnerOut(
                name=action.owner_name,
                email=action.owner_email,
                organisation=action.owner_organisation,
            ),
            due_date=action.due_on,
            proposed_due_date=action.proposed_due_on,
            status=action.status,
            is_overdue=action.is_overdue(today),
            version=action.version,
            updates=[
                UpdateOut(
                    at=u.at,
                    by=u.by,
                    via=u.via,
                    status=u.status_to,
                    due_date=u.due_to,
                    proposed_due_date=u.due_proposed,
                    comment=u.comment or None,
                )
                for u in action.updates
            ],
            warnings=warnings or [],
        )


class LinkSent(Output):
    #: Emails queued (1); `delivered` says whether the SMTP server took it already, `kept`
    #: whether it was kept in the outbox instead, no mail server being configured.
    sent: int
    delivered: int
    kept: int
    email: str
    expires_at: datetime
