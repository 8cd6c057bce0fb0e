"""Paper leads' upload links: taskforce.links of purpose PAPER_LEAD, each scoped to one paper
through agenda.models.paper_links."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from taskforce.agenda.models import Paper, paper_links
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.links import AccessLink, Purpose, issue, live_links_through, resolve
from taskforce.meetings.models import Meeting

#: A link made the day before a meeting still gives its lead a day or two.
MIN_LIFETIME = timedelta(days=2)


def lifetime(meeting: Meeting) -> timedelta:
    """Links work until the meeting starts (the pack has gone long before)."""
    return max(meeting.start_at - utcnow(), MIN_LIFETIME)


def issue_link(paper: Paper) -> str:
    """A new upload link for the paper's lead; return its token (for the email only)."""
    meeting = paper.item.meeting
    token = issue(
        Purpose.PAPER_LEAD,
        email=paper.paper_lead_email,
        lifetime=lifetime(meeting),
        meeting_id=meeting.id,
    )
    db.session.flush()
    link = resolve(token, Purpose.PAPER_LEAD)
    db.session.execute(insert(paper_links).values(link_id=link.id, paper_id=paper.id))
    return token


def live_links(paper: Paper) -> list[AccessLink]:
    """The paper's upload links that still work."""
    return live_links_through(paper_links, "paper_id", paper.id, Purpose.PAPER_LEAD)


def withdraw_links(paper: Paper) -> int:
    """Stop every live upload link for this paper; return how many."""
    links = live_links(paper)
    now = utcnow()
    for link in links:
        link.revoked_at = now
    return len(links)


def extend_links(paper: Paper, meeting: Meeting) -> None:
    """Keep a carried-over paper's links working until its new meeting."""
    until = utcnow() + lifetime(meeting)
    for link in live_links(paper):
        link.expires_at = max(link.expires_at, until)
        link.meeting_id = meeting.id
