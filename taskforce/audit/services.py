"""Record changes in the audit trail. Every service that changes data calls record()."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from taskforce.audit.models import VIAS, AuditEvent
from taskforce.auth.models import User
from taskforce.extensions import db


@dataclass(frozen=True)
class Actor:
    """Who is acting and through which route: passed to every service that changes data."""

    user: User | None
    via: str
    label_override: str | None = None

    def __post_init__(self):
        if self.via not in VIAS:
            raise ValueError(f"unknown route {self.via!r}")

    @property
    def label(self) -> str:
        if self.label_override:
            return self.label_override
        if self.user is not None:
            return self.user.name
        return self.via

    @classmethod
    def system(cls, via: str = "system", label: str | None = None) -> Actor:
        return cls(user=None, via=via, label_override=label)


def jsonable(value: Any) -> Any:
    """Make a value fit for a JSON column: dates become ISO strings."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def comparable(value: Any) -> Any:
    """A value as a change is judged: every kind of empty is one, 5.00 is 5, an enum is its
    value and a line break is a line break however it was typed."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int | float):
        return Decimal(str(value)).normalize()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def same(old: Any, new: Any) -> bool:
    """Whether new says what old says: saving it would change nothing a reader could see."""
    return comparable(old) == comparable(new)


def apply_changes(subject: Any, data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list]:
    """Set each of fields that data holds and that really differs (see same); return
    {field: [old, new]} for those alone, so that history records only real changes."""
    changes: dict[str, list] = {}
    for name in fields:
        if name in data and not same(getattr(subject, name), data[name]):
            changes[name] = [getattr(subject, name), data[name]]
            setattr(subject, name, data[name])
    return changes


def record(
    actor: Actor,
    action: str,
    subject: Any,
    *,
    taskforce_id: int | None = None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEvent:
    """Add one audit event for a change; the caller's transaction commits it."""
    event = AuditEvent(
        actor_id=actor.user.id if actor.user is not None else None,
        actor_label=actor.label[:255],
        via=actor.via,
        action=action,
        subject_type=type(subject).__name__,
        subject_id=getattr(subject, "id", None),
        taskforce_id=taskforce_id,
        changes=jsonable(changes or {}),
        summary=summary[:500],
    )
    db.session.add(event)
    return event


def record_changes(
    actor: Actor, action: str, subject: Any, changes: dict[str, Any], *, summary: str
) -> None:
    """Flush a change to one of a task force's records and put it in the audit trail, which
    keeps every old value. A change that changed nothing records nothing."""
    if changes:
        db.session.flush()
        record(
            actor,
            action,
            subject,
            taskforce_id=subject.taskforce_id,
            changes=changes,
            summary=summary,
        )


#: Events on one page of a task force's history.
HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryPage:
    """One page of a task force's history, newest first, and how many pages there are."""

    events: list[AuditEvent]
    number: int
    pages: int
    total: int
    size: int

    @property
    def first(self) -> int:
        """The position of the page's first event in the whole history, from 1."""
        return (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.events) - 1


def taskforce_history(
    taskforce_id: int,
    *,
    kind: str | None = None,
    person: str | None = None,
    number: int = 1,
    size: int = HISTORY_PAGE_SIZE,
) -> HistoryPage:
    """A page of the events about one task force, newest first: about one kind of record
    (its subject_type) and by one person (as the events name them) if given. A page beyond
    the last is the last."""
    where = [AuditEvent.taskforce_id == taskforce_id]
    if kind:
        where.append(AuditEvent.subject_type == kind)
    if person:
        where.append(AuditEvent.actor_label == person)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    pages = max(1, -(-total // size))
    number = min(max(number, 1), pages)
    stmt = (
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    )
    return HistoryPage(list(db.session.scalars(stmt)), number, pages, total, size)


def history_filters(taskforce_id: int) -> tuple[list[str], list[str]]:
    """The kinds of record (subject types) and the people in a task force's history."""
    where = AuditEvent.taskforce_id == taskforce_id
    kinds = db.session.scalars(select(AuditEvent.subject_type).where(where).distinct())
    people = db.session.scalars(select(AuditEvent.actor_label).where(where).distinct())
    return sorted(kinds), sorted(people, key=str.casefold)


def events_about(subject: Any, limit: int = 100) -> list[AuditEvent]:
    """The latest audit events about one object (a risk, an indicator...), newest first."""
    stmt = (
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == type(subject).__name__,
            AuditEvent.subject_id == subject.id,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
