"""The JSON shapes of risks, benefits, delivery milestones and decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictBool, create_model

from taskforce.registers.models import REF_PATTERN
from taskforce.schemas import Day, Id, Input, Line, Output, Text, changes_to, not_null

Level = Literal["Low", "Medium", "High"]


class RiskIn(Input):
    ref: Annotated[Line(20), Field(pattern=REF_PATTERN)]
    description: Annotated[Text(2000), Field(min_length=1)]
    likelihood: Level
    impact: Level
    impact_statement: Text(2000) = ""
    mitigation: Text(2000) = ""
    owner: Line(200, min_length=0) = ""
    review_on: Day | None = None
    trend: Literal["rising", "steady", "falling", ""] = ""


RiskChange = changes_to(
    RiskIn,
    "RiskChange",
    nullable=("review_on",),
    closed=(
        StrictBool | None,
        Field(
            None,
            description="true closes the risk today; false reopens it",
            json_schema_extra=not_null,
        ),
    ),
)


class RiskOut(Output):
    id: int
    taskforce_id: int
    ref: str
    description: str
    likelihood: str
    impact: str
    rating: Literal["Red", "Amber", "Green"]
    impact_statement: str
    mitigation: str
    owner: str
    review_on: date | None
    trend: str
    closed_on: date | None
    version: int


def _stored(schema: type[Input], name: str) -> type[Input]:
    """A register entry as it is read back: the fields it was made from, then its id, its task
    force and its version."""
    return create_model(
        name,
        __base__=schema,
        __module__=__name__,
        __cls_kwargs__=Output.model_config,
        id=(int, ...),
        taskforce_id=(int, ...),
        version=(int, ...),
    )


class BenefitIn(Input):
    benefit: Annotated[Text(2000), Field(min_length=1)]
    measure: Line(300)
    baseline: Line(100, min_length=0) = ""
    target: Line(100, min_length=0) = ""
    realised: Line(100, min_length=0) = Field(default="", description="Realised to date")
    owner: Line(200, min_length=0) = ""


BenefitOut = _stored(BenefitIn, "BenefitOut")


class MilestoneIn(Input):
    activity: Annotated[Text(2000), Field(min_length=1)]
    starts_on: Day | None = None
    ends_on: Day
    status: Literal["not_started", "on_track", "at_risk", "late", "complete"] = "not_started"
    owner: Line(200, min_length=0) = ""


MilestoneOut = _stored(MilestoneIn, "MilestoneOut")


class DecisionIn(Input):
    decided_on: Day
    text: Annotated[Text(5000), Field(min_length=1)]
    meeting_id: Id | None = None


DecisionOut = _stored(DecisionIn, "DecisionOut")


REGISTER_SCHEMAS = {
    "benefits": (BenefitIn, BenefitOut, changes_to(BenefitIn, "BenefitChange")),
    "milestones": (
        MilestoneIn,
        MilestoneOut,
        changes_to(MilestoneIn, "MilestoneChange", nullable=("starts_on",)),
    ),
    "decisions": (
        DecisionIn,
        DecisionOut,
        changes_to(DecisionIn, "DecisionChange", nullable=("meeting_id",)),
    ),
}
