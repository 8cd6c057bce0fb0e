"""The outbox: every email is a row first, then delivered; the only module that talks SMTP.

A request or command that queues mail calls deliver_queued() after its transaction commits,
so mail normally leaves within the request. Whatever fails stays queued with a back-off and
the scheduler retries it. A message is claimed (queued → sending) in its own committed
update before it is sent, so two processes never send the same row; a process that dies
mid-send leaves the row "sending", and it is retried once that claim is stale.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import String, Text, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from taskforce.db import utcnow
from taskforce.extensions import db

log = logging.getLogger(__name__)

#: Minutes to wait after each failed attempt; the last repeats while the server stays down.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 720)
#: Attempts, counting interrupted sends, before a message is given up as failed.
MAX_ATTEMPTS = 40
#: A claim older than this is taken to belong to a process that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What the message is for, e.g. "invite", "cancellation": for the outbox page.
    kind: Mapped[str] = mapped_column(String(40))
    #: Set when the same logical message must never be queued twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated envelope recipients
    subject: Mapped[str] = mapped_column(String(500))
    #: The whole message as sent, so a retry sends exactly the same bytes.
    raw: Mapped[str] = mapped_column(Text)
    #: queued, sending, sent or failed.
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    #: Which delivery run holds the claim: it sends only while the claim is still its own.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    taskforce_id: Mapped[int | None] = mapped_column(index=True)


def new_message(to: list[str], subject: str) -> EmailMessage:
    """Start an email from the service's sender with a unique Message-ID."""
    message = EmailMessage(policy=SMTP)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    return message


def _sender_domain() -> str:
    sender = current_app.config["MAIL_FROM"]
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"


def queue(
    message: EmailMessage,
    *,
    kind: str,
    dedupe_key: str | None = None,
    taskforce_id: int | None = None,
) -> OutboxMessage | None:
    """Add a message to the outbox; return None if one with this dedupe key exists."""
    recipients = [addr.strip() for addr in str(message["To"]).split(",") if addr.strip()]
    row = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        recipients=",".join(recipients),
        subject=str(message["Subject"])[:500],
        raw=message.as_string(),
        taskforce_id=taskforce_id,
    )
    try:
        with db.session.begin_nested():  # two identical requests racing: one wins, quietly
            db.session.add(row)
    except IntegrityError:
        return None
    if has_app_context():
        g.setdefault("outbox_ids", []).append(row.id)
    return row


def queue_many(messages: list[tuple[EmailMessage, str, int | None]]) -> list[int]:
    """Add many (message, kind, taskforce_id) rows in one statement; return their ids.

    For runs that queue hundreds of messages at once (chasing); they carry no dedupe key,
    the caller's own log being what stops a repeat.
    """
    if not messages:
        return []
    now = utcnow()
    rows = []
    for message, kind, taskforce_id in messages:
        recipients = [addr.strip() for addr in str(message["To"]).split(",") if addr.strip()]
        rows.append(
            {
                "kind": kind,
                "recipients": ",".join(recipients),
                "subject": str(message["Subject"])[:500],
                "raw": message.as_string(),
                "taskforce_id": taskforce_id,
                "created_at": now,
                "next_attempt_at": now,
                "status": "queued",
                "attempts": 0,
                "last_error": "",
            }
        )
    table = OutboxMessage.__table__
    ids = list(
        db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    )
    if has_app_context():
        g.setdefault("outbox_ids", []).extend(ids)
    return ids


def already_queued(dedupe_key: str) -> bool:
    return (
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        is not None
    )


def _due(now: datetime):
    return or_(
        (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE_CLAIM),
    )


def _candidates(limit: int, ids: list[int] | None) -> list[int]:
    stmt = select(OutboxMessage.id).where(_due(utcnow()))
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id).limit(limit)))


def _claim(message_id: int, token: str) -> OutboxMessage | None:
    """Take one message for sending, in its own committed update; None if another process has it.

    Claiming row by row, just before sending it, keeps every claim fresh: a slow batch never
    leaves rows that look abandoned while it still means to send them.
    """
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(now))
        .values(
            # Taking over an abandoned send counts as an attempt, so a message that kills
            # its sender cannot loop for ever.
            attempts=OutboxMessage.attempts + case((OutboxMessage.status == "sending", 1), else_=0),
            status="sending",
            claimed_at=now,
            claim_token=token,
        )
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    # A person is waiting on a request: give up sooner there and leave it to the scheduler.
    timeout = 10 if has_request_context() else 30
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
    if config["SMTP_STARTTLS"]:
        smtp.starttls(context=ssl.create_default_context())
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    return smtp


def _envelope_sender() -> str:
    return current_app.config["MAIL_FROM"].rsplit("<", 1)[-1].rstrip(">").strip()


def _is_permanent(error: Exception) -> bool:
    """A refusal that retrying cannot cure: every recipient refused, or a 5xx reply."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _failed(row: OutboxMessage, error: Exception) -> None:
    """Record a failed attempt: permanent refusals stop; anything else waits and retries."""
    row.attempts += 1
    row.last_error = str(error)[:1000]
    row.claimed_at = None
    row.claim_token = None
    if _is_permanent(error) or row.attempts > MAX_ATTEMPTS:
        row.status = "failed"
        log.error("outbox message %s failed: %s", row.id, error)
        return
    # A server that is down is waited for, however long: nothing is lost to an outage.
    row.status = "queued"
    delay = BACKOFF_MINUTES[min(row.attempts, len(BACKOFF_MINUTES)) - 1]
    row.next_attempt_at = utcnow() + timedelta(minutes=delay)
    log.warning("outbox message %s not sent (attempt %s): %s", row.id, row.attempts, error)


def deliver_queued(
    limit: int = 200,
    ids: list[int] | None = None,
    progress: Callable[[int], object] | None = None,
) -> tuple[int, int]:
    """Send what is due (or, given ids, just those) over one connection; return (sent, failed).

    `progress`, if given, is called with 1 as each message is dealt with.
    """
    candidates = _candidates(limit, ids)
    if not candidates:
        return 0, 0
    token = uuid.uuid4().hex
    smtp: smtplib.SMTP | None = None
    sent = failed = 0
    try:
        for message_id in candidates:
            row = _claim(message_id, token)
            if row is None:
                continue
            try:
                if smtp is None:
                    smtp = _connect()
                refused = smtp.sendmail(
                    _envelope_sender(), row.recipients.split(","), row.raw.encode("utf-8")
                )
            except (OSError, smtplib.SMTPException) as error:
                _failed(row, error)
                failed += 1
                if not isinstance(error, smtplib.SMTPRecipientsRefused):
                    smtp = _close(smtp)
            else:
                row.status = "sent"
                row.sent_at = utcnow()
                row.claimed_at = None
                row.claim_token = None
                row.last_error = f"refused by server: {', '.join(refused)}" if refused else ""
                # Sent mail may carry emailed-link tokens: keep no copy of them at rest.
                row.raw = ""
                sent += 1
            db.session.commit()  # one row at a time: a crash loses no record of what went
            if progress is not None:
                progress(1)
    finally:
        _close(smtp)
    return sent, failed


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return None


def deliver_after_commit() -> tuple[int, int]:
    """Send what this request queued; a failure leaves it for the scheduler, never an error."""
    ids = g.pop("outbox_ids", None) if has_app_context() else None
    if not ids:
        return 0, 0
    try:
        return deliver_queued(ids=ids)
    except Exception:  # the request has committed: its caller must not see a mail failure
        log.exception("delivering the outbox failed; the scheduler will retry")
        db.session.rollback()
        return 0, 0


def commit_and_deliver(queued: int) -> tuple[int, int]:
    """Commit the caller's transaction, then send what it queued; return (sent, failed)."""
    db.session.commit()
    return deliver_after_commit() if queued else (0, 0)


def retry_now(row: OutboxMessage) -> None:
    """Put a failed or waiting message back at the front of the queue, for this request."""
    if row.status in ("queued", "failed"):
        row.status = "queued"
        row.next_attempt_at = utcnow()
        row.attempts = min(row.attempts, MAX_ATTEMPTS - 1)
        g.setdefault("outbox_ids", []).append(row.id)
