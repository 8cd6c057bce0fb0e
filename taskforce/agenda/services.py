"""Build a meeting's agenda and keep its papers: the work behind the web pages, the API and
the demo alike. Services flush; the request (or command) commits once.

- Items are kept in `position` order; an item's number is its place. Start times are worked
  out from the meeting's start and the durations, never stored; an agenda that runs past the
  meeting's end is a warning, not a refusal.
- A new meeting's agenda starts with its task force's standing items (start_agenda, called
  for each meeting as it is first saved: see agenda.models).
- Any change to the items after the chair agreed the agenda is marked, and shown, until the
  chair agrees it again.
- A paper's reference (SW-3/P02) is given when the item first has a paper (written,
  uploaded or commissioned), from a counter per meeting, and never changes after: the
  agenda, the minutes and emails cite it. Reordering the items does not renumber papers,
  and an item carried over to the next meeting keeps its paper and its reference.
- Every Markdown text or file a paper has had is kept as a version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from taskforce import numbering
from taskforce.agenda import files, models
from taskforce.agenda.lead_links import extend_links, withdraw_links
from taskforce.agenda.models import (
    DURATION_MAX,
    DURATION_MIN,
    ITEMS_MAX,
    LEAD_MAX,
    MARKDOWN_MAX,
    TITLE_MAX,
    Agenda,
    AgendaItem,
    Paper,
    PaperKind,
    PaperStatus,
    PaperVersion,
    Purpose,
    StandingItems,
)
from taskforce.audit.services import Actor, record
from taskforce.auth import permissions
from taskforce.auth.models import User
from taskforce.bodies.models import Member, TaskForce
from taskforce.clock import today as service_today
from taskforce.db import utcnow
from taskforce.errors import Conflict, ServiceError, ValidationError, check_version
from taskforce.extensions import db
from taskforce.formatting import local
from taskforce.markdown import markdown_problem
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.meetings.services import milestones
from taskforce.storage import get_storage
from taskforce.text import (
    address_problem,
    multi_line_problem,
    normalise_newlines,
    one_line_problem,
)

#: Standing items a task force may keep.
STANDING_MAX = 12
FIELDS = ("title", "lead_name", "lead_member_id", "purpose", "duration_minutes", "restricted")


class TooLarge(ServiceError):
    """A file over the size limit: 413, as the web server's own limit answers."""

    status = 413
    code = "too_large"


# --- Reading the agenda ------------------------------------------------------------------


@dataclass(frozen=True)
class TimedItem:
    item: AgendaItem
    number: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Timing:
    items: list[TimedItem]
    total_minutes: int
    meeting_minutes: int
    ends_at: datetime

    @property
    def over_by(self) -> int:
        return max(0, self.total_minutes - self.meeting_minutes)

    def warning(self) -> str | None:
        if not self.over_by:
            return None
        return (
            f"The agenda runs {_minutes(self.total_minutes)}, {_minutes(self.over_by)} longer "
            f"than the meeting's {_minutes(self.meeting_minutes)}: it would end at "
            f"{local(self.ends_at):%H:%M}. Shorten or carry over an item."
        )


def _minutes(count: int) -> str:
    hours, minutes = divmod(count, 60)
    parts = ([f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []) + (
        [f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes or not hours else []
    )
    return " ".join(parts)


def items_of(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda items, in order."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def timing(meeting: Meeting, items: list[AgendaItem] | None = None) -> Timing:
    """Number each item and work out its start and end from the meeting's start."""
    items = items_of(meeting) if items is None else items
    moment = meeting.start_at
    timed = []
    for number, item in enumerate(items, start=1):
        end = moment + timedelta(minutes=item.duration_minutes)
        timed.append(TimedItem(item, number, moment, end))
        moment = end
    total = sum(i.duration_minutes for i in items)
    return Timing(timed, total, meeting.duration_minutes, moment)


def agenda_of(meeting: Meeting) -> Agenda | None:
    return db.session.get(Agenda, meeting.id)


def _agenda_for_change(meeting: Meeting) -> Agenda:
    agenda = agenda_of(meeting)
    if agenda is None:
        agenda = Agenda(meeting_id=meeting.id)
        db.session.add(agenda)
    return agenda


def agenda_agreed(meeting: Meeting) -> Agenda | None:
    """The meeting's agenda facts if the chair has agreed the agenda, else None. Whether it
    changed since is `changed_after_agreement_at`."""
    agenda = agenda_of(meeting)
    return agenda if agenda is not None and agenda.agreed_at is not None else None


def pack_issued(meeting: Meeting) -> bool:
    """True once the meeting's pack has been issued: paper leads' links stop taking papers."""
    agenda = agenda_of(meeting)
    return agenda is not None and agenda.pack_issued_at is not None


def mark_pack_issued(meeting: Meeting, actor: Actor, at: datetime | None = None) -> None:
    """Record that the pack went out (the pack's issue calls this)."""
    agenda = _agenda_for_change(meeting)
    if agenda.pack_issued_at is None:
        agenda.pack_issued_at = at or utcnow()
        db.session.flush()
        record(
            actor,
            "agenda.pack_issued",
            meeting,
            taskforce_id=meeting.taskforce_id,
            summary=f"Pack issued for meeting {meeting.number}: paper uploads closed",
        )


# --- Standing items ------------------------------------------------------------------------


def standing_items_for(tf: TaskForce) -> list[dict[str, Any]]:
    """The task force's standing items (its own, or the defaults), in agenda order."""
    return models.standing_items_for(db.session, tf.id)


def set_standing_items(tf: TaskForce, items: list[dict[str, Any]], actor: Actor) -> None:
    """Replace the task force's standing items (for meetings scheduled from now on)."""
    if len(items) > STANDING_MAX:
        raise ValidationError.single("items", f"Keep at most {STANDING_MAX} standing items")
    errors: dict[str, list[str]] = {}
    clean = []
    for index, entry in enumerate(items):
        problems = _item_problems(entry, prefix=f"items.{index}.")
        errors.update(problems)
        clean.append(
            {
                "title": entry.get("title", ""),
                "duration_minutes": entry.get("duration_minutes"),
                "purpose": entry.get("purpose") or Purpose.INFORMATION.value,
            }
        )
    if errors:
        raise ValidationError(errors)
    row = db.session.get(StandingItems, tf.id)
    before = standing_items_for(tf)
    if row is None:
        row = StandingItems(taskforce_id=tf.id, items=clean)
        db.session.add(row)
    else:
        row.items = clean
    db.session.flush()
    record(
        actor,
        "agenda.standing_items",
        tf,
        taskforce_id=tf.id,
        changes={"items": [before, clean]},
        summary=f"Set {len(clean)} standing agenda items",
    )


# --- Checking input --------------------------------------------------------------------------


def _item_problems(data: dict[str, Any], prefix: str = "", partial: bool = False) -> dict:
    errors: dict[str, list[str]] = {}

    def check(name: str, required: bool = True) -> bool:
        return name in data or (required and not partial)

    if check("title"):
        title = data.get("title") or ""
        if not title.strip():
            errors[prefix + "title"] = ["Enter the item's title"]
        elif len(title) > TITLE_MAX:
            errors[prefix + "title"] = [f"The title must be {TITLE_MAX} characters or fewer"]
        elif problem := one_line_problem(title):
            errors[prefix + "title"] = [f"The title {problem}"]
    if check("duration_minutes"):
        duration = data.get("duration_minutes")
        if not isinstance(duration, int) or isinstance(duration, bool):
            errors[prefix + "duration_minutes"] = ["Enter how many minutes the item takes"]
        elif not DURATION_MIN <= duration <= DURATION_MAX:
            errors[prefix + "duration_minutes"] = [
                f"An item takes from {DURATION_MIN} minute to {DURATION_MAX // 60} hours "
                f"({DURATION_MAX} minutes)"
            ]
    if "purpose" in data and data["purpose"] not in {p.value for p in Purpose}:
        errors[prefix + "purpose"] = ["Choose for decision, for discussion or for information"]
    if "lead_name" in data:
        lead = data.get("lead_name") or ""
        if len(lead) > LEAD_MAX:
            errors[prefix + "lead"] = [f"The lead's name must be {LEAD_MAX} characters or fewer"]
        elif problem := one_line_problem(lead):
            errors[prefix + "lead"] = [f"The lead's name {problem}"]
    return errors


def _member_of(tf: TaskForce, member_id: int | None, field: str) -> Member | None:
    if member_id is None:
        return None
    member = next((m for m in tf.members if m.id == member_id), None)
    if member is None:
        raise ValidationError.single(field, f"{member_id} is not a member of this task force")
    return member


def _recipients(tf: TaskForce, ids: list[int]) -> list[Member]:
    members = {m.id: m for m in tf.members}
    errors = {}
    seen = Counter(ids)
    for index, member_id in enumerate(ids):
        if member_id not in members:
            errors[f"restricted_to.{index}"] = [f"{member_id} is not a member of this task force"]
        elif seen[member_id] > 1:
            errors[f"restricted_to.{index}"] = ["This member is named twice"]
    if errors:
        raise ValidationError(errors)
    return [members[i] for i in dict.fromkeys(ids)]


def check_markdown(text: str | None) -> str:
    """A paper's Markdown as it will be kept, or a refusal naming the limit it breaks."""
    text = normalise_newlines(text or "")
    if len(text) > MARKDOWN_MAX:
        raise ValidationError.single(
            "paper", f"A paper written here can be at most {MARKDOWN_MAX:,} characters"
        )
    if problem := multi_line_problem(text):
        raise ValidationError.single("paper", f"The paper {problem}")
    if problem := markdown_problem(text):
        raise ValidationError.single("paper", problem)
    return text


def check_lead_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    if email and ("@" not in email or len(email) > 254 or one_line_problem(email)):
        raise ValidationError.single(
            "paper_lead_email",
            "Enter an email address in the correct format, like name@example.gov.uk",
        )
    if problem := address_problem(email):
        raise ValidationError.single("paper_lead_email", problem)
    return email


def _check_editable(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(
            f"Meeting {meeting.number} is cancelled: its agenda cannot change. "
            "Carry its items over to the next meeting instead."
        )


# --- Changing items --------------------------------------------------------------------------


def _changed(meeting: Meeting, actor: Actor, what: str, changes: dict | None = None) -> None:
    """Note a change to the agenda, and that it came after the chair agreed it."""
    agenda = agenda_of(meeting)
    if agenda is not None and agenda.agreed_at and not agenda.changed_after_agreement_at:
        agenda.changed_after_agreement_at = utcnow()
    db.session.flush()
    record(
        actor,
        "agenda.changed",
        meeting,
        taskforce_id=meeting.taskforce_id,
        changes=changes,
        summary=f"Agenda of meeting {meeting.number}: {what}",
    )


def add_item(meeting: Meeting, data: dict[str, Any], actor: Actor) -> AgendaItem:
    """Add an item at the end of the agenda, with its paper if one is given."""
    _check_editable(meeting)
    data = {"purpose": Purpose.DISCUSSION.value, **{k: v for k, v in data.items() if v is not None}}
    errors = _item_problems(data)
    if errors:
        raise ValidationError(errors)
    tf = meeting.taskforce
    lead_member = _member_of(tf, data.get("lead_member_id"), "lead_member_id")
    recipients = _recipients(tf, data.get("restricted_to") or [])
    markdown = check_markdown(data["paper"]) if data.get("paper") else None
    lead_email = check_lead_email(data.get("paper_lead_email"))
    count = db.session.scalar(
        select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    )
    if count >= ITEMS_MAX:
        raise Conflict(f"An agenda can have at most {ITEMS_MAX} items")
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    item = AgendaItem(
        meeting=meeting,
        position=(last or 0) + 1,
        title=data["title"].strip(),
        lead_member=lead_member,
        lead_name=lead_member.name if lead_member else (data.get("lead_name") or "").strip(),
        purpose=data["purpose"],
        duration_minutes=data["duration_minutes"],
        restricted=bool(data.get("restricted")),
        recipients=recipients if data.get("restricted") else [],
    )
    db.session.add(item)
    db.session.flush()
    if markdown or lead_email:
        paper = ensure_paper(item)
        paper.paper_lead_email = lead_email
        if markdown:
            _add_version(paper, actor, kind=PaperKind.MARKDOWN, markdown=markdown)
    _changed(meeting, actor, f"added “{item.title}”", {"title": [None, item.title]})
    return item


def update_item(
    item: AgendaItem, data: dict[str, Any], actor: Actor, expected_version: int | None = None
) -> None:
    """Change an item; a new Markdown paper becomes a new version of its paper."""
    check_version(item.version, expected_version, "agenda item")
    meeting = item.meeting
    _check_editable(meeting)
    errors = _item_problems(data, partial=True)
    if errors:
        raise ValidationError(errors)
    tf = meeting.taskforce
    changes: dict[str, list] = {}
    if "lead_member_id" in data:
        member = _member_of(tf, data["lead_member_id"], "lead_member_id")
        if member != item.lead_member:
            changes["lead"] = [item.lead_name, member.name if member else ""]
            item.lead_member = member
            if member is not None:
                item.lead_name = member.name
    if "lead_name" in data and item.lead_member is None:
        lead = (data["lead_name"] or "").strip()
        if lead != item.lead_name:
            changes["lead"] = [item.lead_name, lead]
            item.lead_name = lead
    for name in ("title", "purpose", "duration_minutes", "restricted"):
        if name in data and data[name] is not None:
            value = data[name].strip() if isinstance(data[name], str) else data[name]
            if getattr(item, name) != value:
                changes[name] = [getattr(item, name), value]
                setattr(item, name, value)
    if "restricted_to" in data or "restricted" in changes:
        ids = data.get("restricted_to")
        ids = [m.id for m in item.recipients] if ids is None else ids
        members = _recipients(tf, ids) if item.restricted else []
        if {m.id for m in members} != {m.id for m in item.recipients}:
            changes["restricted_to"] = [
                sorted(m.name for m in item.recipients),
                sorted(m.name for m in members),
            ]
            item.recipients = members
    if "paper_lead_email" in data:
        email = check_lead_email(data["paper_lead_email"])
        paper = item.paper or (ensure_paper(item) if email else None)
        if paper is not None and paper.paper_lead_email != email:
            changes["paper_lead_email"] = [paper.paper_lead_email, email]
            paper.paper_lead_email = email
    if data.get("paper"):
        markdown = check_markdown(data["paper"])
        paper = ensure_paper(item)
        current = paper.current
        if current is None or current.kind != PaperKind.MARKDOWN or current.markdown != markdown:
            _add_version(paper, actor, kind=PaperKind.MARKDOWN, markdown=markdown)
            changes["paper"] = ["", f"version {paper.current.number}"]
    if changes:
        _changed(meeting, actor, f"changed “{item.title}”: {', '.join(changes)}", changes)


def delete_item(item: AgendaItem, actor: Actor) -> None:
    """Take an item off the agenda, its paper and versions with it (the files stay stored:
    another paper may share them, and the audit trail says what went)."""
    meeting = item.meeting
    _check_editable(meeting)
    title = item.title
    if item.paper is not None:
        withdraw_links(item.paper)
        for version in item.paper.versions:
            db.session.delete(version)
        db.session.delete(item.paper)
    item.recipients = []
    db.session.delete(item)
    db.session.flush()
    _renumber(meeting)
    _changed(meeting, actor, f"deleted “{title}”", {"title": [title, None]})


def _renumber(meeting: Meeting) -> None:
    for position, item in enumerate(items_of(meeting), start=1):
        item.position = position


def reorder(meeting: Meeting, ids: list[Any], actor: Actor) -> list[AgendaItem]:
    """Put the items in the order given: every item of the agenda exactly once."""
    _check_editable(meeting)
    items = items_of(meeting)
    known = {item.id: item for item in items}
    errors: dict[str, list[str]] = {}
    seen: set = set()
    for index, item_id in enumerate(ids):
        if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id not in known:
            errors[str(index)] = [f"{item_id} is not an item on this agenda"]
        elif item_id in seen:
            errors[str(index)] = [f"Item {item_id} is listed more than once"]
        seen.add(item_id)
    missing = [i for i in known if i not in seen]
    if missing:
        errors["_body"] = [
            "List every item of the agenda exactly once; missing: "
            + ", ".join(str(i) for i in missing)
        ]
    if errors:
        raise ValidationError(errors, "The new order must list every item exactly once")
    before = [item.id for item in items]
    if before == ids:
        return items
    for position, item_id in enumerate(ids, start=1):
        known[item_id].position = position
    _changed(meeting, actor, "reordered the items", {"order": [before, ids]})
    return [known[i] for i in ids]


def move(item: AgendaItem, direction: str, actor: Actor) -> None:
    """Move an item one place up or down."""
    items = items_of(item.meeting)
    ids = [i.id for i in items]
    at = ids.index(item.id)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(ids):
        return
    ids[at], ids[to] = ids[to], ids[at]
    reorder(item.meeting, ids, actor)


def next_meeting(meeting: Meeting) -> Meeting | None:
    """The task force's next scheduled meeting after this one."""
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.taskforce_id == meeting.taskforce_id,
            Meeting.status == MeetingStatus.SCHEDULED.value,
            Meeting.start_at > meeting.start_at,
        )
        .order_by(Meeting.start_at)
        .limit(1)
    )


def carry_over(item: AgendaItem, actor: Actor) -> Meeting:
    """Move an item to the end of the next scheduled meeting's agenda, with its paper and
    reference; it says where it came from. A paper still awaited is due by the new
    meeting's papers deadline."""
    source = item.meeting
    target = next_meeting(source)
    if target is None:
        raise Conflict(
            f"There is no scheduled meeting after meeting {source.number} to carry "
            f"“{item.title}” over to. Schedule one first."
        )
    if pack_issued(target):
        raise Conflict(
            f"The pack for meeting {target.number} has been issued: add the item there by hand "
            "and re-issue the pack."
        )
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == target.id)
    )
    item.meeting = target
    item.meeting_id = target.id
    item.position = (last or 0) + 1
    item.carried_from_id = item.carried_from_id or source.id
    paper = item.paper
    if paper is not None and paper.commissioned_at is not None and paper.current is None:
        paper.due_on = papers_deadline(target)
        extend_links(paper, target)
    db.session.flush()
    _renumber(source)
    _changed(source, actor, f"carried “{item.title}” over to meeting {target.number}")
    _changed(target, actor, f"“{item.title}” carried over from meeting {source.number}")
    return target


# --- Agreement with the chair -------------------------------------------------------------


def record_agreement(meeting: Meeting, actor: Actor) -> Agenda:
    """Record that the chair agreed the agenda as it stands now."""
    _check_editable(meeting)
    agenda = _agenda_for_change(meeting)
    chair = meeting.taskforce.chair
    agenda.agreed_at = utcnow()
    agenda.agreed_with = f"{chair.name}, {chair.role_title}".strip(", ") if chair else "the chair"
    agenda.agreed_recorded_by = actor.label
    agenda.changed_after_agreement_at = None
    db.session.flush()
    record(
        actor,
        "agenda.agreed",
        meeting,
        taskforce_id=meeting.taskforce_id,
        summary=f"Agenda of meeting {meeting.number} agreed with {agenda.agreed_with}",
    )
    return agenda


# --- Papers ------------------------------------------------------------------------------------


def papers_deadline(meeting: Meeting) -> date:
    return next(m.due_on for m in milestones(meeting) if m.kind == "papers_deadline")


def ensure_paper(item: AgendaItem) -> Paper:
    """The item's paper, given its reference now if it has none yet."""
    if item.paper is not None:
        return item.paper
    meeting = item.meeting
    tf = meeting.taskforce
    [number] = numbering.allocate(tf.id, numbering.Series.PAPER, scope=meeting.number)
    paper = Paper(item=item, reference=f"{tf.code}-{meeting.number}/P{number:02d}")
    db.session.add(paper)
    return paper


def _add_version(paper: Paper, actor: Actor, **fields) -> PaperVersion:
    number = (paper.current.number if paper.current else 0) + 1
    if fields.get("kind") == PaperKind.MARKDOWN:
        fields["word_count"] = files.count_words(fields["markdown"])
        fields["size"] = len(fields["markdown"].encode("utf-8"))
    version = PaperVersion(
        paper=paper, number=number, created_by=actor.label[:255], via=actor.via, **fields
    )
    db.session.add(version)
    db.session.flush()
    return version


def write_paper(item: AgendaItem, markdown: str, actor: Actor) -> PaperVersion:
    """Keep a paper written in Markdown as the item's new current version."""
    if not (markdown or "").strip():
        raise ValidationError.single("paper", "Write the paper, or upload it as a file")
    update_item(item, {"paper": markdown}, actor)
    return item.paper.current


def max_paper_bytes(config) -> int:
    return config["PAPER_MAX_MB"] * 1024 * 1024


def upload_paper(
    item: AgendaItem, content: bytes, filename: str, actor: Actor, *, max_bytes: int
) -> PaperVersion:
    """Check an uploaded file by its content, store it and make it the paper's new version.

    The file goes into storage inside the caller's transaction (the database backend), so
    if anything after fails, nothing is left behind.
    """
    if item.meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(f"Meeting {item.meeting.number} is cancelled: it takes no papers")
    if len(content) > max_bytes:
        raise TooLarge(
            f"The file is {len(content) / 1024 / 1024:.1f} MB: a paper can be at most "
            f"{max_bytes // 1024 // 1024} MB. Make it smaller (pictures at a lower "
            "resolution, say) and try again."
        )
    try:
        measured = files.check(content, filename)
    except files.Unacceptable as refusal:
        raise ValidationError.single("file", refusal.message) from None
    paper = ensure_paper(item)
    stored = get_storage().put(content)
    version = _add_version(
        paper,
        actor,
        kind=measured.kind,
        sha256=stored.sha256,
        filename=_clean_filename(filename, measured.kind),
        size=stored.size,
        page_count=measured.page_count,
        word_count=measured.word_count,
    )
    record(
        actor,
        "paper.received",
        item.meeting,
        taskforce_id=item.meeting.taskforce_id,
        changes={"reference": paper.reference, "version": version.number, "sha256": stored.sha256},
        summary=f"{paper.reference} version {version.number} received ({measured.kind})",
    )
    return version


def _clean_filename(filename: str, kind: PaperKind) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())[:200].strip() or f"paper.{kind}"
    return name


def paper_status(paper: Paper | None, today: date | None = None) -> PaperStatus:
    """None, commissioned, received or late (commissioned, nothing received, past its due
    date)."""
    if paper is None:
        return PaperStatus.NONE
    if paper.current is not None:
        return PaperStatus.RECEIVED
    if paper.commissioned_at is None:
        return PaperStatus.NONE
    today = today or service_today()
    if paper.due_on is not None and today > paper.due_on:
        return PaperStatus.LATE
    return PaperStatus.COMMISSIONED


def can_see_paper(user: User, item: AgendaItem) -> bool:
    """A restricted item's paper is for the secretariat and its named recipients only."""
    tf = item.meeting.taskforce
    if permissions.serves(user, tf):
        return True
    if not permissions.can_view(user, tf):
        return False
    if not item.restricted:
        return True
    return any(m.email == user.email for m in item.recipients if m.removed_at is None)


def download_name(paper: Paper, version: PaperVersion) -> str:
    """SW-3-P02.docx: made of the reference alone, so always a safe file name."""
    stem = paper.reference.replace("/", "-")
    suffix = {"docx": ".docx", "pdf": ".pdf", "markdown": ".md"}[version.kind]
    return f"{stem}-v{version.number}{suffix}" if version != paper.current else stem + suffix


MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "markdown": "text/markdown; charset=utf-8",
}


# --- Summaries for other pages -----------------------------------------------------------


@dataclass(frozen=True)
class PapersSummary:
    """How a meeting's papers stand: counts by status."""

    items: int
    counts: dict[str, int]

    @property
    def late(self) -> int:
        return self.counts.get(PaperStatus.LATE, 0)


def papers_summary(meeting: Meeting, today: date | None = None) -> PapersSummary:
    """Counts of the meeting's papers by status (none, commissioned, received, late)."""
    items = items_of(meeting)
    counts = Counter(str(paper_status(i.paper, today)) for i in items)
    return PapersSummary(len(items), dict(counts))


def late_papers_count(meetings: list[Meeting], today: date | None = None) -> dict[int, int]:
    """{meeting id: papers late} for the meetings given, in one query (home page, lists)."""
    if not meetings:
        return {}
    today = today or service_today()
    has_version = select(PaperVersion.id).where(PaperVersion.paper_id == Paper.id).exists()
    rows = db.session.execute(
        select(AgendaItem.meeting_id, func.count())
        .join(Paper, Paper.agenda_item_id == AgendaItem.id)
        .where(
            AgendaItem.meeting_id.in_([m.id for m in meetings]),
            Paper.commissioned_at.is_not(None),
            Paper.due_on < today,
            ~has_version,
        )
        .group_by(AgendaItem.meeting_id)
    )
    counts = {m.id: 0 for m in meetings}
    counts.update({meeting_id: count for meeting_id, count in rows})
    return counts
