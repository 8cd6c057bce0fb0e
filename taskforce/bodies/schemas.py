"""The JSON shapes of task forces and members, in and out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints, computed_field

from taskforce.auth.models import EMAIL_MAX
from taskforce.bodies.models import (
    CADENCE_MAX,
    CADENCE_MIN,
    CODE_PATTERN,
    NAME_MAX,
    ORGANISATION_MAX,
    PERSON_NAME_MAX,
    PRIORITIES_MAX,
    PRIORITY_MAX,
    PURPOSE_MAX,
    QUORUM_MAX,
    ROLE_TITLE_MAX,
)
from taskforce.markdown import render_markdown
from taskforce.meetings.cycle import DEFAULT_OFFSETS
from taskforce.schemas import EmailAddress, Input, Line, MarkdownText, Output, Update

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=CODE_PATTERN)]
Group = Literal["minister", "official", "secretariat", "other"]
Email = Annotated[EmailAddress, Field(max_length=EMAIL_MAX)]


def _distinct(titles: list[str]) -> list[str]:
    if len(set(titles)) != len(titles):
        raise ValueError("Each priority must be listed once")
    return titles


Priorities = Annotated[
    list[Line(PRIORITY_MAX)], Field(max_length=PRIORITIES_MAX), AfterValidator(_distinct)
]


#: Working days per milestone; the service checks them against the cycle's rules.
Offsets = dict[str, int] | None


class TaskForceCreate(Input):
    name: Line(NAME_MAX)
    code: Code = Field(description="2 to 8 capital letters, unique; used in action references")
    purpose: MarkdownText(PURPOSE_MAX) = Field("", description="Markdown")
    cadence_weeks: int = Field(6, ge=CADENCE_MIN, le=CADENCE_MAX)
    quorum: int | None = Field(None, ge=1, le=QUORUM_MAX)
    review_on: date | None = None
    priorities: Priorities = Field(default_factory=list)
    milestone_offsets: Offsets = Field(
        None, description='Working days from the meeting, e.g. {"pack_issued": -5}'
    )


class TaskForceUpdate(Update):
    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {"quorum", "review_on", "version", "milestone_offsets"}
    )

    name: Line(NAME_MAX) | None = None
    code: Code | None = None
    purpose: MarkdownText(PURPOSE_MAX) | None = None
    cadence_weeks: int | None = Field(None, ge=CADENCE_MIN, le=CADENCE_MAX)
    quorum: int | None = Field(None, ge=1, le=QUORUM_MAX)
    review_on: date | None = None
    priorities: Priorities | None = None
    milestone_offsets: Offsets = None
    version: int | None = Field(None, description="The version you read; 409 if it has moved on")


class MemberCreate(Input):
    name: Line(PERSON_NAME_MAX)
    email: Email
    role_title: Line(ROLE_TITLE_MAX, min_length=0) = ""
    organisation: Line(ORGANISATION_MAX, min_length=0) = ""
    group: Group = "official"
    is_chair: bool = False
    on_distribution: bool = True


class MemberUpdate(Update):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"version"})

    name: Line(PERSON_NAME_MAX) | None = None
    email: Email | None = None
    role_title: Line(ROLE_TITLE_MAX, min_length=0) | None = None
    organisation: Line(ORGANISATION_MAX, min_length=0) | None = None
    group: Group | None = None
    is_chair: bool | None = None
    on_distribution: bool | None = None
    version: int | None = Field(None, description="The version you read; 409 if it has moved on")


class PersonRef(Output):
    id: int
    name: str


class TaskForceOut(Output):
    id: int
    name: str
    code: str
    purpose: str
    cadence_weeks: int
    quorum: int | None
    review_on: date | None
    priorities: list[str]
    milestone_offsets: dict[str, int]
    chair: PersonRef | None
    member_count: int
    tor_version: int
    version: int
    created_at: datetime
    updated_at: datetime

    @computed_field
    @property
    def purpose_html(self) -> str:
        return str(render_markdown(self.purpose))

    @classmethod
    def of(cls, tf) -> TaskForceOut:
        return cls(
            id=tf.id,
            name=tf.name,
            code=tf.code,
            purpose=tf.purpose,
            cadence_weeks=tf.cadence_weeks,
            quorum=tf.quorum,
            review_on=tf.review_on,
            milestone_offsets={**DEFAULT_OFFSETS, **(tf.milestone_offsets or {})},
            priorities=[p.title for p in tf.priorities],
            chair=PersonRef.model_validate(tf.chair) if tf.chair else None,
            member_count=len(tf.members),
            tor_version=tf.current_tor_number,
            version=tf.version,
            created_at=tf.created_at,
            updated_at=tf.updated_at,
        )


class MemberOut(Output):
    id: int
    taskforce_id: int
    name: str
    email: str
    role_title: str
    organisation: str
    group: Group
    is_chair: bool
    on_distribution: bool
    version: int
    added_at: datetime


class TorVersionOut(Output):
    number: int
    created_at: datetime
    created_by: str = Field(validation_alias="created_by_label")
    via: str
    summary: str
    snapshot: dict


class FieldChange(Output):
    field: str
    from_: str = Field(alias="from")
    to: str


class PurposeLine(Output):
    op: Literal["added", "removed", "same"]
    line: str


class MemberChanges(Output):
    name: str
    changes: list[FieldChange]


class TorComparisonOut(Output):
    """What changed from one version of the terms of reference to another."""

    from_: int = Field(alias="from")
    to: int
    fields: list[FieldChange]
    purpose_diff: list[PurposeLine]
    priorities_added: list[str]
    priorities_removed: list[str]
    members_added: list[dict]
    members_removed: list[dict]
    members_changed: list[MemberChanges]


class AuditEventOut(Output):
    id: int
    at: datetime
    by: str = Field(validation_alias="actor_label")
    via: str
    action: str
    subject_type: str
    subject_id: int | None
    summary: str
    changes: dict


class LinksRevoked(Output):
    revoked: int
