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
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from taskforce.db import utcnow
from taskforce.extensions import db

log = logging.getLogger(__name__)

#: Minutes to wait after each failed attempt; then the message is marked failed.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 720)
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
    if dedupe_key is not None and already_queued(dedupe_key):
        return None
    recipients = [addr.strip() for addr in str(message["To"]).split(",") if addr.strip()]
    row = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        recipients=",".join(recipients),
        subject=str(message["Subject"])[:500],
        raw=message.as_string(),
        taskforce_id=taskforce_id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def already_queued(dedupe_key: str) -> bool:
    return (
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        is not None
    )


def _claim_due(limit: int) -> list[int]:
    now = utcnow()
    due = or_(
        (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE_CLAIM),
    )
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
        )
    )
    claimed = []
    for message_id in ids:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, due)
            .values(status="sending", claimed_at=now)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    if config["SMTP_STARTTLS"]:
        smtp.starttls(context=ssl.create_default_context())
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    return smtp


def _envelope_sender() -> str:
    return current_app.config["MAIL_FROM"].rsplit("<", 1)[-1].rstrip(">").strip()


def _failed(row: OutboxMessage, error: Exception | str) -> None:
    row.attempts += 1
    row.last_error = str(error)[:1000]
    row.claimed_at = None
    if row.attempts > len(BACKOFF_MINUTES):
        row.status = "failed"
        log.error(
            "giving up on outbox message %s after %s attempts: %s", row.id, row.attempts, error
        )
    else:
        row.status = "queued"
        row.next_attempt_at = utcnow() + timedelta(minutes=BACKOFF_MINUTES[row.attempts - 1])
        log.warning("outbox message %s not sent (attempt %s): %s", row.id, row.attempts, error)


def deliver_queued(limit: int = 500) -> tuple[int, int]:
    """Send what is due over one SMTP connection; return (sent, failed)."""
    claimed = _claim_due(limit)
    if not claimed:
        return 0, 0
    sent = failed = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))):
            _failed(row, error)
        db.session.commit()
        return 0, len(claimed)
    try:
        for message_id in claimed:
            row = db.session.get(OutboxMessage, message_id)
            try:
                refused = smtp.sendmail(
                    _envelope_sender(), row.recipients.split(","), row.raw.encode("utf-8")
                )
            except smtplib.SMTPRecipientsRefused as error:
                _failed(row, error)
                failed += 1
            except (OSError, smtplib.SMTPException) as error:
                _failed(row, error)
                failed += 1
                smtp = _reconnect(smtp)
            else:
                row.status = "sent"
                row.sent_at = utcnow()
                row.claimed_at = None
                row.last_error = f"refused by server: {', '.join(refused)}" if refused else ""
                sent += 1
            db.session.commit()  # one row at a time: a crash loses no record of what went
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return sent, failed


def _reconnect(smtp: smtplib.SMTP) -> smtplib.SMTP:
    with contextlib.suppress(OSError):
        smtp.close()
    try:
        return _connect()
    except (OSError, smtplib.SMTPException):
        return smtp


def deliver_after_commit() -> tuple[int, int]:
    """Try the outbox now; a failure leaves mail queued for the scheduler, never an error."""
    try:
        return deliver_queued()
    except Exception:  # the request has committed: its caller must not see a mail failure
        log.exception("delivering the outbox failed; the scheduler will retry")
        db.session.rollback()
        return 0, 0


def commit_and_deliver(queued: int) -> tuple[int, int]:
    """Commit the caller's transaction, then send what it queued; return (sent, failed)."""
    db.session.commit()
    return deliver_after_commit() if queued else (0, 0)


def retry_now(row: OutboxMessage) -> None:
    """Put a failed or waiting message back at the front of the queue."""
    if row.status in ("queued", "failed"):
        row.status = "queued"
        row.next_attempt_at = utcnow()
        if row.attempts > len(BACKOFF_MINUTES):
            row.attempts = len(BACKOFF_MINUTES)  # one more try before it fails again
