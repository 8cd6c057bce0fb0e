"""Everything an agenda pack shows, as plain frozen data.

The builder (document.py) reads nothing else: no database, no request, no clock. Whoever
gathers a meeting's pack (the lead's wiring, a test factory, the benchmark) fills these in;
what is left out of them is not in the pack, which is how restricted papers stay out.

Times are UK wall-clock times, already converted; dates are dates. Numbers are Decimals as
stored, formatted by the builder. Words for statuses and ratings come in as the service's
codes ("in_progress", "red", "AG") and the builder turns them into the words readers see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from taskforce.performance.models import RATING_NAMES
from taskforce.registers.models import MILESTONE_STATUSES as MILESTONE_STATUSES

#: The protective markings a pack may carry (Government Security Classifications).
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")
#: Attendee groups, in the order the agenda lists them, with their headings.
GROUPS = {
    "minister": "Ministers",
    "official": "Officials",
    "secretariat": "Secretariat",
    "other": "Others",
}
#: What an agenda item asks of the meeting.
PURPOSES = {
    "decision": "For decision",
    "discussion": "For discussion",
    "information": "For information",
}
#: Action statuses as the secretariat says them.
ACTION_STATUSES = {
    "open": "Open",
    "in_progress": "In progress",
    "complete": "Complete",
    "closed": "Closed",
    "dropped": "Dropped",
}
#: An indicator's RAG, and a risk's rating, in words.
RAGS = {"red": "Red", "amber": "Amber", "green": "Green"}
#: The four-point likelihood-of-delivery scale.
RATINGS = RATING_NAMES
#: Delivery milestone statuses in words are the register's own (MILESTONE_STATUSES, above).


@dataclass(frozen=True)
class Cover:
    """The cover page: which meeting, which version, how it is marked."""

    taskforce: str
    meeting_number: int
    meeting_title: str
    meeting_on: date
    starts_at: time
    ends_at: time | None
    place: str
    version: int
    #: None while the pack is a draft: the cover then says "Draft, not yet issued".
    issued_on: date | None = None
    #: One of MARKINGS; stands on the cover and in every page's header and footer.
    marking: str = "OFFICIAL"
    #: The version the change lines compare with (a re-issue: version - 1).
    changes_since: int | None = None
    #: "Item 3 retimed to 10:40", "Paper SJ-4/2 replaced": one line each.
    changes: tuple[str, ...] = ()
    #: A free note from whoever re-issued the pack.
    change_note: str = ""
    #: Set for a restricted supplement: the named recipient it is for. A supplement holds the
    #: cover, the contents and the restricted papers alone.
    supplement_for: str = ""


@dataclass(frozen=True)
class Attendee:
    name: str
    role_title: str
    organisation: str
    #: One of GROUPS' keys.
    group: str = "official"
    is_chair: bool = False


@dataclass(frozen=True)
class Apology:
    name: str
    role_title: str
    organisation: str
    #: Who attends in their place, if anyone is known yet ("Deputy Director, Skills").
    deputy: str = ""


@dataclass(frozen=True)
class AgendaItem:
    number: int
    title: str
    starts_at: time | None = None
    lead: str = ""
    #: One of PURPOSES' keys, or "" for none (apologies, any other business).
    purpose: str = ""
    #: The paper's reference (SJ-4/2), or "" where the item has no paper.
    paper_reference: str = ""
    minutes: int | None = None


@dataclass(frozen=True)
class ActionRow:
    reference: str
    description: str
    owner: str
    organisation: str
    due_on: date
    #: One of ACTION_STATUSES' keys.
    status: str
    latest_update: str = ""
    #: Days past the due date as of the pack's date; 0 or None when not overdue.
    days_overdue: int | None = None


@dataclass(frozen=True)
class SeriesPoint:
    """One period of an indicator: its trajectory, the actual, and what they mean."""

    label: str
    trajectory: Decimal | None
    actual: Decimal | None
    #: "red", "amber", "green" or None (no actual or no trajectory for that period).
    rag: str | None = None
    #: "improving", "worsening", "steady" or None.
    trend: str | None = None
    variance_pct: Decimal | None = None


@dataclass(frozen=True)
class Chart:
    """A trajectory-against-actual chart, drawn already (taskforce/performance/charts.py)."""

    png: bytes
    #: The chart in words: its alt text and its caption.
    description: str


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str = ""
    frequency: str = "monthly"
    #: "up" where higher is better, "down" where lower is: which side of trajectory is worse.
    direction: str = "up"
    priority: str = ""
    #: Every period with a trajectory value or an actual, in time order.
    series: tuple[SeriesPoint, ...] = ()
    chart: Chart | None = None

    @property
    def latest(self) -> SeriesPoint | None:
        """The latest period with an actual, which the dashboard reports."""
        return next((p for p in reversed(self.series) if p.actual is not None), None)


@dataclass(frozen=True)
class AssessmentGrid:
    """Likelihood of delivery: each priority (row) across assessment dates (columns)."""

    dates: tuple[date, ...]
    #: (priority, one rating per date: "R", "AR", "AG", "G" or None for not assessed).
    rows: tuple[tuple[str, tuple[str | None, ...]], ...]


@dataclass(frozen=True)
class Risk:
    ref: str
    description: str
    likelihood: str
    impact: str
    #: "red", "amber" or "green".
    rating: str
    impact_statement: str = ""
    mitigation: str = ""
    owner: str = ""
    review_on: date | None = None
    trend: str = ""


@dataclass(frozen=True)
class Benefit:
    benefit: str
    measure: str
    baseline: str = ""
    target: str = ""
    realised: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Milestone:
    activity: str
    ends_on: date
    starts_on: date | None = None
    #: One of MILESTONE_STATUSES' keys.
    status: str = "not_started"
    owner: str = ""


@dataclass(frozen=True)
class MarkdownPaper:
    """A paper written in the product, in Markdown."""

    text: str


@dataclass(frozen=True)
class DocxPaper:
    """An uploaded Word paper, merged into the pack."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class PdfPaper:
    """An uploaded PDF paper: named in the Word pack, appended to the PDF edition."""

    filename: str
    page_count: int
    #: The file itself, which the PDF edition appends; the Word pack needs only the name.
    content: bytes = b""


@dataclass(frozen=True)
class Paper:
    item_number: int
    reference: str
    title: str
    body: MarkdownPaper | DocxPaper | PdfPaper
    lead: str = ""


@dataclass(frozen=True)
class PackData:
    """One meeting's pack, whole."""

    cover: Cover
    attendees: tuple[Attendee, ...] = ()
    apologies: tuple[Apology, ...] = ()
    items: tuple[AgendaItem, ...] = ()
    #: How the last meeting is named above its actions ("Meeting 3, 12 March 2027").
    last_meeting: str = ""
    last_meeting_actions: tuple[ActionRow, ...] = ()
    outstanding_actions: tuple[ActionRow, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    assessments: AssessmentGrid | None = None
    #: The whole open risk register; the performance pack shows its red and amber risks.
    risks: tuple[Risk, ...] = ()
    benefits: tuple[Benefit, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    papers: tuple[Paper, ...] = ()
