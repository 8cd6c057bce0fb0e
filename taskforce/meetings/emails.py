"""Invites, updates and cancellations by email, through the outbox."""

from __future__ import annotations

from flask import render_template

from taskforce import mail
from taskforce.db import utcnow
from taskforce.formatting import local
from taskforce.meetings import ical
from taskforce.meetings.models import Meeting, MeetingStatus


def send_invites(meeting: Meeting) -> int:
    """Queue the invite (or update, or cancellation) for every member; return how many.

    Each member gets one message per SEQUENCE of the meeting: sending again at the same
    sequence queues nothing, so a retried request never mails anyone twice.
    """
    cancelled = meeting.status == MeetingStatus.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    members = meeting.taskforce.members
    ics = ical.calendar([ical.meeting_event(meeting, members)], method)
    kind = "cancellation" if cancelled else ("update" if meeting.sequence else "invite")
    queued = 0
    for member in members:
        context = {
            "meeting": meeting,
            "member": member,
            "start": local(meeting.start_at),
            "end": local(meeting.end_at),
            "kind": kind,
        }
        subject = render_template("emails/meeting_subject.txt", **context).strip()
        message = mail.new_message([member.email], subject)
        message.set_content(render_template("emails/meeting.txt", **context))
        message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})
        message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
        row = mail.queue(
            message,
            kind=kind,
            taskforce_id=meeting.taskforce_id,
            dedupe_key=f"meeting:{meeting.id}:{meeting.sequence}:{member.id}",
        )
        queued += row is not None
    if not cancelled:
        meeting.invites_sent_at = meeting.invites_sent_at or utcnow()
    return queued
