"""The JSON shapes of indicators, trajectories and actuals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer, StrictStr

from taskforce.performance import services
from taskforce.schemas import Input, Line, Output


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


#: A stored value, sent as a JSON number (an integer when it is whole).
Number = Annotated[Decimal, PlainSerializer(_number, return_type=int | float, when_used="json")]

#: Values as JSON numbers; big enough for any count or sum of money, and no NaN or infinity.
Value = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20, decimal_places=6)]


class PointIn(Input):
    period: StrictStr | date = Field(description="2027-03, 2027-Q1 or 2027-W05 (or a date in it)")
    value: Value


class IndicatorCreate(Input):
    name: Line(200)
    unit: Line(40, min_length=0) = ""
    frequency: Literal["weekly", "monthly", "quarterly"]
    direction: Literal["up", "down"]
    tolerance_pct: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] = Decimal(5)
    source: Line(200, min_length=0) = ""
    owner: Line(200, min_length=0) = ""
    priority: Line(300) | None = Field(default=None, description="A priority's title")
    trajectory: Annotated[list[PointIn], Field(max_length=1000)] = []


class SeriesOut(Output):
    period: str
    label: str
    trajectory: Number | None
    actual: Number | None
    rag: Literal["green", "amber", "red"] | None
    trend: Literal["improving", "worsening", "steady"] | None
    variance_pct: Number | None


class IndicatorOut(Output):
    id: int
    taskforce_id: int
    name: str
    unit: str
    frequency: str
    direction: str
    tolerance_pct: Number
    source: str
    owner: str
    priority: str | None
    version: int
    latest: SeriesOut | None
    series: list[SeriesOut]

    @classmethod
    def of(cls, indicator, *, with_series: bool = True) -> IndicatorOut:
        points = services.series(indicator)
        latest = next((p for p in reversed(points) if p.actual is not None), None)
        return cls(
            id=indicator.id,
            taskforce_id=indicator.taskforce_id,
            name=indicator.name,
            unit=indicator.unit,
            frequency=indicator.frequency,
            direction=indicator.direction,
            tolerance_pct=indicator.tolerance_pct,
            source=indicator.source,
            owner=indicator.owner,
            priority=indicator.priority.title if indicator.priority else None,
            version=indicator.version,
            latest=SeriesOut(**vars(latest)) if latest else None,
            series=[SeriesOut(**vars(p)) for p in points] if with_series else [],
        )


class ActualsRecorded(Output):
    new: int
    corrected: int
    indicator: IndicatorOut


#: POST /indicators/{id}/actuals takes a list of these.
ActualIn = PointIn
