"""A meeting's cycle as steps, each with its state, and the registry through which each domain
says when its step is done and which button moves it on.

The steps, in order: invites sent, the cycle's milestones before the meeting (cycle.py), the
meeting itself (held, attendance recorded), then the milestones after it. A step's date comes
from the cycle; whether it is done comes from the domain that does the work, through a source
registered here for its kind. The meetings domain registers two, below: invites and the
meeting. Another domain adds its own without touching a template, from a module the app
imports at start (its views module, say):

    from taskforce.meetings import steps

    def agenda_progress(meetings):  # every meeting at once: one query, not one each
        return {m.id: steps.Progress(done=True, summary="Agreed 3 May") for m in agreed}

    def agenda_button(meeting, user):
        return steps.Button("Agree the agenda", url_for("agenda.show", meeting_id=meeting.id))

    steps.register("agenda_agreed", progress=agenda_progress, button=agenda_button)

A source's `summary` is shown beside the step wherever it appears (the meeting page, the home
page's late steps): "2 papers not received" is how late papers reach the secretariat's home
page. `awaits_chair` puts the step on its chair's home page under "Awaiting your approval".
A kind with no source is not tracked: its state follows its date alone.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import url_for
from sqlalchemy import func, select, union_all

from taskforce import clock, formatting, mail
from taskforce.auth import permissions
from taskforce.auth.models import User
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.meetings import services, workdays
from taskforce.meetings.cycle import MILESTONE_LABELS
from taskforce.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus

INVITES = "invites"
MEETING = "meeting"
#: Every kind of step: the two of the meeting itself and the cycle's milestones.
STEP_LABELS: dict[str, str] = {
    INVITES: "Invites sent",
    **{kind: label for kind, label in MILESTONE_LABELS.items()},
    MEETING: "Meeting held and attendance recorded",
}


class State(enum.StrEnum):
    DONE = "done"
    #: Due today or later.
    DUE = "due"
    #: Its date has passed and it can still be done.
    LATE = "late"
    #: Not done, and it has no date of its own (invites before the meeting).
    TO_DO = "to_do"
    #: A step before the meeting that the meeting went by without any record of.
    NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class Progress:
    """What the domain doing a step knows of it for one meeting."""

    done: bool = False
    #: What has happened so far, in a few words: "Sent 3 May 2026", "2 papers not received".
    summary: str = ""
    #: Waiting for the chair's word (an agenda to agree, minutes to approve).
    awaits_chair: bool = False


@dataclass(frozen=True)
class Button:
    """The next thing to do for a step: a link, or with post=True a one-button form."""

    text: str
    url: str
    post: bool = False
    secondary: bool = False


ProgressOf = Callable[[Sequence[Meeting]], Mapping[int, Progress]]
ButtonFor = Callable[[Meeting, User], "Button | None"]


@dataclass(frozen=True)
class Source:
    #: Given meetings, the progress of this step for each (by meeting id; left out: not done).
    progress: ProgressOf
    #: Given one meeting and who is looking, the button for this step, if any.
    button: ButtonFor | None = None


_SOURCES: dict[str, Source] = {}


def register(kind: str, *, progress: ProgressOf, button: ButtonFor | None = None) -> None:
    """Say how a kind of step is known to be done, and what button moves it on."""
    if kind not in STEP_LABELS:
        raise ValueError(f"Unknown kind of step {kind!r}; the kinds are {', '.join(STEP_LABELS)}")
    if kind in _SOURCES:
        raise ValueError(f"The step {kind!r} already has a source")
    _SOURCES[kind] = Source(progress, button)


def is_tracked(kind: str) -> bool:
    return kind in _SOURCES


@dataclass(frozen=True)
class Step:
    kind: str
    meeting: Meeting
    due_on: date | None
    state: State
    #: Working days until the due date (DUE) or since it (LATE); otherwise 0.
    working_days: int = 0
    summary: str = ""
    awaits_chair: bool = False
    #: False where no domain records this step yet: its state is its date's.
    tracked: bool = False
    button: Button | None = None

    @property
    def label(self) -> str:
        return STEP_LABELS[self.kind]

    @property
    def is_open(self) -> bool:
        """Still to be done, and still worth doing."""
        return self.state in (State.DUE, State.LATE, State.TO_DO)

    @property
    def state_words(self) -> str:
        """The state as the secretariat would say it: "Due in 3 working days"."""
        if self.state == State.DONE:
            return "Done"
        if self.state == State.DUE:
            return "Due today" if self.working_days == 0 else f"Due in {_days(self.working_days)}"
        if self.state == State.LATE:
            # Due on a Friday and looked at on the Saturday: late, by no working day yet.
            return f"Late by {_days(self.working_days)}" if self.working_days else "Late"
        if self.state == State.TO_DO:
            return "Not done yet"
        return "Not recorded"

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour for the state."""
        return {
            State.DONE: "govuk-tag--green",
            State.DUE: "govuk-tag--yellow" if self.working_days <= 2 else "govuk-tag--blue",
            State.LATE: "govuk-tag--red",
            State.TO_DO: "govuk-tag--yellow",
            State.NOT_RECORDED: "govuk-tag--grey",
        }[self.state]


def _sent() -> str:
    """How mail that went out is described: with no mail server it stayed in the Outbox."""
    return "Kept in the Outbox" if mail.keeps_mail() else "Sent"


def _days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def steps_of(
    meetings: Iterable[Meeting],
    *,
    viewer: User | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> dict[int, list[Step]]:
    """The steps of each meeting (by id), in order, as of today; cancelled meetings have none.

    Each source is asked once for all the meetings, so the cost does not grow with their
    number. With a viewer, each step also carries the button that viewer may use.
    """
    today = today or clock.today()
    now = now or utcnow()
    live = [m for m in meetings if m.status != MeetingStatus.CANCELLED]
    progress = {kind: source.progress(live) for kind, source in _SOURCES.items()} if live else {}
    result: dict[int, list[Step]] = {}
    for meeting in live:
        result[meeting.id] = [
            _step(meeting, kind, due_on, before, progress.get(kind, {}).get(meeting.id), today, now)
            for kind, due_on, before in _plan(meeting)
        ]
        if viewer is not None:
            result[meeting.id] = [_with_button(step, viewer) for step in result[meeting.id]]
    return result


def _plan(meeting: Meeting) -> list[tuple[str, date | None, bool]]:
    """Each step's kind and date, and whether it comes before the meeting, in order."""
    offsets = services.offsets_for(meeting.taskforce)
    milestones = sorted(services.milestones(meeting), key=lambda ms: offsets[ms.kind])
    return [
        (INVITES, None, True),
        *((ms.kind, ms.due_on, True) for ms in milestones if offsets[ms.kind] < 0),
        (MEETING, formatting.local(meeting.start_at).date(), False),
        *((ms.kind, ms.due_on, False) for ms in milestones if offsets[ms.kind] > 0),
    ]


def _step(
    meeting: Meeting,
    kind: str,
    due_on: date | None,
    before: bool,
    known: Progress | None,
    today: date,
    now: datetime,
) -> Step:
    known = known or Progress()
    common = {
        "kind": kind,
        "meeting": meeting,
        "due_on": due_on,
        "summary": known.summary,
        "awaits_chair": known.awaits_chair and not known.done,
        "tracked": kind in _SOURCES,
    }
    if known.done:
        return Step(state=State.DONE, **common)
    if before and meeting.start_at <= now:
        return Step(state=State.NOT_RECORDED, **common)
    if due_on is None:
        return Step(state=State.TO_DO, **common)
    if due_on >= today:
        return Step(
            state=State.DUE, working_days=workdays.working_days_between(today, due_on), **common
        )
    return Step(
        state=State.LATE, working_days=workdays.working_days_between(due_on, today), **common
    )


@dataclass(frozen=True)
class Current:
    """Where a task force is in its cycle: the meeting last held (or due to have been) and
    the next one still to come. Either may be None."""

    previous: Meeting | None = None
    next: Meeting | None = None

    @property
    def meetings(self) -> list[Meeting]:
        return [m for m in (self.previous, self.next) if m is not None]


def current_meetings(
    taskforce_ids: Sequence[int], now: datetime | None = None
) -> dict[int, Current]:
    """Each task force's previous and next meeting (cancelled ones aside), in one query."""
    if not taskforce_ids:
        return {}
    now = now or utcnow()
    upcoming = (Meeting.status == MeetingStatus.SCHEDULED.value) & (Meeting.end_at > now)
    gone = (Meeting.status != MeetingStatus.CANCELLED.value) & (Meeting.start_at <= now) & ~upcoming

    def first(where, *order):
        rank = func.row_number().over(partition_by=Meeting.taskforce_id, order_by=order)
        ranked = (
            select(Meeting.id.label("id"), rank.label("rank"))
            .where(Meeting.taskforce_id.in_(taskforce_ids), where)
            .subquery()
        )
        return select(ranked.c.id).where(ranked.c.rank == 1)

    ids = union_all(
        first(upcoming, Meeting.start_at, Meeting.id),
        first(gone, Meeting.start_at.desc(), Meeting.id.desc()),
    )
    found: dict[int, Current] = {}
    for meeting in db.session.scalars(select(Meeting).where(Meeting.id.in_(ids))):
        current = found.get(meeting.taskforce_id, Current())
        if meeting.status == MeetingStatus.SCHEDULED and meeting.end_at > now:
            found[meeting.taskforce_id] = replace(current, next=meeting)
        else:
            found[meeting.taskforce_id] = replace(current, previous=meeting)
    return found


def _with_button(step: Step, viewer: User) -> Step:
    source = _SOURCES.get(step.kind)
    if source is None or source.button is None:
        return step
    return replace(step, button=source.button(step.meeting, viewer))


# --- The meetings domain's own steps -------------------------------------------------------


def _invites_progress(meetings: Sequence[Meeting]) -> dict[int, Progress]:
    return {
        m.id: Progress(
            done=True,
            summary=f"{_sent()} {formatting.format_date(m.invites_sent_at)}"
            + (f", {_updates(m.sequence)} since" if m.sequence else ""),
        )
        for m in meetings
        if m.invites_sent_at is not None
    }


def _updates(n: int) -> str:
    return "1 update" if n == 1 else f"{n} updates"


def _invites_button(meeting: Meeting, user: User) -> Button | None:
    if meeting.status != MeetingStatus.SCHEDULED or meeting.end_at <= utcnow():
        return None
    if not permissions.can_edit(user, meeting.taskforce):
        return None
    return Button(
        "Send invites again" if meeting.invites_sent_at else "Send invites",
        url_for("meetings.send_invites", meeting_id=meeting.id),
        post=True,
        secondary=meeting.invites_sent_at is not None,
    )


PRESENT = (AttendanceStatus.ATTENDED.value, AttendanceStatus.DEPUTY.value)


def _meeting_progress(meetings: Sequence[Meeting]) -> dict[int, Progress]:
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    if not held:
        return {}
    present = dict(
        db.session.execute(
            select(Attendance.meeting_id, func.count())
            .where(Attendance.meeting_id.in_([m.id for m in held]), Attendance.status.in_(PRESENT))
            .group_by(Attendance.meeting_id)
        ).all()
    )
    result = {}
    for m in held:
        count = present.get(m.id, 0)
        summary = f"{count} present"
        if m.taskforce.quorum:
            summary += ", quorate" if count >= m.taskforce.quorum else ", not quorate"
        result[m.id] = Progress(done=True, summary=summary)
    return result


def _meeting_button(meeting: Meeting, user: User) -> Button | None:
    # Before the meeting starts only apologies can be recorded: the button comes with it.
    if meeting.status != MeetingStatus.SCHEDULED or meeting.start_at > utcnow():
        return None
    if not permissions.can_edit(user, meeting.taskforce):
        return None
    return Button(
        "Record attendance", url_for("meetings.show", meeting_id=meeting.id) + "#attendance"
    )


register(INVITES, progress=_invites_progress, button=_invites_button)
register(MEETING, progress=_meeting_progress, button=_meeting_button)
