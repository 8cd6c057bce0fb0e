"""Emailed links that act without a login: random, stored hashed, scoped, expiring, revocable.

A link's GET only ever shows something (mail scanners open links); changes need a POST with
a CSRF token from the page the GET served.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, insert, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskforce.bodies.models import Member
from taskforce.db import utcnow
from taskforce.extensions import db

if TYPE_CHECKING:
    from taskforce.actions.models import Action

#: A calendar feed is subscribed to once and read for months.
FEED_LIFETIME = timedelta(days=366)


class Purpose(enum.StrEnum):
    CALENDAR_FEED = "calendar_feed"
    APOLOGIES = "apologies"
    ACTION_OWNER = "action_owner"
    #: A paper lead's upload link, for one paper (agenda.models.paper_links).
    PAPER_LEAD = "paper_lead"
    #: A member's link to download the issued packs of one meeting (taskforce.packs).
    PACK = "pack"


class LinkProblem(Exception):
    """Why a link cannot be used; status is 404 (unknown) or 410 (expired or revoked)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


#: The actions an owner's link may touch, and no others.
link_actions = Table(
    "access_link_actions",
    db.metadata,
    Column("link_id", ForeignKey("access_links.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class AccessLink(db.Model):
    __tablename__ = "access_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the URL; the token itself is only ever in the email.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(30))
    #: Whose link it is: the address it was sent to.
    email: Mapped[str] = mapped_column(String(254), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    actions: Mapped[list[Action]] = relationship(secondary=link_actions, order_by="Action.due_on")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    purpose: Purpose,
    *,
    email: str,
    lifetime: timedelta,
    member_id: int | None = None,
    meeting_id: int | None = None,
    actions: Sequence[Action] = (),
) -> str:
    """Create a link and return its token, to be put in an email and nowhere else."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccessLink(
            token_hash=_hash(token),
            purpose=str(purpose),
            email=email,
            member_id=member_id,
            meeting_id=meeting_id,
            expires_at=utcnow() + lifetime,
            actions=list(actions),
        )
    )
    return token


def issue_for_actions(scopes: Sequence[tuple[str, list[int]]], lifetime: timedelta) -> list[str]:
    """Issue one owner link per (email, action ids) in bulk; return the tokens in order.

    The chaser issues a thousand at once, so this writes rows directly rather than through
    the unit of work.
    """
    if not scopes:
        return []
    now = utcnow()
    tokens = [secrets.token_urlsafe(32) for _ in scopes]
    rows = [
        {
            "token_hash": _hash(token),
            "purpose": str(Purpose.ACTION_OWNER),
            "email": email,
            "created_at": now,
            "expires_at": now + lifetime,
        }
        for token, (email, _action_ids) in zip(tokens, scopes, strict=True)
    ]
    table = AccessLink.__table__
    ids = db.session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).all()
    db.session.execute(
        insert(link_actions),
        [
            {"link_id": link_id, "action_id": action_id}
            for link_id, (_email, action_ids) in zip(ids, scopes, strict=True)
            for action_id in action_ids
        ],
    )
    return tokens


def resolve(token: str, purpose: Purpose) -> AccessLink:
    """Return the live link for a token of this purpose, or raise LinkProblem."""
    if not 20 <= len(token) <= 100:
        raise LinkProblem(404, "This link is not recognised.")
    link = db.session.scalar(select(AccessLink).where(AccessLink.token_hash == _hash(token)))
    if link is None or link.purpose != purpose:
        raise LinkProblem(404, "This link is not recognised.")
    if link.revoked_at is not None:
        raise LinkProblem(410, "This link has been withdrawn.")
    if link.expires_at <= utcnow():
        raise LinkProblem(410, "This link has expired.")
    return link


def live_links_through(
    scope: Table, column: str, record_id: int, purpose: Purpose
) -> list[AccessLink]:
    """The live (not withdrawn, not expired) links of a purpose that a scope table, such as
    link_actions, ties to one record: those whose row has `column` equal to `record_id`."""
    return list(
        db.session.scalars(
            select(AccessLink)
            .join(scope, scope.c.link_id == AccessLink.id)
            .where(
                scope.c[column] == record_id,
                AccessLink.purpose == str(purpose),
                AccessLink.revoked_at.is_(None),
                AccessLink.expires_at > utcnow(),
            )
        )
    )


def release_action(action: Action) -> int:
    """Take an action out of every owner link's scope, for good; return how many links.

    Done when an action is closed or dropped: its links stop reaching it, and reopening it
    does not bring them back (the owner is sent a new link when one is needed). A link left
    with nothing to reach is dead, and its page says the actions are closed.
    """
    links = db.session.scalars(
        select(AccessLink)
        .join(link_actions, link_actions.c.link_id == AccessLink.id)
        .where(link_actions.c.action_id == action.id)
    ).all()
    for link in links:
        link.actions.remove(action)
    return len(links)


def resolve_for_member(token: str, purpose: Purpose) -> tuple[AccessLink, Member]:
    """Return a live member's link of this purpose and the member record it was issued for.

    A member's link is issued for one member record (one membership of one task force) and
    sent to that member's address. It works while that record is a current member at that
    same address: removing the member, or changing their address, ends it for good.
    """
    link = resolve(token, purpose)
    member = db.session.get(Member, link.member_id) if link.member_id is not None else None
    if member is None or member.removed_at is not None or member.email != link.email:
        raise LinkProblem(
            410, "This link has been withdrawn: the membership it was sent for has changed."
        )
    return link, member


def revoke(stmt) -> int:
    """Withdraw every link the select statement finds; return how many."""
    now = utcnow()
    count = 0
    for link in db.session.scalars(stmt):
        link.revoked_at = now
        count += 1
    return count


def revoke_for_member(member_id: int, purpose: Purpose | None = None) -> int:
    """Withdraw every live link issued for one member record (of one purpose, if given);
    return how many.

    Keyed on the member record, which belongs to one task force, never on an address: the
    same person in another task force is another secretariat's business, and their links
    there must not be touched from here.
    """
    stmt = select(AccessLink).where(
        AccessLink.member_id == member_id, AccessLink.revoked_at.is_(None)
    )
    if purpose is not None:
        stmt = stmt.where(AccessLink.purpose == str(purpose))
    return revoke(stmt)
