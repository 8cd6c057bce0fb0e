"""The JSON shapes of agendas and papers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, RootModel, StrictBool, StrictInt

from taskforce.agenda.models import (
    DURATION_MAX,
    DURATION_MIN,
    ITEMS_MAX,
    LEAD_MAX,
    MARKDOWN_MAX,
    TITLE_MAX,
)
from taskforce.schemas import Day, EmailAddress, Id, Input, Line, MarkdownText, Output, changes_to

PurposeIn = Literal["decision", "discussion", "information"]
Minutes = Annotated[StrictInt, Field(ge=DURATION_MIN, le=DURATION_MAX)]


class AgendaItemCreate(Input):
    title: Line(TITLE_MAX)
    #: Who leads the item, by name: a member (then give lead_member_id) or anyone else.
    lead: Line(LEAD_MAX, min_length=0) = ""
    lead_member_id: Id | None = Field(
        None, description="The member who leads the item; their name becomes `lead`"
    )
    duration_minutes: Minutes = Field(description="From 1 minute to 8 hours")
    purpose: PurposeIn = "discussion"
    paper: MarkdownText(MARKDOWN_MAX) | None = Field(
        None, description="The paper, written in Markdown"
    )
    paper_lead_email: Annotated[EmailAddress, Field(max_length=254)] | None = None
    restricted: StrictBool = False
    restricted_to: Annotated[list[Id], Field(max_length=200)] = Field(
        default_factory=list,
        description="Members who may see a restricted item's paper, besides the secretariat",
    )


AgendaItemChange = changes_to(
    AgendaItemCreate, "AgendaItemChange", nullable=("lead_member_id", "paper_lead_email")
)


class AgendaOrderIn(RootModel[Annotated[list[Id], Field(max_length=ITEMS_MAX * 2)]]):
    """Every item of the agenda, by id, exactly once, in the new order."""


class CommissionIn(Input):
    paper_lead_email: Annotated[EmailAddress, Field(max_length=254)] | None = Field(
        None, description="The item's paper lead unless given"
    )
    due_on: Day | None = Field(None, description="The papers deadline unless given")


class Commissioned(Output):
    sent: int
    due_on: date
    email: str


class StandingItemIn(Input):
    title: Line(TITLE_MAX)
    duration_minutes: Minutes
    purpose: PurposeIn = "information"


class StandingItemsIn(RootModel[Annotated[list[StandingItemIn], Field(max_length=50)]]):
    """The task force's standing items, in agenda order: they replace the current ones."""


class StandingItemOut(Output):
    title: str
    duration_minutes: int
    purpose: str


class StandingItemsOut(Output):
    items: list[StandingItemOut]


class MeetingRef(Output):
    meeting_id: int
    number: int


class PaperOut(Output):
    reference: str
    kind: Literal["markdown", "docx", "pdf"] | None
    status: Literal["none", "commissioned", "received", "late"]
    due_on: date | None
    paper_lead_email: str | None = None
    commissioned_at: datetime | None = None
    received_at: datetime | None = None
    received_by: str | None = None
    version: int | None = None
    filename: str | None = None
    size: int | None = None
    page_count: int | None = None
    word_count: int | None = None


class AgendaItemOut(Output):
    id: int
    meeting_id: int
    number: int
    title: str
    lead: str
    lead_member_id: int | None
    purpose: str
    duration_minutes: int
    start: datetime
    end: datetime
    standing: bool
    restricted: bool
    #: Only for those who may see the paper; null for others.
    restricted_to: list[int] | None
    carried_from: MeetingRef | None
    version: int
    paper: PaperOut | None


class AgendaItemList(Output):
    items: list[AgendaItemOut]
    next: None = None
    total_minutes: int
    meeting_minutes: int
    warnings: list[str] = []


class AgendaOut(Output):
    meeting_id: int
    agreed_at: datetime | None
    agreed_with: str | None
    agreed_recorded_by: str | None
    changed_after_agreement_at: datetime | None
    pack_issued_at: datetime | None


class PaperRow(Output):
    agenda_item_id: int
    number: int
    title: str
    restricted: bool
    reference: str | None
    status: Literal["none", "commissioned", "received", "late"]
    kind: Literal["markdown", "docx", "pdf"] | None
    paper_lead_email: str | None
    due_on: date | None
    commissioned_at: datetime | None
    received_at: datetime | None
    received_by: str | None
    reminded_on: date | None
    chased_on: date | None


class PapersView(Output):
    items: list[PaperRow]
    counts: dict[str, int]
    late: int
