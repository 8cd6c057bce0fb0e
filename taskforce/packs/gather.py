"""A meeting's pack as plain data (packs/data.py), gathered from the database.

`gather(meeting, ...)` reads everything the pack shows in a fixed number of queries (not one
per item, action or indicator) and returns the general pack's data, which every attendee
gets: a restricted item stays on the agenda by its title, but its paper, its reference and
any change to it are left out, so nothing in the general pack says the paper exists.
`supplement(gathered, member)` is the data of one named recipient's restricted supplement,
holding the restricted papers that member may see.

Also here: what the secretariat is warned of before issuing (papers missing or late, an
agenda longer than the meeting, restricted papers present), a snapshot of the agenda as the
pack shows it, and the lines saying what changed between two snapshots.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from taskforce import clock
from taskforce.actions.models import OUTSTANDING, Action, ActionUpdate
from taskforce.agenda import services as agenda_services
from taskforce.agenda.models import AgendaItem, PaperStatus
from taskforce.agenda.models import Paper as PaperRow
from taskforce.bodies.models import Member
from taskforce.extensions import db
from taskforce.formatting import local
from taskforce.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from taskforce.packs import data as pack
from taskforce.packs.document import clock as clock_words
from taskforce.packs.document import short_date
from taskforce.packs.models import PackMarking
from taskforce.performance import assessments, charts
from taskforce.performance import services as performance
from taskforce.performance.models import Indicator
from taskforce.registers import services as registers
from taskforce.storage import get_storage

#: Attendance that means the member will not be there: listed under apologies.
AWAY = (AttendanceStatus.APOLOGIES.value, AttendanceStatus.DEPUTY.value)


@dataclass(frozen=True)
class Restricted:
    """A restricted item whose paper is in, and the live members named to receive it."""

    timed: agenda_services.TimedItem
    recipients: tuple[Member, ...]


@dataclass
class Gathered:
    #: The general pack's data.
    data: pack.PackData
    timing: agenda_services.Timing
    restricted: list[Restricted]
    #: The agenda as this pack shows it (see changes_between).
    snapshot: dict[str, Any]
    #: Before issuing: what the secretariat should know (the builder adds its own).
    warnings: list[str] = field(default_factory=list)
    #: Restricted papers' data by agenda item id, for the supplements.
    restricted_papers: dict[int, pack.Paper] = field(default_factory=dict)

    def recipients(self) -> list[tuple[Member, list[pack.Paper]]]:
        """Each named recipient, with the restricted papers they get, in agenda order."""
        found: dict[int, tuple[Member, list[pack.Paper]]] = {}
        for entry in self.restricted:
            for member in entry.recipients:
                paper = self.restricted_papers[entry.timed.item.id]
                found.setdefault(member.id, (member, []))[1].append(paper)
        return sorted(found.values(), key=lambda pair: (pair[0].name, pair[0].id))


def marking_of(taskforce_id: int) -> str:
    """The protective marking the task force's packs carry (OFFICIAL unless it chose)."""
    row = db.session.get(PackMarking, taskforce_id)
    return row.marking if row is not None else pack.MARKINGS[0]


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
            .options(
                selectinload(AgendaItem.paper).selectinload(PaperRow.versions),
                selectinload(AgendaItem.recipients),
            )
        )
    )


def gather(
    meeting: Meeting,
    *,
    version: int,
    issued_on: date | None = None,
    changes: Sequence[str] = (),
    change_note: str = "",
    today: date | None = None,
) -> Gathered:
    """The general pack's data for a meeting, as version `version` (a draft without
    issued_on), with the restricted papers set aside for the supplements."""
    tf = meeting.taskforce
    today = today or issued_on or clock.today()
    timing = agenda_services.timing(meeting, _items(meeting))
    start, end = local(meeting.start_at), local(meeting.end_at)
    cover = pack.Cover(
        taskforce=tf.name,
        meeting_number=meeting.number,
        # A meeting scheduled without a title of its own is called "<task force>: meeting 3",
        # which the cover already says.
        meeting_title=""
        if meeting.title == f"{tf.name}: meeting {meeting.number}"
        else meeting.title,
        meeting_on=start.date(),
        starts_at=start.time(),
        ends_at=end.time(),
        place=meeting.location,
        version=version,
        issued_on=issued_on,
        marking=marking_of(tf.id),
        changes_since=version - 1 if (changes or change_note) and version > 1 else None,
        changes=tuple(changes),
        change_note=change_note,
    )
    attendees, apologies = _people(meeting)
    last, last_actions, outstanding = _actions(meeting, today)
    papers, restricted_papers, restricted = _papers(timing)
    data = pack.PackData(
        cover=cover,
        attendees=attendees,
        apologies=apologies,
        items=tuple(_agenda_item(t) for t in timing.items),
        last_meeting=f"Meeting {last.number} on {short_date(local(last.start_at).date())}"
        if last is not None
        else "",
        last_meeting_actions=last_actions,
        outstanding_actions=outstanding,
        indicators=_indicators(tf.id),
        assessments=_assessments(tf),
        risks=tuple(_risk(r) for r in registers.risks_of(tf)),
        benefits=tuple(
            pack.Benefit(b.benefit, b.measure, b.baseline, b.target, b.realised, b.owner)
            for b in registers.entries(tf, "benefits")
        ),
        milestones=tuple(
            pack.Milestone(m.activity, m.ends_on, m.starts_on, m.status, m.owner)
            for m in registers.entries(tf, "milestones")
        ),
        papers=tuple(papers),
    )
    return Gathered(
        data=data,
        timing=timing,
        restricted=restricted,
        snapshot=snapshot(timing),
        warnings=warnings(timing, restricted, today),
        restricted_papers=restricted_papers,
    )


def supplement(gathered: Gathered, member: Member, papers: Sequence[pack.Paper]) -> pack.PackData:
    """One named recipient's restricted supplement: the cover, and the restricted papers
    they may see."""
    cover = dataclasses.replace(gathered.data.cover, supplement_for=member.name)
    return pack.PackData(cover=cover, papers=tuple(papers))


# --- People -------------------------------------------------------------------------------


def _people(meeting: Meeting) -> tuple[tuple[pack.Attendee, ...], tuple[pack.Apology, ...]]:
    """Every current member, grouped, save those who sent apologies (with their deputies)."""
    away = {
        a.member_id: a
        for a in db.session.scalars(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.status.in_(AWAY)
            )
        )
    }
    members = sorted(meeting.taskforce.members, key=lambda m: (not m.is_chair, m.id))
    attendees = tuple(
        pack.Attendee(m.name, m.role_title, m.organisation, m.group, m.is_chair)
        for m in members
        if m.id not in away
    )
    apologies = tuple(
        pack.Apology(m.name, m.role_title, m.organisation, deputy=away[m.id].deputy_name)
        for m in members
        if m.id in away
    )
    return attendees, apologies


# --- The agenda ---------------------------------------------------------------------------


def _agenda_item(timed: agenda_services.TimedItem) -> pack.AgendaItem:
    item = timed.item
    return pack.AgendaItem(
        number=timed.number,
        title=item.title,
        starts_at=local(timed.start).time(),
        lead=item.lead_name,
        purpose=item.purpose,
        paper_reference=_reference(item),
        minutes=item.duration_minutes,
    )


def _reference(item: AgendaItem) -> str:
    """The paper's reference as the general pack's agenda gives it: none for a restricted
    item (its paper travels in the supplements), "to follow" for one commissioned and not
    yet in."""
    paper = item.paper
    if paper is None or item.restricted:
        return ""
    if paper.current is None:
        return f"{paper.reference} (to follow)" if paper.commissioned_at else ""
    return paper.reference


def _papers(
    timing: agenda_services.Timing,
) -> tuple[list[pack.Paper], dict[int, pack.Paper], list[Restricted]]:
    """The general pack's papers in agenda order; the restricted ones by item id."""
    storage = get_storage()
    general: list[pack.Paper] = []
    set_aside: dict[int, pack.Paper] = {}
    restricted: list[Restricted] = []
    for timed in timing.items:
        item = timed.item
        current = item.paper.current if item.paper is not None else None
        if current is None:
            continue
        if current.kind == "markdown":
            body: pack.MarkdownPaper | pack.DocxPaper | pack.PdfPaper = pack.MarkdownPaper(
                current.markdown or ""
            )
        elif current.kind == "docx":
            body = pack.DocxPaper(current.filename, storage.get(current.sha256))
        else:
            body = pack.PdfPaper(
                current.filename, current.page_count or 0, storage.get(current.sha256)
            )
        paper = pack.Paper(timed.number, item.paper.reference, item.title, body, item.lead_name)
        if item.restricted:
            set_aside[item.id] = paper
            live = tuple(m for m in item.recipients if m.removed_at is None)
            restricted.append(Restricted(timed, live))
        else:
            general.append(paper)
    return general, set_aside, restricted


# --- Actions ------------------------------------------------------------------------------


def last_meeting(meeting: Meeting) -> Meeting | None:
    """The task force's meeting before this one that was not cancelled."""
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.taskforce_id == meeting.taskforce_id,
            Meeting.status != MeetingStatus.CANCELLED.value,
            Meeting.start_at < meeting.start_at,
        )
        .order_by(Meeting.start_at.desc())
        .limit(1)
    )


def _actions(
    meeting: Meeting, today: date
) -> tuple[Meeting | None, tuple[pack.ActionRow, ...], tuple[pack.ActionRow, ...]]:
    """The last meeting, every action it allocated, and every open action from before this
    meeting (from any earlier meeting, or agreed between meetings)."""
    last = last_meeting(meeting)
    earlier = select(Meeting.id).where(
        Meeting.taskforce_id == meeting.taskforce_id, Meeting.start_at < meeting.start_at
    )
    open_before = (Action.status.in_(OUTSTANDING)) & (
        or_(Action.meeting_id.is_(None), Action.meeting_id.in_(earlier))
    )
    wanted = open_before if last is None else or_(open_before, Action.meeting_id == last.id)
    found = list(
        db.session.scalars(
            select(Action)
            .where(Action.taskforce_id == meeting.taskforce_id, wanted)
            .order_by(Action.due_on, Action.meeting_number, Action.number)
        )
    )
    latest: dict[int, str] = {}
    if found:
        rows = db.session.execute(
            select(ActionUpdate.action_id, ActionUpdate.at, ActionUpdate.comment)
            .where(ActionUpdate.action_id.in_([a.id for a in found]), ActionUpdate.comment != "")
            .order_by(ActionUpdate.id)
        )
        for action_id, at, comment in rows:
            latest[action_id] = f"{short_date(local(at).date())}: {comment}"

    def row(action: Action) -> pack.ActionRow:
        return pack.ActionRow(
            reference=action.reference,
            description=action.description,
            owner=action.owner_name,
            organisation=action.owner_organisation,
            due_on=action.due_on,
            status=action.status,
            latest_update=latest.get(action.id, ""),
            days_overdue=(today - action.due_on).days if action.is_overdue(today) else None,
        )

    allocated = tuple(
        row(a)
        for a in sorted(found, key=lambda a: a.number)
        if last is not None and a.meeting_id == last.id
    )
    outstanding = tuple(row(a) for a in found if a.status in OUTSTANDING)
    return last, allocated, outstanding


# --- Performance --------------------------------------------------------------------------


def _indicators(taskforce_id: int) -> tuple[pack.Indicator, ...]:
    """Every indicator on the dashboard, with its series and its chart (drawn now where the
    chart cache does not have it yet)."""
    found = list(
        db.session.scalars(
            performance.indicators_of(taskforce_id)
            .where(Indicator.retired_at.is_(None))
            .order_by(Indicator.id)
        )
    )
    series = [(indicator, performance.series(indicator)) for indicator in found]
    drawn = charts.charts_for([(i, points) for i, points in series if points], "png")
    pngs = iter(drawn)
    result = []
    for indicator, points in series:
        chart = pack.Chart(next(pngs), charts.describe(indicator, points)) if points else None
        result.append(
            pack.Indicator(
                name=indicator.name,
                unit=indicator.unit,
                frequency=indicator.frequency,
                direction=indicator.direction,
                priority=indicator.priority.title if indicator.priority else "",
                series=tuple(
                    pack.SeriesPoint(
                        p.label, p.trajectory, p.actual, p.rag, p.trend, p.variance_pct
                    )
                    for p in points
                ),
                chart=chart,
            )
        )
    return tuple(result)


def _assessments(tf) -> pack.AssessmentGrid | None:
    priorities, dates, cells = assessments.grid(tf)
    if not dates:
        return None
    return pack.AssessmentGrid(
        dates=tuple(dates),
        rows=tuple(
            (
                p.title,
                tuple(
                    cells[(p.id, d)].likelihood_of_delivery if (p.id, d) in cells else None
                    for d in dates
                ),
            )
            for p in priorities
        ),
    )


def _risk(risk) -> pack.Risk:
    return pack.Risk(
        ref=risk.ref,
        description=risk.description,
        likelihood=risk.likelihood,
        impact=risk.impact,
        rating=risk.rating.lower(),
        impact_statement=risk.impact_statement,
        mitigation=risk.mitigation,
        owner=risk.owner,
        review_on=risk.review_on,
        trend=risk.trend,
    )


# --- Before issuing -----------------------------------------------------------------------


def warnings(
    timing: agenda_services.Timing, restricted: list[Restricted], today: date
) -> list[str]:
    """What the secretariat should know before issuing: papers missing or late, an agenda
    longer than the meeting, restricted papers and who gets them."""
    found = []
    if warning := timing.warning():
        found.append(warning)
    for timed in timing.items:
        item, paper = timed.item, timed.item.paper
        status = agenda_services.paper_status(paper, today)
        what = f"item {timed.number}, “{item.title}”"
        if status == PaperStatus.LATE:
            found.append(
                f"Paper {paper.reference} ({what}) is late: it was due {short_date(paper.due_on)} "
                "and has not been received. The pack says it is to follow."
            )
        elif status == PaperStatus.COMMISSIONED:
            due = f", due {short_date(paper.due_on)}" if paper.due_on else ""
            found.append(
                f"Paper {paper.reference} ({what}) has not been received yet{due}. "
                "The pack says it is to follow."
            )
    for entry in restricted:
        item = entry.timed.item
        names = [m.name for m in entry.recipients]
        who = (
            f"{_listed(names)} get{'s' if len(names) == 1 else ''} it in a restricted supplement"
            if names
            else "nobody is named to receive it, so only the secretariat will see it"
        )
        found.append(
            f"Item {entry.timed.number}, “{item.title}”, has a restricted paper "
            f"({item.paper.reference}): it is left out of the general pack, and {who}."
        )
    return found


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- What changed -------------------------------------------------------------------------


def snapshot(timing: agenda_services.Timing) -> dict[str, Any]:
    """The agenda as a pack shows it: each item's number, title, start and paper version."""
    items = []
    for timed in timing.items:
        item, paper = timed.item, timed.item.paper
        current = paper.current if paper is not None else None
        items.append(
            {
                "id": item.id,
                "number": timed.number,
                "title": item.title,
                "start": f"{local(timed.start):%H:%M}",
                "restricted": item.restricted,
                "paper": paper.reference if current is not None else None,
                "paper_version": current.number if current is not None else None,
            }
        )
    return {"items": items}


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed from one snapshot to the next, one line each: items added, removed or
    retimed; papers added or replaced. Lines about a restricted paper are marked so, and
    left out of the general pack and its email."""
    old = {entry["id"]: entry for entry in before.get("items", [])}
    new = {entry["id"]: entry for entry in after.get("items", [])}
    lines: list[dict[str, Any]] = []

    def add(kind: str, text: str, restricted: bool = False) -> None:
        lines.append({"kind": kind, "text": text, "restricted": restricted})

    for entry in after.get("items", []):
        was = old.get(entry["id"])
        title = f"“{entry['title']}”"
        if was is None:
            add("item_added", f"Item {entry['number']} added: {title}")
        elif was["start"] != entry["start"]:
            add(
                "item_retimed",
                f"Item {entry['number']}, {title}, retimed from {_clock(was['start'])} to "
                f"{_clock(entry['start'])}",
            )
        if entry["paper"] is None:
            continue
        if was is None or was.get("paper") is None:
            add("paper_added", f"Paper {entry['paper']} added", entry["restricted"])
        elif was.get("paper_version") != entry["paper_version"]:
            add("paper_replaced", f"Paper {entry['paper']} replaced", entry["restricted"])
    for entry in before.get("items", []):
        if entry["id"] not in new:
            add("item_removed", f"Item {entry['number']} removed: “{entry['title']}”")
    return lines


def _clock(hh_mm: str) -> str:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return clock_words(time(hours, minutes))


def general_lines(changes: list[dict[str, Any]]) -> list[str]:
    """The change lines every attendee may read."""
    return [line["text"] for line in changes if not line.get("restricted")]
