"""What attendees receive when a pack is issued: one email each per version.

Every current member of the task force gets it, those who sent apologies included (their
deputy, or their office, works from it). It carries the Word pack attached when the
attachments stay under PACK_ATTACH_MAX_MB, and always a personal download link
(`BASE_URL/pack/<token>`: taskforce.links of purpose PACK, for that member and that meeting's
packs only, expiring PACK_LINK_DAYS after the meeting, withdrawn when the next version's
link is sent, GET harmless). A named recipient of a restricted paper also gets their
restricted supplement, attached on the same terms and behind the same link.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from taskforce import links, mail
from taskforce.bodies.models import Member
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.formatting import local
from taskforce.packs.document import clock
from taskforce.packs.gather import general_lines
from taskforce.packs.models import PackSupplement, PackVersion
from taskforce.text import address_problem

#: An emailed pack link works for this long after the meeting (its minutes cite the pack).
PACK_LINK_DAYS = 90
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def link_lifetime(version: PackVersion) -> timedelta:
    return max(version.meeting.end_at - utcnow(), timedelta(0)) + timedelta(days=PACK_LINK_DAYS)


def withdraw_links(meeting_id: int, member_id: int | None = None) -> int:
    """Withdraw the live pack links of a meeting (of one member, if given); return how many."""
    stmt = select(links.AccessLink).where(
        links.AccessLink.purpose == str(links.Purpose.PACK),
        links.AccessLink.meeting_id == meeting_id,
        links.AccessLink.revoked_at.is_(None),
    )
    if member_id is not None:
        stmt = stmt.where(links.AccessLink.member_id == member_id)
    return links.revoke(stmt)


def live_links(meeting_id: int) -> int:
    """How many of a meeting's pack links still work."""
    return len(
        db.session.scalars(
            select(links.AccessLink.id).where(
                links.AccessLink.purpose == str(links.Purpose.PACK),
                links.AccessLink.meeting_id == meeting_id,
                links.AccessLink.revoked_at.is_(None),
                links.AccessLink.expires_at > utcnow(),
            )
        ).all()
    )


def send_pack(
    version: PackVersion,
    member: Member,
    *,
    docx: bytes,
    supplement: PackSupplement | None = None,
    supplement_docx: bytes = b"",
) -> bool | None:
    """Queue one member's email for an issued version: True if queued, False if it was
    queued before (the outbox's dedupe key), None if mail cannot reach their address."""
    if address_problem(member.email):
        return None
    key = f"pack:{version.id}:{member.id}"
    if mail.already_queued(key):
        return False
    meeting = version.meeting
    tf = meeting.taskforce
    withdraw_links(meeting.id, member.id)
    token = links.issue(
        links.Purpose.PACK,
        email=member.email,
        member_id=member.id,
        meeting_id=meeting.id,
        lifetime=link_lifetime(version),
    )
    limit = current_app.config["PACK_ATTACH_MAX_MB"] * 1024 * 1024
    attach_pack = len(docx) <= limit
    attach_supplement = supplement is not None and (
        len(supplement_docx) + (len(docx) if attach_pack else 0) <= limit
    )
    base = current_app.config["BASE_URL"].rstrip("/")
    context = {
        "tf": tf,
        "meeting": meeting,
        "member": member,
        "version": version,
        "start": local(meeting.start_at),
        "time": clock(local(meeting.start_at).time()),
        "url": f"{base}/pack/{token}",
        "changes": general_lines(version.changes),
        "revised": version.number > 1,
        "attached": attach_pack,
        "supplement": supplement,
        "supplement_attached": attach_supplement,
        "limit_mb": current_app.config["PACK_ATTACH_MAX_MB"],
        "expires": local(utcnow() + link_lifetime(version)).date(),
    }
    subject, body = mail.render("emails/pack_issued.txt", **context)
    message = mail.new_message([member.email], subject)
    message.set_content(body)
    stem = f"{tf.code}-{meeting.number}"
    if attach_pack:
        message.add_attachment(
            docx,
            maintype=DOCX_TYPE[0],
            subtype=DOCX_TYPE[1],
            filename=f"{stem}-pack-v{version.number}.docx",
        )
    if attach_supplement:
        message.add_attachment(
            supplement_docx,
            maintype=DOCX_TYPE[0],
            subtype=DOCX_TYPE[1],
            filename=f"{stem}-restricted-supplement-v{version.number}.docx",
        )
    kind = "pack_revised" if version.number > 1 else "pack"
    return mail.queue(message, kind=kind, dedupe_key=key, taskforce_id=tf.id) is not None
