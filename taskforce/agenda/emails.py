"""What paper leads receive, one function per email; the subject is in each template.

Each renders its template in `templates/emails/` and hands the message to the outbox; only
`taskforce.mail` talks to SMTP.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

from flask import current_app

from taskforce import mail
from taskforce.agenda.models import Paper
from taskforce.formatting import local


def _context(paper: Paper, token: str) -> dict:
    item = paper.item
    meeting = item.meeting
    return {
        "paper": paper,
        "item": item,
        "meeting": meeting,
        "tf": meeting.taskforce,
        "url": f"{current_app.config['BASE_URL'].rstrip('/')}/p/{token}",
        "due": _long(paper.due_on),
        "meeting_day": f"{_long(local(meeting.start_at).date())}",
        "max_mb": current_app.config["PAPER_MAX_MB"],
    }


def _long(day: date | None) -> str:
    return f"{day:%A %-d %B %Y}" if day else ""


def _message(paper: Paper, template: str, context: dict) -> EmailMessage:
    subject, body = mail.render(template, **context)
    message = mail.new_message([paper.paper_lead_email], subject)
    message.set_content(body)
    return message


def commissioned(paper: Paper, token: str, *, sender: str) -> mail.OutboxMessage | None:
    """Ask a paper lead for their paper, with their upload link and the due date."""
    message = _message(
        paper, "emails/paper_commissioned.txt", {**_context(paper, token), "sender": sender}
    )
    return mail.queue(
        message, kind="paper_commission", taskforce_id=paper.item.meeting.taskforce_id
    )


def reminder(paper: Paper, token: str, step: str, dedupe_key: str) -> mail.OutboxMessage | None:
    """Remind (before the due date) or chase (after it) a paper lead, once per due date: the
    outbox refuses a second message with the same dedupe key, and then None is returned."""
    template = "emails/paper_reminder.txt" if step == "reminder" else "emails/paper_chase.txt"
    message = _message(paper, template, _context(paper, token))
    return mail.queue(
        message,
        kind=f"paper_{step}",
        dedupe_key=dedupe_key,
        taskforce_id=paper.item.meeting.taskforce_id,
    )
