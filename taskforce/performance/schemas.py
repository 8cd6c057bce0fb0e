"""The JSON shapes of indicators, trajectories, actuals and assessments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer, StrictBool, StrictStr

from taskforce.performance import services
from taskforce.schemas import Day, Input, Line, Output, Text, changes_to, not_null


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
    tolerance_pct: Annotated[
        Decimal, Field(ge=0, le=100, allow_inf_nan=False, max_digits=5, decimal_places=2)
    ] = Decimal(5)
    source: Line(200, min_length=0) = ""
    owner: Line(200, min_length=0) = ""
    priority: Line(300) | None = Field(default=None, description="A priority's title")
    trajectory: Annotated[list[PointIn], Field(max_length=1000)] = []


IndicatorChange = changes_to(
    IndicatorCreate,
    "IndicatorChange",
    nullable=("priority",),
    retired=(
        StrictBool | None,
        Field(
            None,
            description="true retires the indicator (kept, off the dashboard)",
            json_schema_extra=not_null,
        ),
    ),
)


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
    retired_at: datetime | None
    version: int
    latest: SeriesOut | None
    series: list[SeriesOut]

    @classmethod
    def of(cls, indicator, *, with_series: bool = True) -> IndicatorOut:
        points = services.series(indicator)
        latest = services.latest(points)
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
            retired_at=indicator.retired_at,
            version=indicator.version,
            latest=SeriesOut(**vars(latest)) if latest else None,
            series=[SeriesOut(**vars(p)) for p in points] if with_series else [],
        )


class ActualsImported(Output):
    imported: int


class ActualsRecorded(Output):
    new: int
    corrected: int
    indicator: IndicatorOut


#: POST /indicators/{id}/actuals takes a list of these.
ActualIn = PointIn


Rating = Literal["R", "AR", "AG", "G"]


class AssessmentIn(Input):
    priority: Line(300) = Field(description="The priority's title")
    assessed_on: Day
    degree_of_challenge: Literal["H", "M", "L"]
    quality_of_planning: Rating
    capacity_to_drive_progress: Rating
    stage_of_delivery: Annotated[int, Field(ge=1, le=4, strict=True)]
    likelihood_of_delivery: Rating
    rationale: Text(5000) = ""


AssessmentChange = changes_to(AssessmentIn, "AssessmentChange")


class AssessmentOut(Output):
    id: int
    taskforce_id: int
    priority: str
    assessed_on: date
    degree_of_challenge: str
    quality_of_planning: str
    capacity_to_drive_progress: str
    stage_of_delivery: int
    likelihood_of_delivery: str
    rationale: str
    version: int

    @classmethod
    def of(cls, a) -> AssessmentOut:
        return cls(
            id=a.id,
            taskforce_id=a.taskforce_id,
            priority=a.priority.title,
            assessed_on=a.assessed_on,
            degree_of_challenge=a.degree_of_challenge,
            quality_of_planning=a.quality_of_planning,
            capacity_to_drive_progress=a.capacity_to_drive_progress,
            stage_of_delivery=a.stage_of_delivery,
            likelihood_of_delivery=a.likelihood_of_delivery,
            rationale=a.rationale,
            version=a.version,
        )
