"""The registers a task force keeps: risks, benefits, delivery milestones and decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from taskforce.meetings.models import Meeting

from taskforce.db import Versioned, utcnow
from taskforce.extensions import db

LEVELS = ("Low", "Medium", "High")
#: A risk's reference, like R07: letters and numbers, then also . _ / -
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


class Risk(Versioned, db.Model):
    """A line of the risk register."""

    __tablename__ = "risks"
    __table_args__ = (UniqueConstraint("taskforce_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    ref: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[str] = mapped_column(String(6))
    impact: Mapped[str] = mapped_column(String(6))
    impact_statement: Mapped[str] = mapped_column(Text, default="")
    mitigation: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    review_on: Mapped[date | None]
    #: "rising", "steady" or "falling", as the register's owner judges it.
    trend: Mapped[str] = mapped_column(String(10), default="")
    #: Set when the risk is closed: it leaves the open register but is never deleted.
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def rating(self) -> str:
        """Red, Amber or Green from likelihood times impact (Low 1, Medium 2, High 3)."""
        score = (LEVELS.index(self.likelihood) + 1) * (LEVELS.index(self.impact) + 1)
        return "Red" if score >= 6 else "Amber" if score >= 3 else "Green"


class Benefit(Versioned, db.Model):
    """A line of the benefits register."""

    __tablename__ = "benefits"

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    benefit: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[str] = mapped_column(String(100), default="")
    realised: Mapped[str] = mapped_column(String(100), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")


MILESTONE_STATUSES = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "late": "Late",
    "complete": "Complete",
}


class DeliveryMilestone(Versioned, db.Model):
    """A milestone of the delivery plan (not a meeting's cycle milestone)."""

    __tablename__ = "delivery_milestones"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'on_track', 'at_risk', 'late', 'complete')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    activity: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="not_started")
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class Decision(Versioned, db.Model):
    """A decision the task force took. Minutes will add these; the secretariat can too."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    decided_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    meeting: Mapped[Meeting | None] = relationship()
