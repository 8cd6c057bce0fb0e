"""Define indicators and record actuals against them. Services flush; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from taskforce.audit.services import Actor, apply_changes, record
from taskforce.bodies.models import TaskForce
from taskforce.db import utcnow
from taskforce.errors import Conflict, ValidationError, check_version
from taskforce.extensions import db
from taskforce.performance import periods
from taskforce.performance.models import Actual, ActualRevision, Indicator, TrajectoryPoint
from taskforce.performance.rag import rag, trend, variance_pct

#: Values stored: up to 14 digits before the point and 6 after (NUMERIC(20, 6)), and 15
#: significant digits in all, the most a JSON number (a double) or a spreadsheet keeps
#: exactly: what is stored is what the API and the exports give back.
SIGNIFICANT_DIGITS = 15


def value_problem(value: Decimal) -> str | None:
    """Why a value cannot be stored, or None: the same rule for forms, API and imports.

    Worked out from the digits and exponent alone: decimal arithmetic on a value such as
    1e999999999999 would overflow, and 1e-999999999 would round to nothing."""
    if not value.is_finite():
        return "is not a finite number"
    _sign, digits, exponent = value.as_tuple()
    digits = tuple(digits)
    while len(digits) > 1 and digits[-1] == 0:  # 1.500 is 1.5
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        return None
    if exponent + len(digits) > 14:
        return "is too large (at most 14 digits before the decimal point)"
    if exponent < -6:
        return "has more than 6 decimal places"
    if len(digits) > SIGNIFICANT_DIGITS:
        return f"has more than {SIGNIFICANT_DIGITS} significant digits"
    return None


def _periods(
    points: list[dict[str, Any]],
    frequency: str,
    field: str,
    known: dict[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """Check a list of {period, value}: every period readable and of the right frequency,
    none twice. Return {canonical period: value}, or raise naming each bad entry.

    Values in known (what is stored now) are not checked again, so a value saved under
    an older rule never blocks other changes to the same plan."""
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
        problem = None if (known or {}).get(period) == value else value_problem(value)
        if problem:
            problems[key.removesuffix("period") + "value"] = [f"The value {problem}"]
        seen[period] = value
    if problems:
        raise ValidationError(problems, "Some periods are not right")
    return seen


def indicators_of(taskforce_id: int):
    """A task force's indicators, with what their series need loaded alongside."""
    return (
        select(Indicator)
        .where(Indicator.taskforce_id == taskforce_id)
        .options(
            selectinload(Indicator.trajectory),
            selectinload(Indicator.actuals),
            selectinload(Indicator.priority),
        )
    )


def create_indicator(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Indicator:
    _check_name_free(tf, data["name"])
    priority = priority_named(tf, data.get("priority"))
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


def priority_named(tf: TaskForce, title: str | None, current=None):
    """The live priority of that title, else the current one kept even if since retired."""
    if not title:
        return None
    priority = next(
        (p for p in tf.priorities if p.title == title and p.retired_at is None),
        current if current is not None and current.title == title else None,
    )
    if priority is None:
        raise ValidationError.single(
            "priority", "Choose one of the task force's priorities, by its title"
        )
    return priority


#: What PATCH /indicators/{id} and the edit page may change, besides priority and trajectory.
EDITABLE = ("name", "unit", "frequency", "direction", "tolerance_pct", "source", "owner")


def update_indicator(
    indicator: Indicator,
    data: dict[str, Any],
    actor: Actor,
    expected_version: int | None = None,
) -> Indicator:
    """Change an indicator's definition or replan its trajectory; the audit keeps the old.

    A trajectory sent replaces the whole plan (periods left out are dropped). Frequency can
    change only while there are no actuals, since every actual's period depends on it.
    """
    _lock(indicator)
    check_version(indicator.version, expected_version, "indicator")
    tf = indicator.taskforce
    if "name" in data and data["name"] != indicator.name:
        _check_name_free(tf, data["name"], indicator.id)
    frequency = data.get("frequency", indicator.frequency)
    if frequency != indicator.frequency and indicator.actuals:
        raise ValidationError.single(
            "frequency",
            f"{indicator.name} has actuals reported {indicator.frequency}: its frequency "
            "cannot change. Retire it and add a new indicator instead.",
        )
    before = {p.period: p.value for p in indicator.trajectory}
    if "trajectory" in data and data["trajectory"] is not None:
        planned = _periods(data["trajectory"], frequency, "trajectory", known=before)
    elif frequency != indicator.frequency and before:
        raise ValidationError.single(
            "frequency",
            f"The trajectory is planned {indicator.frequency}: send it again in "
            f"{frequency} periods with the new frequency",
        )
    else:
        planned = None
    if "tolerance_pct" in data:
        data = {**data, "tolerance_pct": Decimal(data["tolerance_pct"])}

    # Checked before anything changes; a priority retired since it was chosen may stay.
    priority = priority_named(tf, data.get("priority"), indicator.priority)
    changes = apply_changes(indicator, data, EDITABLE)
    if "priority" in data and priority is not indicator.priority:
        old = indicator.priority.title if indicator.priority else None
        changes["priority"] = [old, priority.title if priority else None]
        indicator.priority = priority
    retired = data.get("retired")
    if retired is not None and retired != (indicator.retired_at is not None):
        changes["retired"] = [not retired, retired]
        indicator.retired_at = utcnow() if retired else None
    if planned is not None and before != planned:
        changes["trajectory"] = [_plan_text(before), _plan_text(planned)]
        _replan(indicator, before, planned)
    if not changes:
        return indicator
    flag_modified(indicator, "name")  # a replan alone changes only child rows: bump anyway
    db.session.flush()
    record(
        actor,
        "indicator.updated",
        indicator,
        taskforce_id=tf.id,
        changes=changes,
        summary=f"{indicator.name}: changed {', '.join(_CHANGE_NAMES.get(c, c) for c in changes)}",
    )
    return indicator


_CHANGE_NAMES = {"tolerance_pct": "tolerance", "retired": "retired or reinstated"}


def _plan_text(plan: dict[str, Decimal]) -> list[str]:
    return [f"{period} {format(value, 'f')}" for period, value in sorted(plan.items())]


def _replan(indicator: Indicator, before: dict[str, Decimal], planned: dict[str, Decimal]):
    """Make the trajectory rows match planned, changing rows in place where periods stay."""
    for point in list(indicator.trajectory):
        if point.period not in planned:
            indicator.trajectory.remove(point)
        elif point.value != planned[point.period]:
            point.value = planned[point.period]
    indicator.trajectory.extend(
        TrajectoryPoint(period=p, value=v) for p, v in sorted(planned.items()) if p not in before
    )
    indicator.trajectory.sort(key=lambda point: point.period)


def name_key(name: object) -> str:
    """Names that differ only in case or spacing are the same name (as imports read them)."""
    return " ".join(str(name or "").split()).casefold()


def _check_name_free(tf: TaskForce, name: str, indicator_id: int | None = None) -> None:
    names = db.session.execute(
        select(Indicator.id, Indicator.name).where(Indicator.taskforce_id == tf.id)
    ).all()
    clash = next(
        (other for i, other in names if i != indicator_id and name_key(other) == name_key(name)),
        None,
    )
    if clash is not None:
        raise ValidationError.single(
            "name",
            f"This task force already has an indicator called {clash}: names must differ "
            "by more than capitals or spaces, so that imports can tell them apart",
        )


def _lock(indicator: Indicator) -> None:
    """Hold the indicator's row (PostgreSQL; SQLite has one writer) and read it afresh.

    Recording actuals and changing the indicator both take it, so an actual can never
    slip in beside a retirement or a change of frequency; recorders simply queue."""
    db.session.refresh(indicator, with_for_update=True)


def check_reporting(indicator: Indicator) -> None:
    """Actuals go only to indicators still reported."""
    if indicator.retired_at is not None:
        raise Conflict(
            f"{indicator.name} is retired: reinstate it before recording actuals against it."
        )


def record_actuals(
    indicator: Indicator, values: dict[str, Decimal], actor: Actor, note: str = ""
) -> tuple[int, int]:
    """Set actuals by canonical period; a changed value keeps its old one as a revision.

    New periods are written in one statement (an import may bring thousands); corrections
    go through the unit of work with their revision. Return (new, corrected).
    """
    _lock(indicator)
    check_reporting(indicator)
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
        said = [f"{len(fresh)} new actual{'s' if len(fresh) != 1 else ''}"] if fresh else []
        said += [f"{len(changed)} corrected"] if changed else []
        record(
            actor,
            "indicator.actuals",
            indicator,
            taskforce_id=indicator.taskforce_id,
            summary=f"{indicator.name}: {', '.join(said)}",
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
