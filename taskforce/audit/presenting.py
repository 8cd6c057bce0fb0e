"""The audit trail as people read it: each change in words, each record linked.

An event stores its changes as plain JSON ({"field": [old, new]}), so dates arrive as ISO
text and statuses as codes. Here they become what the pages say elsewhere: "3 March 2027",
"In progress", "Amber/Red". Rows recorded before history kept only real changes may hold
"none → none" pairs: a change that reads the same on both sides is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from taskforce.actions.ladder import STEP_LABELS
from taskforce.actions.models import Action, ActionStatus
from taskforce.audit.models import AuditEvent
from taskforce.bodies.models import Member, MemberGroup, TaskForce
from taskforce.bodies.services import FIELD_LABELS as TOR_LABELS
from taskforce.extensions import db
from taskforce.formatting import format_date, format_datetime
from taskforce.meetings.cycle import MILESTONE_LABELS
from taskforce.meetings.models import AttendanceStatus, Meeting
from taskforce.performance.models import RATING_NAMES, STAGES, Assessment, Indicator
from taskforce.registers.models import (
    MILESTONE_STATUSES,
    Benefit,
    Decision,
    DeliveryMilestone,
    Risk,
)

#: How each route is said after the person: "Priya Natarajan, on the web".
VIA_WORDS = {
    "web": "on the web",
    "api": "through the API",
    "cli": "on the command line",
    "email_link": "from an emailed link",
    "minutes": "from the minutes",
    "scheduler": "by the scheduler",
    "system": "automatically",
}

#: Field names as the forms label them, where the name alone does not say it.
FIELD_LABELS = {
    **TOR_LABELS,
    "cadence_weeks": "Cadence",
    "status": "Status",
    "due_date": "Due date",
    "proposed_due_date": "Proposed due date",
    "proposed_due": "Proposed due date",
    "description": "Description",
    "comment": "Comment",
    "start": "Start",
    "end": "End",
    "numbers": "Meetings",
    "ref": "Reference",
    "impact_statement": "Impact statement",
    "review_on": "Review date",
    "closed_on": "Closed on",
    "realised": "Realised to date",
    "starts_on": "Start",
    "ends_on": "End",
    "decided_on": "Date",
    "text": "Decision",
    "meeting_id": "Meeting",
    "tolerance_pct": "Tolerance",
    "retired": "Retired",
    "assessed_on": "Assessment date",
    "degree_of_challenge": "Degree of challenge",
    "quality_of_planning": "Quality of planning",
    "capacity_to_drive_progress": "Capacity to drive progress",
    "stage_of_delivery": "Stage of delivery",
    "likelihood_of_delivery": "Likelihood of delivery",
}

_GROUP_ONE = {
    MemberGroup.MINISTER: "Minister",
    MemberGroup.OFFICIAL: "Official",
    MemberGroup.SECRETARIAT: "Secretariat",
    MemberGroup.OTHER: "Other",
}
_CHALLENGE = {"H": "High", "M": "Medium", "L": "Low"}
_DIRECTION = {"up": "Higher is better", "down": "Lower is better"}
_TREND = {"rising": "Rising", "steady": "Steady", "falling": "Falling"}
_ATTENDANCE = {s.value: s.value.capitalize() for s in AttendanceStatus}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
#: Longer text is cut short in the history; the record itself has it whole.
TEXT_SHOWN = 300
#: Text kept whole elsewhere (the purpose's versions): the history says it changed, no more.
REWRITTEN = {"purpose"}


@dataclass(frozen=True)
class Kind:
    """A kind of record the history can be about: its words, and how to reach one."""

    label: str
    plural: str
    model: type
    #: The page of one record (an endpoint and its argument's name), or None.
    endpoint: str | None
    argument: str
    #: What the record is called in a table, e.g. "SW-3/14" or "Risk R03".
    title: Callable[[Any], str]
    #: Whether a record of this kind can still be opened (members are kept when removed).
    alive: Callable[[Any], bool] = lambda record: True
    #: What title needs loaded with the records, so a page costs one query per kind.
    load: tuple = ()


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


KINDS: dict[str, Kind] = {
    "TaskForce": Kind(
        "Task force",
        "Task force and terms of reference",
        TaskForce,
        "bodies.show",
        "taskforce_id",
        lambda tf: "Terms of reference",
    ),
    "Member": Kind(
        "Member",
        "Members",
        Member,
        "bodies.edit_member",
        "member_id",
        lambda m: m.name,
        alive=lambda m: m.removed_at is None,
    ),
    "Meeting": Kind(
        "Meeting",
        "Meetings",
        Meeting,
        "meetings.show",
        "meeting_id",
        lambda m: f"Meeting {m.number}",
    ),
    "Action": Kind("Action", "Actions", Action, "actions.show", "action_id", lambda a: a.reference),
    "Indicator": Kind(
        "Indicator",
        "Indicators",
        Indicator,
        "performance.show",
        "indicator_id",
        lambda i: i.name,
    ),
    "Assessment": Kind(
        "Assessment",
        "Assessments",
        Assessment,
        "performance.edit_assessment",
        "assessment_id",
        lambda a: f"{_shorten(a.priority.title, 50)}, {format_date(a.assessed_on)}",
        load=(selectinload(Assessment.priority),),
    ),
    "Risk": Kind("Risk", "Risks", Risk, "registers.edit_risk", "risk_id", lambda r: r.ref),
    "Benefit": Kind(
        "Benefit",
        "Benefits",
        Benefit,
        "registers.edit_entry",
        "entry_id",
        lambda b: _shorten(b.benefit),
    ),
    "DeliveryMilestone": Kind(
        "Delivery milestone",
        "Delivery milestones",
        DeliveryMilestone,
        "registers.edit_entry",
        "entry_id",
        lambda m: _shorten(m.activity),
    ),
    "Decision": Kind(
        "Decision",
        "Decisions",
        Decision,
        "registers.edit_entry",
        "entry_id",
        lambda d: _shorten(d.text),
    ),
}
_ENTRY_KINDS = {Benefit: "benefits", DeliveryMilestone: "milestones", Decision: "decisions"}
#: Events about several records at once, recorded against the task force: the kind they
#: are about, and the page that lists those records (an endpoint taking taskforce_id).
MANY = {
    "meetings.scheduled": ("Meetings", "meetings.index", "The meetings"),
    "actions.chased": ("Actions", "actions.chasing_page", "Chasing"),
}


def kind_label(subject_type: str) -> str:
    """A kind of record in words: "DeliveryMilestone" is a "Delivery milestone"."""
    kind = KINDS.get(subject_type)
    if kind is not None:
        return kind.label
    return re.sub(r"(?<!^)(?=[A-Z])", " ", subject_type).capitalize()


def kind_plural(subject_type: str) -> str:
    kind = KINDS.get(subject_type)
    return kind.plural if kind is not None else kind_label(subject_type)


@dataclass
class Change:
    """One line of what an event changed: old is None for a value given, not changed."""

    label: str
    new: str
    old: str | None = None
    #: Where the change can be read whole (a purpose's versions, compared).
    href: str | None = None


@dataclass
class Entry:
    """One event as the history table shows it."""

    event: AuditEvent
    who: str
    via: str
    kind: str
    summary: str
    changes: list[Change] = field(default_factory=list)
    #: The record's name, and its page while it still exists.
    record: str | None = None
    href: str | None = None


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    return name[:1].upper() + name[1:].replace("_", " ")


class _Words:
    """Turns one page of events' stored values into words, looking up what they name (the
    meetings that decisions cite) once for the whole page."""

    def __init__(self, events: list[AuditEvent]):
        meeting_ids = {
            value
            for e in events
            for name, pair in (e.changes or {}).items()
            if name == "meeting_id" and isinstance(pair, list)
            for value in pair
            if isinstance(value, int)
        }
        self.meetings: dict[int, int] = {}
        if meeting_ids:
            self.meetings = dict(
                db.session.execute(
                    select(Meeting.id, Meeting.number).where(Meeting.id.in_(meeting_ids))
                ).all()
            )

    def __call__(self, e: AuditEvent, name: str, value: Any) -> str:
        if e.action == "meeting.attendance" and value is None:
            return "not recorded"
        if value is None or value == "" or value == [] or value == {}:
            return "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if e.action == "meeting.attendance":
            return _ATTENDANCE.get(value, str(value))
        if name == "status" and e.subject_type == "Action":
            return action_status(value)
        if name == "status" and e.subject_type == "DeliveryMilestone":
            return MILESTONE_STATUSES.get(value, str(value))
        if name == "group":
            return _known(MemberGroup, value, _GROUP_ONE.__getitem__)
        if name in ("quality_of_planning", "capacity_to_drive_progress", "likelihood_of_delivery"):
            return RATING_NAMES.get(value, str(value))
        if name == "degree_of_challenge":
            return _CHALLENGE.get(value, str(value))
        if name == "stage_of_delivery" and value in STAGES:
            return f"{value} {STAGES[value]}"
        if name == "direction":
            return _DIRECTION.get(value, str(value))
        if name == "frequency":
            return str(value).capitalize()
        if name == "trend":
            return _TREND.get(value, str(value))
        if name == "tolerance_pct":
            return f"{value}%"
        if name == "cadence_weeks":
            return f"every {value} week{'s' if value != 1 else ''}"
        if name == "meeting_id" and isinstance(value, int):
            number = self.meetings.get(value)
            return f"Meeting {number}" if number is not None else "a meeting since removed"
        if name in ("milestone_offsets", "chase_offsets") and isinstance(value, dict):
            labels = MILESTONE_LABELS if name == "milestone_offsets" else STEP_LABELS
            return "; ".join(f"{labels.get(k, k)} {_working_days(v)}" for k, v in value.items())
        if isinstance(value, list):
            return "; ".join(self(e, name, v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{field_label(k)}: {self(e, k, v)}" for k, v in value.items())
        if isinstance(value, str):
            return _text(value)
        return str(value)

    def changes(self, e: AuditEvent) -> list[Change]:
        if e.action.endswith((".created", ".added")):
            return []  # what was made is the record itself; the summary says what it is
        found = []
        for name, value in (e.changes or {}).items():
            label = field_label(name) if e.action != "meeting.attendance" else name
            if name in REWRITTEN:
                href = None
                if e.subject_type == "TaskForce" and e.taskforce_id is not None:
                    href = url_for("bodies.versions", taskforce_id=e.taskforce_id)
                found.append(Change(label, "rewritten", href=href))
                continue
            if isinstance(value, list) and len(value) == 2 and name not in ("numbers",):
                if all(isinstance(v, list) for v in value):
                    if said := _list_change(*value):
                        found.append(Change(label, said))
                    continue
                old, new = (self(e, name, v) for v in value)
                if old != new:  # old rows may hold "none → none"
                    found.append(Change(label, new, old))
            elif value is not None and value != "":
                found.append(Change(label, self(e, name, value)))
        return found


def _list_change(old: list, new: list) -> str:
    """A list that changed (priorities, a trajectory's lines) as what was added and taken
    away, or "reordered"."""
    added = [str(v) for v in new if v not in old]
    removed = [str(v) for v in old if v not in new]
    parts = []
    if added:
        parts.append("added " + "; ".join(_text(v) for v in added))
    if removed:
        parts.append("removed " + "; ".join(_text(v) for v in removed))
    if not parts and old != new:
        parts.append("reordered")
    return ". ".join(p[:1].upper() + p[1:] for p in parts)


def _known(enum_type, value, words: Callable) -> str:
    try:
        return words(enum_type(value))
    except (ValueError, KeyError):
        return str(value)


def _working_days(days: Any) -> str:
    if not isinstance(days, int):
        return str(days)
    n = abs(days)
    return f"{n} working day{'s' if n != 1 else ''} {'before' if days < 0 else 'after'}"


def _text(value: str) -> str:
    if _ISO_DATE.fullmatch(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if _ISO_MOMENT.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        # Stored moments are UTC; one without an offset is read as such.
        return format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    value = " ".join(value.split())
    return value if len(value) <= TEXT_SHOWN else value[: TEXT_SHOWN - 1].rstrip() + "…"


def _records(events: list[AuditEvent]) -> dict[tuple[str, int], Any]:
    """The records a page of events is about, one query per kind of record."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.subject_id is not None and e.subject_type in KINDS:
            wanted.setdefault(e.subject_type, set()).add(e.subject_id)
    found: dict[tuple[str, int], Any] = {}
    for subject_type, ids in wanted.items():
        kind = KINDS[subject_type]
        stmt = select(kind.model).where(kind.model.id.in_(ids)).options(*kind.load)
        for record in db.session.scalars(stmt):
            found[(subject_type, record.id)] = record
    return found


def _link(kind: Kind, record: Any) -> str | None:
    if kind.endpoint is None or not kind.alive(record):
        return None
    arguments = {kind.argument: record.id}
    if kind.model in _ENTRY_KINDS:
        arguments["kind"] = _ENTRY_KINDS[kind.model]
    return url_for(kind.endpoint, **arguments)


def entries(events: Iterable[AuditEvent], *, links: bool = True) -> list[Entry]:
    """Each event in words, with a link to its record while it exists (links=False on the
    record's own page, which needs none)."""
    events = list(events)
    words = _Words(events)
    records = _records(events) if links else {}
    shown = []
    for e in events:
        entry = Entry(
            event=e,
            who=e.actor_label,
            via=VIA_WORDS.get(e.via, e.via),
            kind=kind_label(e.subject_type),
            summary=e.summary,
            changes=words.changes(e),
        )
        record = records.get((e.subject_type, e.subject_id))
        if e.action in MANY and e.taskforce_id is not None:
            entry.kind, endpoint, entry.record = MANY[e.action]
            if links:
                entry.href = url_for(endpoint, taskforce_id=e.taskforce_id)
        elif record is not None:
            kind = KINDS[e.subject_type]
            entry.record = kind.title(record)
            entry.href = _link(kind, record)
        shown.append(entry)
    return shown


def action_status(value: str) -> str:
    """An action's status as a heading says it ("In progress"), whatever the code."""
    return _known(ActionStatus, value, lambda s: s.label)


def register(app) -> None:
    app.add_template_global(entries, "audit_entries")
    app.add_template_global(VIA_WORDS, "via_words")
    app.add_template_filter(action_status, "action_status")
