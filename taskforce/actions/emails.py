"""Emails to action owners outside the chasing run: a link to update one action."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import select

from taskforce import mail
from taskforce.actions.chasing import OWNER_LINK_LIFETIME
from taskforce.actions.models import Action
from taskforce.audit.services import Actor, record
from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.extensions import db
from taskforce.links import AccessLink, Purpose, issue, link_actions


def live_owner_links(action: Action) -> list[AccessLink]:
    return list(
        db.session.scalars(
            select(AccessLink)
            .join(link_actions, link_actions.c.link_id == AccessLink.id)
            .where(
                link_actions.c.action_id == action.id,
                AccessLink.purpose == str(Purpose.ACTION_OWNER),
                AccessLink.revoked_at.is_(None),
                AccessLink.expires_at > utcnow(),
            )
        )
    )


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


def send_owner_link(action: Action, actor: Actor) -> mail.OutboxMessage | None:
    """Withdraw the owner's earlier links for this action and email them a new one."""
    if action.status in ("closed", "dropped"):
        raise Conflict(f"{action.reference} is {action.status}: its owner has nothing to update.")
    withdraw_owner_links(action, actor)
    token = issue(
        Purpose.ACTION_OWNER,
        email=action.owner_email,
        lifetime=OWNER_LINK_LIFETIME,
        actions=[action],
    )
    message = mail.new_message([action.owner_email], f"Action for you: {action.reference}")
    message.set_content(
        render_template(
            "emails/owner_link.txt",
            action=action,
            url=f"{current_app.config['BASE_URL'].rstrip('/')}/a/{token}",
            days=OWNER_LINK_LIFETIME.days,
        )
    )
    row = mail.queue(message, kind="owner_link", taskforce_id=action.taskforce_id)
    record(
        actor,
        "action.link_sent",
        action,
        taskforce_id=action.taskforce_id,
        summary=f"Emailed {action.owner_name} a link to update {action.reference}",
    )
    return row
