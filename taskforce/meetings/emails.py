"""Invites, updates and cancellations by email, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, render_template, url_for

from taskforce import links, mail
from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.formatting import local
from taskforce.meetings import ical
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.text import address_problem


@dataclass
class Invites:
    """What sending a meeting's invites did: how many messages went to the outbox, and the
    addresses skipped because mail cannot be delivered to them (stored before the rule)."""

    queued: int = 0
    skipped: list[str] = field(default_factory=list)

    def skipped_sentence(self) -> str:
        """Says who was not sent anything and why, for a flash or an API warning; "" if none."""
        if not self.skipped:
            return ""
        return (
            f"Not sent to {', '.join(self.skipped)}: mail cannot be delivered to an address "
            "with letters other than A to Z. Correct the member's email address, then send "
            "the invites again."
        )


def send_invites(meeting: Meeting) -> Invites:
    """Queue the invite (or update, or cancellation) for every member whose address mail can
    reach; say how many were queued and whose addresses were skipped.

    Each member gets one message per SEQUENCE of the meeting: sending again at the same
    sequence queues nothing, so a retried request never mails anyone twice (and one whose
    address has since been corrected gets theirs).
    """
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if not cancelled and (meeting.status != MeetingStatus.SCHEDULED or meeting.end_at <= utcnow()):
        raise Conflict("Invites go out only for meetings still to come")
    method = "CANCEL" if cancelled else "REQUEST"
    members = meeting.taskforce.members
    ics = ical.calendar([ical.meeting_event(meeting, members)], method)
    first_time = meeting.invites_sent_at is None
    kind = "cancellation" if cancelled else ("invite" if first_time else "update")
    result = Invites()
    for member in members:
        if address_problem(member.email):
            result.skipped.append(member.email)
            continue
        key = f"meeting:{meeting.id}:{meeting.sequence}:{member.id}"
        if mail.already_queued(key):
            continue
        apologies_url = None if cancelled else _apologies_url(meeting, member)
        context = {
            "meeting": meeting,
            "member": member,
            "start": local(meeting.start_at),
            "end": local(meeting.end_at),
            "kind": kind,
            "apologies_url": apologies_url,
        }
        subject = render_template("emails/meeting_subject.txt", **context).strip()
        message = mail.new_message([member.email], subject)
        message.set_content(render_template("emails/meeting.txt", **context))
        message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})
        message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
        if mail.queue(message, kind=kind, taskforce_id=meeting.taskforce_id, dedupe_key=key):
            result.queued += 1
    if not cancelled:
        meeting.invites_sent_at = meeting.invites_sent_at or utcnow()
    return result


def _apologies_url(meeting: Meeting, member) -> str:
    token = links.issue(
        links.Purpose.APOLOGIES,
        email=member.email,
        member_id=member.id,
        meeting_id=meeting.id,
        lifetime=meeting.end_at - utcnow() + timedelta(days=1),
    )
    return f"{current_app.config['BASE_URL']}{url_for('links.apologies', token=token)}"


def send_feed_link(member) -> int:
    """Email a member a personal link to a calendar feed of all their meetings; return how
    many emails were queued. Refused if mail cannot be delivered to their address."""
    mail.refuse_undeliverable(member.email, "Correct the member's email address first.")
    token = links.issue(
        links.Purpose.CALENDAR_FEED,
        email=member.email,
        member_id=member.id,
        lifetime=links.FEED_LIFETIME,
    )
    url = f"{current_app.config['BASE_URL']}{url_for('links.feed', token=token)}"
    message = mail.new_message([member.email], "Your task force meetings calendar")
    message.set_content(render_template("emails/feed_link.txt", member=member, url=url))
    return 1 if mail.queue(message, kind="feed_link", taskforce_id=member.taskforce_id) else 0
