"""Actions allocated by a task force, and the history of every change to them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskforce.bodies.models import TaskForce
from taskforce.db import Versioned, utcnow
from taskforce.extensions import db
from taskforce.meetings.models import Meeting

DESCRIPTION_MAX = 2000
COMMENT_MAX = 2000


class ActionStatus(enum.StrEnum):
    """The words the secretariat uses for where an action stands; every rule uses these."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CLOSED = "closed"
    DROPPED = "dropped"

    @property
    def words(self) -> str:
        """The status inside a sentence or a spreadsheet cell: "in progress"."""
        return self.value.replace("_", " ")

    @property
    def label(self) -> str:
        """The status as a heading or tag says it: "In progress"."""
        return self.words.capitalize()


def _values(*statuses: ActionStatus) -> frozenset[str]:
    # Plain strings, not members: database drivers adapt enums in their own ways.
    return frozenset(status.value for status in statuses)


#: Where each status may go next. Closed and dropped actions must be reopened first.
TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: _values(
        ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE, ActionStatus.CLOSED, ActionStatus.DROPPED
    ),
    ActionStatus.IN_PROGRESS: _values(
        ActionStatus.OPEN, ActionStatus.COMPLETE, ActionStatus.CLOSED, ActionStatus.DROPPED
    ),
    ActionStatus.COMPLETE: _values(
        ActionStatus.IN_PROGRESS, ActionStatus.CLOSED, ActionStatus.OPEN
    ),
    ActionStatus.CLOSED: _values(ActionStatus.OPEN),
    ActionStatus.DROPPED: _values(ActionStatus.OPEN),
}
#: Still with the owner: what is chased and counted as outstanding.
OUTSTANDING = _values(ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
#: Done as far as the owner is concerned, so never overdue; "complete" awaits closing.
FINISHED = _values(ActionStatus.COMPLETE, ActionStatus.CLOSED, ActionStatus.DROPPED)
#: Settled by the secretariat: nothing more for the owner to update, and their links die.
ENDED = _values(ActionStatus.CLOSED, ActionStatus.DROPPED)


class Action(Versioned, db.Model):
    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("taskforce_id", "meeting_number", "number"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{status}'" for status in ActionStatus) + ")",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: The allocating meeting's number, or 0 for an action agreed between meetings.
    meeting_number: Mapped[int]
    #: Sequence within that meeting: the 14 in SW-3/14.
    number: Mapped[int]
    #: Kept as allocated, so a later change of task-force code never renames an action.
    reference: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_name: Mapped[str] = mapped_column(String(120))
    owner_email: Mapped[str] = mapped_column(String(254), index=True)
    owner_organisation: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default=ActionStatus.OPEN.value, index=True)
    #: A new due date the owner has asked for, awaiting the secretariat's yes or no.
    proposed_due_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    taskforce: Mapped[TaskForce] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.id"
    )

    @property
    def is_ended(self) -> bool:
        """Closed or dropped: the owner has nothing more to update."""
        return self.status in ENDED

    @property
    def status_words(self) -> str:
        return ActionStatus(self.status).words

    def is_overdue(self, today: date) -> bool:
        """Overdue is derived, never stored: unfinished and past its due date."""
        return self.status not in FINISHED and self.due_on < today


class ActionUpdate(db.Model):
    """One change to an action: who, when, by which route, what it was and became."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(255))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(20))
    status_from: Mapped[str | None] = mapped_column(String(12))
    status_to: Mapped[str | None] = mapped_column(String(12))
    due_from: Mapped[date | None]
    due_to: Mapped[date | None]
    description_from: Mapped[str | None] = mapped_column(Text)
    #: A due date the owner proposed in this update (the secretariat decides).
    due_proposed: Mapped[date | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship(back_populates="updates")


class ChaseStep(enum.StrEnum):
    REMINDER = "reminder"
    CHASE = "chase"
    SECOND_CHASE = "second_chase"
    ESCALATION = "escalation"


class ChaseLog(db.Model):
    """One rung of the chasing ladder reached by one action, recorded as it is queued.

    The unique rule is what makes chasing safe to repeat: a step for an action's due date
    can be logged once, so a rerun, a crash or a second scheduler never sends it again.
    Moving the due date starts a fresh ladder.
    """

    __tablename__ = "chase_log"
    __table_args__ = (UniqueConstraint("action_id", "step", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    #: The due date this step was measured from.
    due_on: Mapped[date]
    #: The day the run was for (today, or the simulated --today).
    run_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who the step's email went to (the owner, or the chair and secretariat).
    sent_to: Mapped[str] = mapped_column(Text)
    #: The outbox row carrying it: its status says whether it has left yet.
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))

    action: Mapped[Action] = relationship()
