"""Meetings, their cycle and their invites over JSON."""

from __future__ import annotations

from taskforce.api.core import (
    EmailsSent,
    api_actor,
    bp,
    dump,
    emails_sent,
    get_for_taskforce,
    load_taskforce,
    page_of,
    parse,
    parse_change,
    parse_list,
)
from taskforce.api.spec import operation
from taskforce.extensions import db
from taskforce.meetings import emails, ical, services
from taskforce.meetings.models import Meeting
from taskforce.meetings.schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceResult,
    CancelIn,
    MeetingChange,
    MeetingList,
    MeetingOut,
    ScheduleIn,
)

TAG = "Meetings"


def _meeting(meeting_id: int, *, edit: bool = False) -> Meeting:
    return get_for_taskforce(Meeting, meeting_id, edit=edit)


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/schedule",
    "POST",
    tag=TAG,
    body=ScheduleIn,
    response=MeetingList,
    status=201,
    summary="Schedule meetings on the task force's cadence",
)
def schedule(taskforce_id: int):
    tf = load_taskforce(taskforce_id, edit=True)
    data = parse(ScheduleIn)
    meetings = services.schedule_meetings(
        tf,
        first_start=data.first_start,
        count=data.count,
        duration_minutes=data.duration_minutes,
        location=data.location,
        cadence_weeks=data.cadence_weeks,
        record_history=data.record_history,
        actor=api_actor(),
    )
    return dump(MeetingList(items=[MeetingOut.of(m) for m in meetings]), 201)


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/meetings",
    "GET",
    tag=TAG,
    response=MeetingOut,
    paged=True,
    summary="List a task force's meetings",
)
def list_meetings(taskforce_id: int):
    tf = load_taskforce(taskforce_id)
    stmt = db.select(Meeting).where(Meeting.taskforce_id == tf.id)
    return page_of(stmt, Meeting.id, lambda m: MeetingOut.of(m).model_dump(mode="json"))


@operation(
    bp,
    "/meetings/<int:meeting_id>",
    "GET",
    tag=TAG,
    response=MeetingOut,
    summary="Read a meeting with its milestones",
)
def get_meeting(meeting_id: int):
    return dump(MeetingOut.of(_meeting(meeting_id)))


@operation(
    bp,
    "/meetings/<int:meeting_id>",
    "PATCH",
    tag=TAG,
    body=MeetingChange,
    response=MeetingOut,
    summary="Move, retime or relocate a meeting; sends updated invites",
)
def change_meeting(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    data, expected = parse_change(MeetingChange)
    invites = services.change_meeting(meeting, data, api_actor(), expected_version=expected)
    return dump(MeetingOut.of(meeting, invites))


@operation(
    bp,
    "/meetings/<int:meeting_id>/cancel",
    "POST",
    tag=TAG,
    body=CancelIn,
    response=MeetingOut,
    errors={409: "The meeting has been held or is already cancelled"},
    summary="Cancel a meeting; sends cancellations",
)
def cancel_meeting(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    data = parse(CancelIn)
    invites = services.cancel_meeting(meeting, data.reason, api_actor())
    return dump(MeetingOut.of(meeting, invites))


@operation(
    bp,
    "/meetings/<int:meeting_id>/invites",
    "POST",
    tag=TAG,
    status=202,
    response=EmailsSent,
    errors={409: "The meeting is not still to come"},
    summary="Email the invite to every member",
)
def send_invites(meeting_id: int):
    """`sent` counts the messages queued; `skipped` lists the members' addresses mail cannot
    be delivered to (letters other than A to Z), to whom nothing was sent."""
    meeting = _meeting(meeting_id, edit=True)
    invites = emails.send_invites(meeting)
    return emails_sent(invites.queued, invites.skipped)


@operation(
    bp,
    "/meetings/<int:meeting_id>/invite.ics",
    "GET",
    tag=TAG,
    produces=ical.MEDIA_TYPE,
    summary="The meeting as iCalendar: REQUEST, or CANCEL once cancelled",
)
def invite_ics(meeting_id: int):
    return ical.attachment(ical.invite_ics(_meeting(meeting_id)), "invite.ics")


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/calendar.ics",
    "GET",
    tag=TAG,
    produces=ical.MEDIA_TYPE,
    summary="Every meeting of a task force as an iCalendar feed (PUBLISH)",
)
def calendar_ics(taskforce_id: int):
    tf = load_taskforce(taskforce_id)
    events = [ical.meeting_event(m) for m in services.meetings_of(tf)]
    return ical.attachment(ical.calendar(events, "PUBLISH"), f"{tf.code.lower()}-meetings.ics")


def _attendance_result(meeting: Meeting) -> AttendanceResult:
    summary = services.attendance_summary(meeting)
    return AttendanceResult(
        quorate=summary.quorate,
        present=summary.present,
        quorum=summary.quorum,
        status=meeting.status,
        attendance=[
            AttendanceOut(
                member_id=a.member_id,
                name=a.member.name,
                status=a.status,
                deputy_name=a.deputy_name,
            )
            for a in meeting.attendance
        ],
    )


@operation(
    bp,
    "/meetings/<int:meeting_id>/attendance",
    "PUT",
    tag=TAG,
    body=AttendanceIn,
    response=AttendanceResult,
    summary="Record who attended, sent apologies, sent a deputy or was absent",
)
def put_attendance(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    entries = [entry.model_dump() for entry in parse_list(AttendanceIn)]
    services.record_attendance(meeting, entries, api_actor())
    return dump(_attendance_result(meeting))


@operation(
    bp,
    "/meetings/<int:meeting_id>/attendance",
    "GET",
    tag=TAG,
    response=AttendanceResult,
    summary="Attendance and whether the meeting was quorate",
)
def get_attendance(meeting_id: int):
    return dump(_attendance_result(_meeting(meeting_id)))
