"""Define indicators and record actuals against them. Services flush; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from taskforce.audit.services import Actor, record
from taskforce.bodies.models import TaskForce
from taskforce.db import utcnow
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.performance import periods
from taskforce.performance.models import Actual, ActualRevision, Indicator, TrajectoryPoint
from taskforce.performance.rag import rag, trend, variance_pct

#: Values stored: up to 14 digits before the point and 6 after (NUMERIC(20, 6)).
VALUE_LIMIT = Decimal(10) ** 14


def value_problem(value: Decimal) -> str | None:
    """Why a value cannot be stored, or None: the same rule for forms, API and imports."""
    if not value.is_finite():
        return "is not a finite number"
    if abs(value) >= VALUE_LIMIT:
        return "is too large (at most 14 digits before the decimal point)"
    if value != 0 and value.normalize().as_tuple().exponent < -6:
        return "has more than 6 decimal places"
    return None


def _periods(points: list[dict[str, Any]], frequency: str, field: str) -> dict[str, Decimal]:
    """Check a list of {period, value}: every period readable and of the right frequency,
    none twice. Return {canonical period: value}, or raise naming each bad entry."""
    problems: dict[str, list[str]] = {}
    seen: dict[str, Decimal] = {}
    for position, point in enumerate(points):
        key = f"{field}.{position}.period" if field else f"{position}.period"
        try:
            period = str(periods.parse(point["period"], frequency))
        except periods.PeriodError as error:
            problems[key] = [str(error)]
            continue
        if period in seen:
            problems[key] = [f"{period} is given twice"]
        value = Decimal(point["value"])
        problem = value_problem(value)
        if problem:
            problems[key.removesuffix("period") + "value"] = [f"The value {problem}"]
        seen[period] = value
    if problems:
        raise ValidationError(problems, "Some periods are not right")
    return seen


def create_indicator(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Indicator:
    if db.session.scalar(
        select(Indicator.id).where(Indicator.taskforce_id == tf.id, Indicator.name == data["name"])
    ):
        raise ValidationError.single(
            "name", "This task force already has an indicator of that name"
        )
    priority = None
    if data.get("priority"):
        priority = next(
            (p for p in tf.priorities if p.title == data["priority"] and p.retired_at is None),
            None,
        )
        if priority is None:
            raise ValidationError.single(
                "priority", "Choose one of the task force's priorities, by its title"
            )
    trajectory = _periods(data.get("trajectory") or [], data["frequency"], "trajectory")
    indicator = Indicator(
        taskforce=tf,
        priority=priority,
        name=data["name"],
        unit=data.get("unit") or "",
        frequency=data["frequency"],
        direction=data["direction"],
        tolerance_pct=Decimal(data.get("tolerance_pct", 5)),
        source=data.get("source") or "",
        owner=data.get("owner") or "",
        trajectory=[TrajectoryPoint(period=p, value=v) for p, v in sorted(trajectory.items())],
    )
    db.session.add(indicator)
    db.session.flush()
    record(
        actor,
        "indicator.created",
        indicator,
        taskforce_id=tf.id,
        summary=f"Added the indicator {indicator.name}",
    )
    return indicator


def record_actuals(
    indicator: Indicator, values: dict[str, Decimal], actor: Actor, note: str = ""
) -> tuple[int, int]:
    """Set actuals by canonical period; a changed value keeps its old one as a revision.

    New periods are written in one statement (an import may bring thousands); corrections
    go through the unit of work with their revision. Return (new, corrected).
    """
    existing = dict(
        db.session.execute(
            select(Actual.period, Actual.value).where(Actual.indicator_id == indicator.id)
        ).all()
    )
    label, now = actor.label[:255], utcnow()
    fresh = [
        {
            "indicator_id": indicator.id,
            "period": period,
            "value": value,
            "recorded_at": now,
            "recorded_by": label,
            "via": actor.via,
        }
        for period, value in sorted(values.items())
        if period not in existing
    ]
    changed = {p: v for p, v in values.items() if p in existing and existing[p] != v}
    if fresh:
        db.session.execute(insert(Actual), fresh)
    if changed:
        for actual in db.session.scalars(
            select(Actual).where(Actual.indicator_id == indicator.id, Actual.period.in_(changed))
        ):
            value = changed[actual.period]
            actual.revisions.append(
                ActualRevision(
                    old_value=actual.value,
                    new_value=value,
                    replaced_by=label,
                    via=actor.via,
                    note=note,
                )
            )
            actual.value, actual.recorded_by, actual.via, actual.recorded_at = (
                value,
                label,
                actor.via,
                now,
            )
    db.session.flush()
    db.session.expire(indicator, ["actuals"])  # the collection reloads with the new rows
    if fresh or changed:
        record(
            actor,
            "indicator.actuals",
            indicator,
            taskforce_id=indicator.taskforce_id,
            summary=f"{indicator.name}: {len(fresh)} new actual(s), {len(changed)} corrected",
        )
    return len(fresh), len(changed)


def actuals_from_input(indicator: Indicator, points: list[dict[str, Any]]) -> dict[str, Decimal]:
    return _periods(points, indicator.frequency, "")


@dataclass
class SeriesPoint:
    period: str
    label: str
    trajectory: Decimal | None
    actual: Decimal | None
    rag: str | None
    trend: str | None
    variance_pct: Decimal | None


def series(indicator: Indicator) -> list[SeriesPoint]:
    """Every period with a trajectory value or an actual, in time order, with RAG and trend."""
    planned = {p.period: p.value for p in indicator.trajectory}
    actual = {a.period: a.value for a in indicator.actuals}
    points = []
    previous_actual: Decimal | None = None
    for period in sorted(set(planned) | set(actual)):
        value = actual.get(period)
        points.append(
            SeriesPoint(
                period=period,
                label=periods.parse(period, indicator.frequency).label(),
                trajectory=planned.get(period),
                actual=value,
                rag=rag(value, planned.get(period), indicator.direction, indicator.tolerance_pct),
                trend=trend(value, previous_actual, indicator.direction),
                variance_pct=_one_place(variance_pct(value, planned.get(period))),
            )
        )
        if value is not None:
            previous_actual = value
    return points


def _one_place(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"))


def latest(points: list[SeriesPoint]) -> SeriesPoint | None:
    """The most recent period with an actual, in a series from series()."""
    return next((p for p in reversed(points) if p.actual is not None), None)
