"""What action owners, chairs and secretariats receive about actions, one function per email.

Each function renders its template (subject and body together, in `templates/emails/`) and
hands the message to the outbox; only `taskforce.mail` talks to SMTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app

from taskforce import mail
from taskforce.actions.models import Action, ChaseStep
from taskforce.audit.services import Actor, record
from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.links import AccessLink, Purpose, issue, link_actions, live_links_through

#: How long an owner's emailed link works (it also dies once its actions are closed).
OWNER_LINK_LIFETIME = timedelta(days=60)
#: A description longer than this is shortened in a digest; the link shows it whole.
DIGEST_DESCRIPTION_MAX = 300


@dataclass
class DigestEntry:
    """One action in an owner's digest, and the chasing step (if any) it reached this run."""

    action_id: int
    reference: str
    description: str
    taskforce_id: int
    taskforce_name: str
    due_on: date
    status: str
    owner_name: str
    step: str | None
    token: str = ""

    def overdue_by(self, today: date) -> int:
        return (today - self.due_on).days


def owner_digest(email: str, name: str, entries: list[DigestEntry], today: date) -> mail.Outgoing:
    """The chasing digest for one owner: overdue actions first, each with its own link."""
    late = [e for e in entries if e.due_on < today]
    soon = [e for e in entries if e.due_on >= today]
    base_url = _base_url()
    # Each line is worked out here so the template only lays it out: a run renders a
    # thousand of these.
    lines = [
        {
            "reference": e.reference,
            "taskforce_name": e.taskforce_name,
            "description": e.description
            if len(e.description) <= DIGEST_DESCRIPTION_MAX
            else e.description[: DIGEST_DESCRIPTION_MAX - 3] + "...",
            "due": _due_text(e.due_on, today),
            "escalated": e.step == ChaseStep.ESCALATION,
            "url": f"{base_url}/a/{e.token}",
        }
        for e in late + soon
    ]
    subject, body = mail.render(
        "emails/owner_digest.txt",
        name=name,
        late=len(late),
        soon=len(soon),
        lines=lines,
        days=OWNER_LINK_LIFETIME.days,
    )
    return mail.Outgoing.plain([email], subject, body, "chase", entries[0].taskforce_id)


def escalation(
    taskforce_id: int, recipients: list[str], entries: list[DigestEntry], today: date
) -> mail.Outgoing:
    """Tell a task force's chair and secretariat which actions reached the last rung."""
    subject, body = mail.render(
        "emails/escalation.txt",
        tf_name=entries[0].taskforce_name,
        entries=entries,
        today=today,
        base_url=_base_url(),
    )
    return mail.Outgoing.plain(recipients, subject, body, "escalation", taskforce_id)


def send_owner_link(action: Action, actor: Actor) -> mail.OutboxMessage | None:
    """Withdraw the owner's earlier links for this action and email them a new one."""
    if action.is_ended:
        raise Conflict(f"{action.reference} is {action.status}: its owner has nothing to update.")
    mail.refuse_undeliverable(action.owner_email)
    withdraw_owner_links(action, actor)
    token = issue(
        Purpose.ACTION_OWNER,
        email=action.owner_email,
        lifetime=OWNER_LINK_LIFETIME,
        actions=[action],
    )
    subject, body = mail.render(
        "emails/owner_link.txt",
        action=action,
        url=f"{_base_url()}/a/{token}",
        days=OWNER_LINK_LIFETIME.days,
    )
    message = mail.new_message([action.owner_email], subject)
    message.set_content(body)
    row = mail.queue(message, kind="owner_link", taskforce_id=action.taskforce_id)
    record(
        actor,
        "action.link_sent",
        action,
        taskforce_id=action.taskforce_id,
        summary=f"Emailed {action.owner_name} a link to update {action.reference}",
    )
    return row


def live_owner_links(action: Action) -> list[AccessLink]:
    """The owner links that still reach this action."""
    return live_links_through(link_actions, "action_id", action.id, Purpose.ACTION_OWNER)


def withdraw_owner_links(action: Action, actor: Actor) -> int:
    """Stop every live link reaching this action; return how many.

    A link that also reaches other actions (a chasing digest's) keeps working for them: only
    this action leaves its scope. A link left with nothing to reach is revoked.
    """
    links = live_owner_links(action)
    now = utcnow()
    for link in links:
        if len(link.actions) > 1:
            link.actions.remove(action)
        else:
            link.revoked_at = now
    if links:
        record(
            actor,
            "action.links_withdrawn",
            action,
            taskforce_id=action.taskforce_id,
            summary=f"Withdrew {len(links)} owner link(s) for {action.reference}",
        )
    return len(links)


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


@lru_cache(maxsize=1024)
def _long_date(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def _due_text(due_on: date, today: date) -> str:
    late = (today - due_on).days
    text = _long_date(due_on)
    return f"{text}, overdue by {late} day{'s' if late != 1 else ''}" if late > 0 else text
