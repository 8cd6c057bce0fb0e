"""Meetings on the task force's cadence, and who attended them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskforce.bodies.models import Member, TaskForce
from taskforce.db import Versioned, utcnow
from taskforce.extensions import db

TITLE_MAX = 200
LOCATION_MAX = 300
REASON_MAX = 1000
DEPUTY_NAME_MAX = 120


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class AttendanceStatus(enum.StrEnum):
    ATTENDED = "attended"
    APOLOGIES = "apologies"
    DEPUTY = "deputy"
    ABSENT = "absent"


class Meeting(Versioned, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("taskforce_id", "number"),
        CheckConstraint("status IN ('scheduled', 'held', 'cancelled')", name="status_known"),
        CheckConstraint("end_at > start_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    #: 1, 2, 3… within the task force; used in action references such as SW-3/14.
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(LOCATION_MAX), default="")
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.SCHEDULED.value)
    #: The iCalendar UID: fixed for the meeting's life so calendars update, not duplicate.
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    #: The iCalendar SEQUENCE: one more with every change of time or place, and on cancelling.
    sequence: Mapped[int] = mapped_column(default=0)
    invites_sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    taskforce: Mapped[TaskForce] = relationship()
    attendance: Mapped[list[Attendance]] = relationship(back_populates="meeting")

    @property
    def duration_minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint(
            "status IN ('attended', 'apologies', 'deputy', 'absent')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(10))
    #: Who came in the member's place, when status is "deputy".
    deputy_name: Mapped[str] = mapped_column(String(DEPUTY_NAME_MAX), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    member: Mapped[Member] = relationship()
