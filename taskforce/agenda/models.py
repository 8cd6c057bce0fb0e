"""A meeting's agenda: its items in order, each item's paper and the paper's versions.

The agenda of a meeting is its items (`AgendaItem`, in `position` order) and a few facts
about the whole (`Agenda`): when the chair agreed it and whether it changed since, and
whether the pack has been issued. A paper (`Paper`) belongs to one item; every file or
Markdown text it has had is a `PaperVersion`, the newest being the current one, so nothing
a paper lead sent is ever overwritten. Files live in taskforce.storage, named by SHA-256.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from taskforce.bodies.models import Member, TaskForce
from taskforce.db import Versioned, utcnow
from taskforce.extensions import db
from taskforce.meetings.models import Meeting

TITLE_MAX = 200
LEAD_MAX = 120
#: An item lasts at least a minute and at most a long working day.
DURATION_MIN, DURATION_MAX = 1, 8 * 60
#: Items on one agenda: a real one has a dozen at most.
ITEMS_MAX = 50
#: Characters in a paper written in Markdown (a long paper is a few thousand words).
MARKDOWN_MAX = 100_000
FILENAME_MAX = 255


class Purpose(enum.StrEnum):
    """What the meeting is asked to do with an item."""

    DECISION = "decision"
    DISCUSSION = "discussion"
    INFORMATION = "information"

    @property
    def label(self) -> str:
        return f"For {self.value}"


class PaperKind(enum.StrEnum):
    MARKDOWN = "markdown"
    DOCX = "docx"
    PDF = "pdf"

    @property
    def label(self) -> str:
        return {"markdown": "Written here", "docx": "Word document", "pdf": "PDF"}[self.value]


class PaperStatus(enum.StrEnum):
    """Where a paper stands; "late" is derived from the due date, never stored."""

    NONE = "none"
    COMMISSIONED = "commissioned"
    RECEIVED = "received"
    LATE = "late"

    @property
    def label(self) -> str:
        return {
            "none": "Not commissioned",
            "commissioned": "Commissioned",
            "received": "Received",
            "late": "Late",
        }[self.value]


def _check_in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Agenda(db.Model):
    """Facts about a meeting's agenda as a whole; a meeting without a row has none yet."""

    __tablename__ = "agendas"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    #: When the chair agreed the agenda, as the secretariat recorded it, and who those were.
    agreed_at: Mapped[datetime | None]
    agreed_with: Mapped[str] = mapped_column(String(255), default="")
    agreed_recorded_by: Mapped[str] = mapped_column(String(255), default="")
    #: The first change to the agenda after the chair agreed it; cleared by agreeing again.
    changed_after_agreement_at: Mapped[datetime | None]
    #: When the pack was issued: from then on paper leads' links stop taking uploads. The
    #: pack's own issue sets it (agenda.services.mark_pack_issued).
    pack_issued_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()


#: Who may see a restricted item's paper besides the secretariat.
item_recipients = Table(
    "agenda_item_recipients",
    db.metadata,
    Column("agenda_item_id", ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id"), primary_key=True, index=True),
)


class AgendaItem(Versioned, db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint(_check_in("purpose", Purpose), name="purpose_known"),
        CheckConstraint(
            f"duration_minutes BETWEEN {DURATION_MIN} AND {DURATION_MAX}", name="duration_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: Order on the agenda, from 1; the item's number is its place in that order.
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    #: The member who leads the item, if it is one; lead_name is kept either way.
    lead_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    lead_name: Mapped[str] = mapped_column(String(LEAD_MAX), default="")
    purpose: Mapped[str] = mapped_column(String(12), default=Purpose.DISCUSSION.value)
    duration_minutes: Mapped[int]
    #: Came from the task force's standing items when the meeting was scheduled.
    is_standing: Mapped[bool] = mapped_column(default=False)
    #: Its paper is seen only by the secretariat and the members in `recipients`.
    restricted: Mapped[bool] = mapped_column(default=False)
    #: The meeting it was carried over from, if it was.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id])
    carried_from: Mapped[Meeting | None] = relationship(foreign_keys=[carried_from_id])
    lead_member: Mapped[Member | None] = relationship()
    recipients: Mapped[list[Member]] = relationship(
        secondary=item_recipients, order_by="Member.name"
    )
    paper: Mapped[Paper | None] = relationship(back_populates="item", uselist=False)

    @property
    def taskforce_id(self) -> int:
        return self.meeting.taskforce_id

    @property
    def purpose_label(self) -> str:
        return Purpose(self.purpose).label


class Paper(db.Model):
    """An item's paper: its reference, who was asked for it and by when, and its versions."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), unique=True)
    #: SW-3/P02: fixed when first given, so that the agenda and minutes can cite it.
    reference: Mapped[str] = mapped_column(String(40))
    paper_lead_email: Mapped[str] = mapped_column(String(254), default="")
    commissioned_at: Mapped[datetime | None]
    commissioned_by: Mapped[str] = mapped_column(String(255), default="")
    due_on: Mapped[date | None]
    #: The days the reminder and the chase went out (each at most once per due date).
    reminded_on: Mapped[date | None]
    chased_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="paper")
    versions: Mapped[list[PaperVersion]] = relationship(
        back_populates="paper", order_by="PaperVersion.number"
    )

    @property
    def current(self) -> PaperVersion | None:
        return self.versions[-1] if self.versions else None


class PaperVersion(db.Model):
    """One version of a paper: a file in storage, or Markdown written in the product."""

    __tablename__ = "paper_versions"
    __table_args__ = (
        CheckConstraint(_check_in("kind", PaperKind), name="kind_known"),
        CheckConstraint(
            "(kind = 'markdown') = (markdown IS NOT NULL) AND "
            "(kind = 'markdown') = (sha256 IS NULL)",
            name="content_matches_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    markdown: Mapped[str | None] = mapped_column(Text)
    #: The file's content in storage (taskforce.storage), for .docx and .pdf.
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX), default="")
    size: Mapped[int] = mapped_column(default=0)
    page_count: Mapped[int | None]
    word_count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who sent it (a user's name, or the paper lead's address) and how.
    created_by: Mapped[str] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(20))

    paper: Mapped[Paper] = relationship(back_populates="versions")


#: The paper an emailed upload link reaches, and no other.
paper_links = Table(
    "paper_links",
    db.metadata,
    Column("link_id", ForeignKey("access_links.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", ForeignKey("papers.id", ondelete="CASCADE"), nullable=False, index=True),
)


class StandingItems(db.Model):
    """A task force's own standing items; without a row, DEFAULT_STANDING_ITEMS."""

    __tablename__ = "standing_items"

    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), primary_key=True)
    #: [{"title", "duration_minutes", "purpose"}, ...] in agenda order.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    taskforce: Mapped[TaskForce] = relationship()


#: Every new meeting's agenda starts with these unless the task force has its own.
DEFAULT_STANDING_ITEMS: list[dict[str, Any]] = [
    {"title": "Welcome and apologies", "duration_minutes": 5, "purpose": "information"},
    {
        "title": "Minutes and actions of the last meeting",
        "duration_minutes": 10,
        "purpose": "decision",
    },
    {"title": "Performance report", "duration_minutes": 20, "purpose": "discussion"},
    {"title": "Any other business", "duration_minutes": 5, "purpose": "information"},
]


def standing_items_for(session: Session, taskforce_id: int) -> list[dict[str, Any]]:
    """The task force's standing items, or the defaults if it has not set its own."""
    row = session.get(StandingItems, taskforce_id)
    return [dict(i) for i in (row.items if row is not None else DEFAULT_STANDING_ITEMS)]


def start_agenda(session: Session, meeting: Meeting) -> list[AgendaItem]:
    """Give a new meeting its task force's standing items."""
    taskforce_id = meeting.taskforce.id if meeting.taskforce else meeting.taskforce_id
    items = [
        AgendaItem(
            meeting=meeting,
            position=position,
            title=entry["title"],
            purpose=entry.get("purpose") or Purpose.INFORMATION.value,
            duration_minutes=entry["duration_minutes"],
            is_standing=True,
        )
        for position, entry in enumerate(standing_items_for(session, taskforce_id), start=1)
    ]
    session.add_all(items)
    return items


@event.listens_for(Session, "before_flush")
def _start_new_agendas(session: Session, _context, _instances) -> None:
    """Every meeting, however it is scheduled (page, API, demo), is first saved with its
    agenda started: the task force's standing items."""
    new_meetings = [obj for obj in session.new if isinstance(obj, Meeting)]
    if new_meetings:
        with session.no_autoflush:
            for meeting in new_meetings:
                start_agenda(session, meeting)
