"""The JSON shapes of meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt

from taskforce.bodies.models import CADENCE_MAX, CADENCE_MIN
from taskforce.meetings.models import DEPUTY_NAME_MAX, LOCATION_MAX, REASON_MAX, TITLE_MAX
from taskforce.meetings.services import COUNT_MAX, DURATION_MAX, DURATION_MIN
from taskforce.schemas import Input, Line, Output, Text


def _with_time(value):
    # "2027-01-12" would otherwise be read as a meeting at midnight.
    if isinstance(value, str) and len(value.strip()) <= 10:
        raise ValueError("Give a date and time, like 2027-01-12T10:00:00")
    return value


Moment = Annotated[datetime, BeforeValidator(_with_time)]


class ScheduleIn(Input):
    first_start: Moment = Field(description="Naive means UK time (Europe/London)")
    count: StrictInt = Field(ge=1, le=COUNT_MAX)
    duration_minutes: int = Field(90, ge=DURATION_MIN, le=DURATION_MAX)
    location: Line(LOCATION_MAX, min_length=0) = ""
    cadence_weeks: int | None = Field(None, ge=CADENCE_MIN, le=CADENCE_MAX)
    record_history: StrictBool = Field(False, description="Allow a first meeting in the past")


class MeetingChange(Input):
    start: Moment | None = None
    duration_minutes: int | None = Field(None, ge=DURATION_MIN, le=DURATION_MAX)
    location: Line(LOCATION_MAX, min_length=0) | None = None
    title: Line(TITLE_MAX) | None = None
    version: int | None = None


class CancelIn(Input):
    reason: Text(REASON_MAX) = ""


class CycleMilestoneOut(Output):
    kind: str
    due_on: date


class MeetingOut(Output):
    id: int
    taskforce_id: int
    number: int
    title: str
    start: datetime
    end: datetime
    location: str
    status: Literal["scheduled", "held", "cancelled"]
    sequence: int
    version: int
    invites_sent: bool
    milestones: list[CycleMilestoneOut]
    warnings: list[str] = []

    @classmethod
    def of(cls, meeting, invites=None) -> MeetingOut:
        """The meeting; `invites` (what a change sent) adds a warning of addresses skipped."""
        from taskforce.meetings.services import local, milestones, non_working_warning

        warnings = [non_working_warning(meeting), invites and invites.skipped_sentence()]
        return cls(
            id=meeting.id,
            taskforce_id=meeting.taskforce_id,
            number=meeting.number,
            title=meeting.title,
            start=local(meeting.start_at),
            end=local(meeting.end_at),
            location=meeting.location,
            status=meeting.status,
            sequence=meeting.sequence,
            version=meeting.version,
            invites_sent=meeting.invites_sent_at is not None,
            milestones=[
                CycleMilestoneOut(kind=m.kind, due_on=m.due_on) for m in milestones(meeting)
            ],
            warnings=[w for w in warnings if w],
        )


class MeetingList(Output):
    items: list[MeetingOut]


class AttendanceIn(Input):
    member_id: int
    status: Literal["attended", "apologies", "deputy", "absent"]
    deputy_name: Line(DEPUTY_NAME_MAX, min_length=0) = ""


class AttendanceOut(Output):
    member_id: int
    name: str
    status: str
    deputy_name: str


class AttendanceResult(Output):
    quorate: bool
    present: int
    quorum: int | None
    status: str
    attendance: list[AttendanceOut]
