"""Indicators a task force tracks, their trajectories and the actuals reported against them;
delivery assessments of its priorities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from taskforce.bodies.models import Priority, TaskForce
from taskforce.db import Versioned, utcnow
from taskforce.extensions import db
from taskforce.text import tidy


class Amount(TypeDecorator):
    """An exact decimal: NUMERIC on PostgreSQL, text on SQLite (which has no exact decimal)."""

    impl = Numeric(20, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(20, 6))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        # Plain positional text on SQLite (never 1E+13), so stored values read back alike.
        return format(Decimal(value), "f") if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else tidy(Decimal(value))


class Indicator(Versioned, db.Model):
    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("taskforce_id", "name"),
        CheckConstraint("frequency IN ('weekly', 'monthly', 'quarterly')", name="frequency_known"),
        CheckConstraint("direction IN ('up', 'down')", name="direction_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    #: The priority it tracks, if any.
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id"))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    frequency: Mapped[str] = mapped_column(String(10))
    #: "up" when higher is better, "down" when lower is better.
    direction: Mapped[str] = mapped_column(String(4))
    tolerance_pct: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(5))
    source: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the indicator is no longer reported: kept, with its data, off the dashboard.
    retired_at: Mapped[datetime | None]

    taskforce: Mapped[TaskForce] = relationship()
    priority: Mapped[Priority | None] = relationship()
    trajectory: Mapped[list[TrajectoryPoint]] = relationship(
        back_populates="indicator", order_by="TrajectoryPoint.period", cascade="all, delete-orphan"
    )
    actuals: Mapped[list[Actual]] = relationship(
        back_populates="indicator", order_by="Actual.period"
    )


class _PeriodValue:
    """An indicator's value for one period, planned or reported: at most one a period."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    #: Canonical period text (2027-03, 2027-Q1, 2027-W05): sorts in time order.
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal] = mapped_column(Amount())


class TrajectoryPoint(_PeriodValue, db.Model):
    """The planned value for one period."""

    __tablename__ = "trajectory_points"

    indicator: Mapped[Indicator] = relationship(back_populates="trajectory")


class Actual(_PeriodValue, db.Model):
    """The reported value for one period; a correction replaces it and keeps a revision."""

    __tablename__ = "actuals"

    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(20))

    indicator: Mapped[Indicator] = relationship(back_populates="actuals")
    revisions: Mapped[list[ActualRevision]] = relationship(order_by="ActualRevision.id")


class ActualRevision(db.Model):
    """A value an actual used to have, and who replaced it, when and how."""

    __tablename__ = "actual_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actual_id: Mapped[int] = mapped_column(ForeignKey("actuals.id"), index=True)
    old_value: Mapped[Decimal] = mapped_column(Amount())
    new_value: Mapped[Decimal] = mapped_column(Amount())
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class ChartImage(db.Model):
    """A drawn chart, keyed by a hash of exactly what it draws (see charts.py)."""

    __tablename__ = "chart_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


#: The four-point delivery scale, worst first.
RATINGS = ("R", "AR", "AG", "G")
RATING_NAMES = {"R": "Red", "AR": "Amber/Red", "AG": "Amber/Green", "G": "Green"}
CHALLENGE = ("H", "M", "L")
STAGES = {
    1: "Policy development",
    2: "Implementation",
    3: "Embedding change",
    4: "Irreversible progress",
}


class Assessment(Versioned, db.Model):
    """A likelihood-of-delivery judgement on one priority, made on one date."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("priority_id", "assessed_on"),
        CheckConstraint("degree_of_challenge IN ('H', 'M', 'L')", name="challenge_known"),
        CheckConstraint("stage_of_delivery BETWEEN 1 AND 4", name="stage_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), index=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"), index=True)
    assessed_on: Mapped[date]
    degree_of_challenge: Mapped[str] = mapped_column(String(1))
    quality_of_planning: Mapped[str] = mapped_column(String(2))
    capacity_to_drive_progress: Mapped[str] = mapped_column(String(2))
    stage_of_delivery: Mapped[int]
    likelihood_of_delivery: Mapped[str] = mapped_column(String(2))
    rationale: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    priority: Mapped[Priority] = relationship()
