"""Schedule meetings on the cadence, move and cancel them, and work out the cycle's dates.

Services flush; the request (or CLI command) commits once and then sends the mail queued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from taskforce import formatting, numbering
from taskforce.audit.services import Actor, record
from taskforce.bodies.models import CADENCE_MAX, CADENCE_MIN, Member, TaskForce
from taskforce.db import utcnow
from taskforce.errors import Conflict, ValidationError, check_version
from taskforce.extensions import db
from taskforce.meetings import emails, workdays
from taskforce.meetings.cycle import DEFAULT_OFFSETS, MILESTONE_LABELS, OFFSET_LIMIT
from taskforce.meetings.models import (
    DEPUTY_NAME_MAX,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from taskforce.text import YEARS, one_line_problem

COUNT_MAX = 50
DURATION_MIN, DURATION_MAX = 15, 8 * 60


@dataclass(frozen=True)
class Milestone:
    kind: str
    due_on: date

    @property
    def label(self) -> str:
        return MILESTONE_LABELS[self.kind]


# --- Time --------------------------------------------------------------------------------


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_utc(moment: datetime, field: str = "start") -> datetime:
    """Read a moment entered in the service's zone (naive) or with an offset, as UTC."""
    if moment.year not in YEARS:
        raise ValidationError.single(field, f"Give a date from {YEARS[0]} to {YEARS[-1]}")
    if moment.tzinfo is not None:
        return moment.astimezone(ZoneInfo("UTC"))
    local = moment.replace(tzinfo=zone())
    # A wall-clock time skipped when the clocks go forward does not survive the round trip.
    if local.astimezone(ZoneInfo("UTC")).astimezone(zone()).replace(tzinfo=None) != moment:
        raise ValidationError.single(
            field,
            f"{moment:%H:%M} on {moment:%-d %B %Y} does not exist in UK time: "
            "the clocks go forward then",
        )
    return local.astimezone(ZoneInfo("UTC"))


local = formatting.local


# --- Milestones -----------------------------------------------------------------------------


def offsets_for(tf: TaskForce) -> dict[str, int]:
    return {**DEFAULT_OFFSETS, **(tf.milestone_offsets or {})}


def milestones(meeting: Meeting) -> list[Milestone]:
    """The cycle's dates for a meeting, each on a working day in England and Wales."""
    day = local(meeting.start_at).date()
    return [
        Milestone(kind, workdays.add_working_days(day, offset))
        for kind, offset in offsets_for(meeting.taskforce).items()
    ]


def non_working_warning(meeting: Meeting) -> str | None:
    day = local(meeting.start_at).date()
    why = workdays.why_not_working(day)
    if why is None:
        return None
    better = workdays.next_working_day(day)
    return (
        f"Meeting {meeting.number} falls on {day:%A %-d %B %Y}, {why}. "
        f"The next working day is {better:%A %-d %B %Y}."
    )


# --- Scheduling -------------------------------------------------------------------------------


def _check_duration(duration_minutes: int) -> None:
    if not DURATION_MIN <= duration_minutes <= DURATION_MAX:
        raise ValidationError.single(
            "duration_minutes",
            f"A meeting lasts from {DURATION_MIN} minutes to {DURATION_MAX // 60} hours",
        )


def _new_uid() -> str:
    host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"meeting-{uuid.uuid4()}@{host or 'taskforce'}"


def schedule_meetings(
    tf: TaskForce,
    *,
    first_start: datetime,
    count: int,
    duration_minutes: int,
    location: str,
    actor: Actor,
    cadence_weeks: int | None = None,
    record_history: bool = False,
) -> list[Meeting]:
    """Create `count` meetings, `cadence_weeks` apart, at the same wall-clock time."""
    if not 1 <= count <= COUNT_MAX:
        raise ValidationError.single("count", f"Schedule from 1 to {COUNT_MAX} meetings at a time")
    cadence = cadence_weeks or tf.cadence_weeks
    if not CADENCE_MIN <= cadence <= CADENCE_MAX:
        raise ValidationError.single(
            "cadence_weeks", f"Cadence must be from {CADENCE_MIN} to {CADENCE_MAX} weeks"
        )
    _check_duration(duration_minutes)
    first_utc = to_utc(first_start, "first_start")
    if first_utc < utcnow() and not record_history:
        raise ValidationError.single(
            "first_start",
            "The first meeting is in the past. To record meetings already held, "
            "say so (record_history)",
        )
    wall_clock = local(first_utc).replace(tzinfo=None)
    # Add weeks to the local time so 10am stays 10am across the clock changes. Every start
    # is checked before the meetings' numbers are taken.
    starts = [
        to_utc(wall_clock + timedelta(weeks=cadence * i), "first_start") for i in range(count)
    ]
    numbers = numbering.allocate(tf.id, numbering.Series.MEETING, count)
    meetings = []
    for number, start in zip(numbers, starts, strict=True):
        meeting = Meeting(
            taskforce=tf,
            number=number,
            title=f"{tf.name}: meeting {number}",
            start_at=start,
            end_at=start + timedelta(minutes=duration_minutes),
            location=location,
            uid=_new_uid(),
        )
        db.session.add(meeting)
        meetings.append(meeting)
    db.session.flush()
    record(
        actor,
        "meetings.scheduled",
        tf,
        taskforce_id=tf.id,
        changes={"numbers": [m.number for m in meetings], "cadence_weeks": cadence},
        summary=f"Scheduled {count} meeting{'s' if count > 1 else ''} every {cadence} weeks "
        f"from {local(first_utc):%-d %B %Y %H:%M}",
    )
    return meetings


def _check_changeable(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.HELD:
        raise Conflict("This meeting has been held: it can no longer be moved or cancelled")
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("This meeting is cancelled: schedule a new one instead")


def change_meeting(
    meeting: Meeting, data: dict[str, Any], actor: Actor, expected_version: int | None = None
) -> emails.Invites:
    """Move, retime or relocate one meeting; queue updated invites and say what went."""
    check_version(meeting.version, expected_version, "meeting")
    _check_changeable(meeting)
    start = to_utc(data["start"]) if data.get("start") is not None else meeting.start_at
    # Meetings move into the past only to correct the record of one already past.
    if start != meeting.start_at and start < utcnow() <= meeting.start_at:
        raise ValidationError.single("start", "A meeting cannot be moved into the past")
    duration = data.get("duration_minutes") or meeting.duration_minutes
    _check_duration(duration)
    end = start + timedelta(minutes=duration)
    changes: dict[str, list[Any]] = {}
    if start != meeting.start_at:
        changes["start"] = [meeting.start_at, start]
    if end != meeting.end_at:
        changes["end"] = [meeting.end_at, end]
    if data.get("location") is not None and data["location"] != meeting.location:
        changes["location"] = [meeting.location, data["location"]]
        meeting.location = data["location"]
    if data.get("title") is not None and data["title"] != meeting.title:
        changes["title"] = [meeting.title, data["title"]]
        meeting.title = data["title"]
    if not changes:
        return emails.Invites()
    meeting.start_at, meeting.end_at = start, end
    moved = bool(changes.keys() & {"start", "end", "location"})
    if moved:
        meeting.sequence += 1
    db.session.flush()
    record(
        actor,
        "meeting.changed",
        meeting,
        taskforce_id=meeting.taskforce_id,
        changes=changes,
        summary=f"Changed meeting {meeting.number}: {', '.join(changes)}",
    )
    if moved and meeting.invites_sent_at is not None:
        return emails.send_invites(meeting)
    return emails.Invites()


def cancel_meeting(meeting: Meeting, reason: str, actor: Actor) -> emails.Invites:
    """Cancel a meeting; queue cancellations to those invited and say what went."""
    _check_changeable(meeting)
    meeting.status = MeetingStatus.CANCELLED.value
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = reason
    meeting.sequence += 1
    db.session.flush()
    record(
        actor,
        "meeting.cancelled",
        meeting,
        taskforce_id=meeting.taskforce_id,
        changes={"reason": reason},
        summary=f"Cancelled meeting {meeting.number}",
    )
    if meeting.invites_sent_at is None:
        return emails.Invites()
    return emails.send_invites(meeting)


def meetings_of(tf: TaskForce) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.taskforce_id == tf.id).order_by(Meeting.start_at)
        )
    )


# --- Attendance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    present: int
    quorum: int | None

    @property
    def quorate(self) -> bool:
        return self.quorum is None or self.present >= self.quorum


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    """Members present in person or by deputy, against the ToR's quorum."""
    present = sum(1 for a in meeting.attendance if a.status in ("attended", "deputy"))
    return AttendanceSummary(present=present, quorum=meeting.taskforce.quorum)


#: What can be known before a meeting starts: who will not come, and who comes instead.
BEFORE_START = (AttendanceStatus.APOLOGIES, AttendanceStatus.DEPUTY)


def has_started(meeting: Meeting) -> bool:
    return meeting.start_at <= utcnow()


def statuses_open(meeting: Meeting) -> tuple[AttendanceStatus, ...]:
    """The attendance that can be recorded now: apologies and deputies before the meeting
    starts, everything once it has."""
    return tuple(AttendanceStatus) if has_started(meeting) else BEFORE_START


def record_attendance(
    meeting: Meeting, entries: list[dict[str, Any]], actor: Actor, *, mark_held: bool = True
) -> None:
    """Set attendance for the members given; each entry names a live member of the task force.

    A refusal names the entry and its field by position ("0.status"), as the API reports it.
    """
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("This meeting was cancelled: there is no attendance to record")
    members = {m.id: m for m in meeting.taskforce.members}
    open_now = statuses_open(meeting)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        member_id = entry["member_id"]
        if member_id not in members:
            errors[f"{index}.member_id"] = [f"{member_id} is not a member of this task force"]
        elif member_id in seen:
            errors[f"{index}.member_id"] = ["This member is listed twice"]
        seen.add(member_id)
        if entry["status"] not in open_now:
            errors[f"{index}.status"] = [
                "Before the meeting starts only apologies or a deputy can be recorded"
            ]
        elif entry["status"] == AttendanceStatus.DEPUTY and not (entry.get("deputy_name") or ""):
            errors[f"{index}.deputy_name"] = ["Enter the deputy's name"]
        elif problem := one_line_problem(entry.get("deputy_name")):
            # The web page posts these names without a form of fields to check them.
            errors[f"{index}.deputy_name"] = [f"The deputy's name {problem}"]
        elif len(entry.get("deputy_name") or "") > DEPUTY_NAME_MAX:
            errors[f"{index}.deputy_name"] = [
                f"The deputy's name must be {DEPUTY_NAME_MAX} characters or fewer"
            ]
    if errors:
        raise ValidationError(errors)
    existing = {a.member_id: a for a in meeting.attendance}
    changes = {}
    for entry in entries:
        row = existing.get(entry["member_id"])
        deputy = (entry.get("deputy_name") or "") if entry["status"] == "deputy" else ""
        if row is None:
            row = Attendance(meeting=meeting, member_id=entry["member_id"])
            db.session.add(row)
        if (row.status, row.deputy_name) != (entry["status"], deputy):
            changes[members[entry["member_id"]].name] = [row.status, entry["status"]]
        row.status, row.deputy_name = entry["status"], deputy
    if mark_held and meeting.status == MeetingStatus.SCHEDULED and has_started(meeting):
        meeting.status = MeetingStatus.HELD.value
    db.session.flush()
    if changes:
        record(
            actor,
            "meeting.attendance",
            meeting,
            taskforce_id=meeting.taskforce_id,
            changes=changes,
            summary=f"Recorded attendance at meeting {meeting.number}",
        )


def send_apologies(meeting: Meeting, member: Member, actor: Actor, deputy_name: str = "") -> None:
    """A member's own apologies for a meeting still to come, or the deputy coming instead:
    from their emailed link or signed in. Refused once the meeting has started."""
    if meeting.status != MeetingStatus.SCHEDULED or has_started(meeting):
        state = "has started" if meeting.status == MeetingStatus.SCHEDULED else meeting.status
        raise Conflict(f"This meeting {state}: apologies can no longer be given")
    deputy_name = (deputy_name or "").strip()
    status = AttendanceStatus.DEPUTY if deputy_name else AttendanceStatus.APOLOGIES
    entry = {"member_id": member.id, "status": status.value, "deputy_name": deputy_name}
    record_attendance(meeting, [entry], actor, mark_held=False)


def due_between(
    taskforces: list[TaskForce], first: date, last: date
) -> list[tuple[Milestone, Meeting]]:
    """Milestones of scheduled meetings that fall due from `first` to `last`, soonest first."""
    if not taskforces:
        return []
    # Milestones sit at most OFFSET_LIMIT working days either side of their meeting.
    window = timedelta(days=OFFSET_LIMIT * 7 // 5 + 14)
    meetings = db.session.scalars(
        select(Meeting).where(
            Meeting.taskforce_id.in_([tf.id for tf in taskforces]),
            Meeting.status != MeetingStatus.CANCELLED.value,
            Meeting.start_at
            >= datetime.combine(first - window, datetime.min.time(), ZoneInfo("UTC")),
            Meeting.start_at
            <= datetime.combine(last + window, datetime.min.time(), ZoneInfo("UTC")),
        )
    )
    due = [
        (m, meeting)
        for meeting in meetings
        for m in milestones(meeting)
        if first <= m.due_on <= last
    ]
    return sorted(due, key=lambda pair: (pair[0].due_on, pair[1].start_at))
