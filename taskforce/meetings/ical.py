"""iCalendar for meetings: one VEVENT per meeting, its UID fixed and SEQUENCE rising."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from flask import Response, current_app
from icalendar import Calendar, Event, vCalAddress, vText

from taskforce.bodies.models import Member
from taskforce.db import utcnow
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.text import one_line, plain_lines

PRODID = "-//Task force manager//Meetings//EN"
MEDIA_TYPE = "text/calendar"


def _organizer() -> vCalAddress:
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(one_line(name or address))
    return organizer


def _attendee(member: Member) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{member.email}")
    attendee.params["cn"] = vText(one_line(member.name))
    attendee.params["role"] = vText("CHAIR" if member.is_chair else "REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    return attendee


def meeting_event(meeting: Meeting, members: Iterable[Member] = ()) -> Event:
    """The meeting as a VEVENT, times in UTC, each of `members` an attendee.

    Feeds (METHOD:PUBLISH) pass no members: RFC 5546 puts no attendees in a published
    calendar, and a feed URL is easily shared.
    """
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.start_at)
    event.add("dtend", meeting.end_at)
    # Built defensively: a title stored before line breaks were refused must not break the
    # calendar (a Unicode line separator is a line break to many readers of it).
    event.add("summary", one_line(meeting.title))
    if meeting.location:
        event.add("location", one_line(meeting.location))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if cancelled and meeting.cancel_reason:
        event.add("description", f"Cancelled: {plain_lines(meeting.cancel_reason)}")
    event.add("organizer", _organizer())
    for member in members:
        event.add("attendee", _attendee(member))
    return event


def calendar(events: Iterable[Event], method: str) -> bytes:
    """Wrap events in a VCALENDAR with the given METHOD (REQUEST, CANCEL or PUBLISH)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def invite_ics(meeting: Meeting) -> bytes:
    """The invite as it stands: REQUEST, or CANCEL once the meeting is cancelled."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return calendar([meeting_event(meeting, meeting.taskforce.members)], method)


def attachment(body: bytes, filename: str) -> Response:
    """iCalendar to download as a file: a meeting's invite, or a task force's meetings."""
    return Response(
        body,
        mimetype=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
