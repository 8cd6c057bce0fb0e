"""Task forces, their members and priorities, and the versions of their terms of reference."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from taskforce.auth.models import EMAIL_MAX, User
from taskforce.db import Versioned, utcnow
from taskforce.extensions import db

NAME_MAX = 200
CODE_PATTERN = r"^[A-Z]{2,8}$"
PURPOSE_MAX = 20_000
PRIORITY_MAX = 300
PRIORITIES_MAX = 30
PERSON_NAME_MAX = 120
ROLE_TITLE_MAX = 200
ORGANISATION_MAX = 200
CADENCE_MIN, CADENCE_MAX = 1, 26
QUORUM_MAX = 100


class MemberGroup(enum.StrEnum):
    MINISTER = "minister"
    OFFICIAL = "official"
    SECRETARIAT = "secretariat"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "minister": "Ministers",
            "official": "Officials",
            "secretariat": "Secretariat",
            "other": "Others",
        }[self.value]


class TaskForce(Versioned, db.Model):
    __tablename__ = "taskforces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: 2 to 8 capitals, used in action references such as SW-3/14.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    cadence_weeks: Mapped[int] = mapped_column(default=6)
    #: How many members must attend for decisions to stand; None means no quorum is set.
    quorum: Mapped[int | None]
    review_on: Mapped[date | None]
    #: Working-day offsets of the cycle's milestones from the meeting; None means the defaults.
    milestone_offsets: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: Working days from an action's due date to each step of chasing; None means the defaults.
    chase_offsets: Mapped[dict[str, int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()
    all_members: Mapped[list[Member]] = relationship(
        back_populates="taskforce", order_by="Member.id"
    )
    all_priorities: Mapped[list[Priority]] = relationship(
        back_populates="taskforce", order_by="Priority.position"
    )
    tor_versions: Mapped[list[TorVersion]] = relationship(
        back_populates="taskforce", order_by="TorVersion.number"
    )

    @property
    def members(self) -> list[Member]:
        return [m for m in self.all_members if m.removed_at is None]

    @property
    def priorities(self) -> list[Priority]:
        return [p for p in self.all_priorities if p.retired_at is None]

    @property
    def chair(self) -> Member | None:
        return next((m for m in self.members if m.is_chair), None)

    def members_in(self, group: MemberGroup | str) -> list[Member]:
        return [m for m in self.members if m.group == str(group)]

    def __repr__(self) -> str:
        return f"<TaskForce {self.code}>"


class Priority(db.Model):
    """A policy or objective whose delivery the task force tracks."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(PRIORITY_MAX))
    #: Set when the ToR stops tracking it; kept so indicators and assessments keep their link.
    retired_at: Mapped[datetime | None]

    taskforce: Mapped[TaskForce] = relationship(back_populates="all_priorities")


class Member(Versioned, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(
            "\"group\" IN ('minister', 'official', 'secretariat', 'other')", name="group_known"
        ),
        # One live membership per email per task force; removed members keep their row.
        Index(
            "uq_members_taskforce_email_live",
            "taskforce_id",
            "email",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        # One chair per task force: checked in the service, enforced here against races.
        Index(
            "uq_members_taskforce_chair",
            "taskforce_id",
            unique=True,
            sqlite_where=text("is_chair AND removed_at IS NULL"),
            postgresql_where=text("is_chair AND removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    name: Mapped[str] = mapped_column(String(PERSON_NAME_MAX))
    #: Lower-cased; ties a signed-in user to this membership.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    role_title: Mapped[str] = mapped_column(String(ROLE_TITLE_MAX), default="")
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    group: Mapped[str] = mapped_column(String(20), default=MemberGroup.OFFICIAL.value)
    is_chair: Mapped[bool] = mapped_column(default=False)
    on_distribution: Mapped[bool] = mapped_column(default=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Members are never deleted: attendance and history still point at them.
    removed_at: Mapped[datetime | None]

    taskforce: Mapped[TaskForce] = relationship(back_populates="all_members")


class TorVersion(db.Model):
    """One agreed state of the terms of reference: re-agreed, never silently edited."""

    __tablename__ = "tor_versions"
    __table_args__ = (UniqueConstraint("taskforce_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_label: Mapped[str] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(20))
    #: What changed from the previous version, in words.
    summary: Mapped[str] = mapped_column(String(2000))
    #: The whole ToR as it stood: name, purpose, cadence, quorum, priorities, members.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    taskforce: Mapped[TaskForce] = relationship(back_populates="tor_versions")


# The current ToR version number, loaded with the task force in one query rather than by
# loading every version's snapshot.
TaskForce.current_tor_number = column_property(
    select(func.coalesce(func.max(TorVersion.number), 0))
    .where(TorVersion.taskforce_id == TaskForce.id)
    .correlate_except(TorVersion)
    .scalar_subquery()
)
#: When the current version was made, likewise without loading the snapshots.
TaskForce.current_tor_at = column_property(
    select(func.max(TorVersion.created_at))
    .where(TorVersion.taskforce_id == TaskForce.id)
    .correlate_except(TorVersion)
    .scalar_subquery()
)
