"""Commissioning papers from paper leads, who may have no account, and their upload links.

A paper lead gets one email with a personal link (BASE_URL/p/<token>) and the due date. The
link works as the owner links do (taskforce.links): random, stored hashed, scoped to the one
paper (agenda.models.paper_links), expiring when the meeting starts, withdrawable; its GET
shows and changes nothing, an upload is a POST with the page's CSRF token. The lead can
upload or replace the paper until the pack is issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from taskforce import mail
from taskforce.agenda import emails
from taskforce.agenda.lead_links import issue_link, withdraw_links
from taskforce.agenda.models import AgendaItem, Paper, paper_links
from taskforce.agenda.services import (
    check_lead_email,
    ensure_paper,
    pack_issued,
    papers_deadline,
)
from taskforce.audit.services import Actor, record
from taskforce.clock import today as service_today
from taskforce.db import utcnow
from taskforce.errors import Conflict, ValidationError
from taskforce.extensions import db
from taskforce.links import AccessLink, LinkProblem, Purpose, resolve
from taskforce.meetings.models import MeetingStatus
from taskforce.text import YEARS


@dataclass(frozen=True)
class Commissioned:
    sent: int
    due_on: date
    email: str


def _check_commissionable(item: AgendaItem) -> None:
    meeting = item.meeting
    if meeting.status != MeetingStatus.SCHEDULED or meeting.start_at <= utcnow():
        state = "cancelled" if meeting.status == MeetingStatus.CANCELLED else "past"
        raise Conflict(
            f"Meeting {meeting.number} is {state}: its papers can no longer be commissioned"
        )
    if pack_issued(meeting):
        raise Conflict(
            f"The pack for meeting {meeting.number} has been issued: papers can no longer be "
            "commissioned for it"
        )


def commission(
    item: AgendaItem,
    actor: Actor,
    *,
    paper_lead_email: str | None = None,
    due_on: date | None = None,
) -> Commissioned:
    """Ask the paper lead for the item's paper: one email with their upload link and the due
    date (the papers deadline unless given). Earlier links for the paper are withdrawn."""
    _check_commissionable(item)
    meeting = item.meeting
    email = check_lead_email(paper_lead_email) or (
        item.paper.paper_lead_email if item.paper else ""
    )
    if not email:
        raise ValidationError.single(
            "paper_lead_email", "Enter the email address of the paper's lead"
        )
    due = due_on or papers_deadline(meeting)
    if due.year not in YEARS:
        raise ValidationError.single("due_on", f"Give a date from {YEARS[0]} to {YEARS[-1]}")
    meeting_day = meeting.start_at.date()
    if due < service_today() and due_on is not None:
        raise ValidationError.single("due_on", "The due date is in the past")
    if due >= meeting_day:
        raise ValidationError.single("due_on", "The paper must be due before the meeting")
    mail.refuse_undeliverable(email, "Correct the paper lead's address first.")
    paper = ensure_paper(item)
    db.session.flush()
    withdraw_links(paper)
    paper.paper_lead_email = email
    paper.commissioned_at = utcnow()
    paper.commissioned_by = actor.label[:255]
    if paper.due_on != due:
        paper.reminded_on = paper.chased_on = None
    paper.due_on = due
    token = issue_link(paper)
    emails.commissioned(paper, token, sender=actor.label)
    record(
        actor,
        "paper.commissioned",
        meeting,
        taskforce_id=meeting.taskforce_id,
        changes={"reference": paper.reference, "paper_lead_email": email, "due_on": due},
        summary=f"Commissioned {paper.reference} from {email}, due {due:%-d %B %Y}",
    )
    return Commissioned(1, due, email)


def withdraw(item: AgendaItem, actor: Actor) -> int:
    """Withdraw the paper lead's links (the commission stands; a new one sends a new link)."""
    if item.paper is None:
        return 0
    count = withdraw_links(item.paper)
    if count:
        record(
            actor,
            "paper.links_withdrawn",
            item.meeting,
            taskforce_id=item.meeting.taskforce_id,
            summary=f"Withdrew {count} upload link(s) for {item.paper.reference}",
        )
    return count


def paper_for_link(token: str) -> tuple[AccessLink, Paper]:
    """The live link for a token and the paper it may upload; else LinkProblem (404, 410)."""
    link = resolve(token, Purpose.PAPER_LEAD)
    paper = db.session.scalar(
        select(Paper)
        .join(paper_links, paper_links.c.paper_id == Paper.id)
        .where(paper_links.c.link_id == link.id)
    )
    if paper is None:
        raise LinkProblem(410, "This link has been withdrawn: the item is no longer on the agenda.")
    meeting = paper.item.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise LinkProblem(410, f"Meeting {meeting.number} has been cancelled.")
    if pack_issued(meeting):
        raise LinkProblem(
            410,
            f"The pack for meeting {meeting.number} has been issued, so papers can no longer "
            "be uploaded here.",
        )
    return link, paper
