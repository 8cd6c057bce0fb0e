"""The outbox: every email is a row first, then delivered; the only module that talks SMTP.

A request or command that queues mail calls deliver_queued() after its transaction commits,
so mail normally leaves within the request. Whatever fails stays queued with a back-off and
the scheduler retries it. A message is claimed (queued → sending) in its own committed
update before it is sent, so two processes never send the same row; a process that dies
mid-send leaves the row "sending", and it is retried once that claim is stale.

With no mail server configured (SMTP_HOST unset, the embedded default) the outbox itself is
the mailbox: each message is delivered at once by being kept, whole, in its row ("kept"),
where the Outbox page shows it as its recipient would read it. Kept mail is never retried.
"""

from __future__ import annotations

import binascii
import contextlib
import logging
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from functools import lru_cache
from queue import SimpleQueue

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import String, Text, bindparam, case, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.extensions import db
from taskforce.text import address_problem, one_line

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
    #: queued, sending, sent, failed or kept (delivered to the local mailbox: no mail server).
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    #: Which delivery run holds the claim: it sends only while the claim is still its own.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    taskforce_id: Mapped[int | None] = mapped_column(index=True)


def keeps_mail() -> bool:
    """Whether mail is kept in the outbox rather than sent: no mail server is configured."""
    return not current_app.config["SMTP_HOST"]


def render(template_name: str, **context) -> tuple[str, str]:
    """Render an email template's `subject` and `body` blocks: (subject, body text).

    Straight from the Jinja environment, without Flask's per-render context processors and
    signals: a chasing run renders a thousand of these, and emails use no page globals.
    """
    template = current_app.jinja_env.get_template(template_name)
    blocks = template.new_context(context)
    subject = "".join(template.blocks["subject"](blocks)).strip()
    return subject, "".join(template.blocks["body"](blocks))


def new_message(to: list[str], subject: str) -> EmailMessage:
    """Start an email from the service's sender with a unique Message-ID.

    Header values are made single lines (text.one_line): whatever the subject holds, building
    the message cannot fail on it, so a meeting or action never gets stuck on its own title.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(one_line(address) for address in to)
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    return message


def plain_text(to: list[str], subject: str, body: str) -> str:
    """A plain-text UTF-8 email as it goes on the wire, built directly.

    For the many one-part messages chasing sends: the email package's header objects
    cost more per message than the SMTP conversation itself. Header values are single
    lines (every kind of line break becomes a space: text.one_line); anything not ASCII is
    RFC 2047-encoded.
    """
    headers = (
        ("From", _from_header(current_app.config["MAIL_FROM"])),
        ("To", ", ".join(one_line(address) for address in to)),
        ("Subject", _encode_header(subject)),
        ("Date", formatdate(localtime=False)),
        ("Message-ID", make_msgid(domain=_sender_domain())),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    )
    lines = body.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(lines.encode("utf-8"), istext=True).decode("ascii")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head + "\r\n" + encoded.replace("\n", "\r\n")


@lru_cache(maxsize=8)
def _from_header(mail_from: str) -> str:
    name, address = parseaddr(mail_from)
    return formataddr((one_line(name), one_line(address)), charset="utf-8")


def _encode_header(value: str) -> str:
    value = one_line(value)
    if value.isascii() and len(value) < 900:
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


def refuse_undeliverable(address: str, advice: str = "") -> None:
    """Refuse to email one person at an address mail cannot reach (text.address_problem:
    stored before addresses were checked), rather than queue a message that must fail."""
    if address_problem(address):
        raise Conflict(
            f"Nothing was sent: mail cannot be delivered to {address}, an address with "
            f"letters other than A to Z. {advice}".strip()
        )


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


@dataclass
class Outgoing:
    """A message ready for the outbox: recipients, subject (for the outbox page), raw text."""

    to: list[str]
    subject: str
    raw: str
    kind: str
    taskforce_id: int | None = None

    @classmethod
    def plain(cls, to: list[str], subject: str, body: str, kind: str, taskforce_id=None):
        return cls(to, one_line(subject), plain_text(to, subject, body), kind, taskforce_id)


def queue_many(messages: list[Outgoing]) -> list[int]:
    """Add many messages in one statement; return their ids, in order.

    For runs that queue hundreds of messages at once (chasing); they carry no dedupe key,
    the caller's own log being what stops a repeat.
    """
    if not messages:
        return []
    now = utcnow()
    rows = [
        {
            "kind": message.kind,
            "recipients": ",".join(message.to),
            "subject": message.subject[:500],
            "raw": message.raw,
            "taskforce_id": message.taskforce_id,
            "created_at": now,
            "next_attempt_at": now,
            "status": "queued",
            "attempts": 0,
            "last_error": "",
        }
        for message in messages
    ]
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


#: Messages claimed together; each is still marked sent in its own commit.
CLAIM_BATCH = 50


@dataclass
class Claimed:
    id: int
    recipients: str
    raw: str
    attempts: int


def _claim(message_ids: list[int], token: str) -> list[Claimed]:
    """Take a few messages for sending, in one committed update; skip any another has.

    Claims are taken a small batch at a time, just before sending, so every claim stays
    fresh: a slow run never leaves rows that look abandoned while it still means to send.
    """
    now = utcnow()
    table = OutboxMessage.__table__
    db.session.execute(
        update(table)
        .where(table.c.id.in_(message_ids), _due(now))
        .values(
            # Taking over an abandoned send counts as an attempt, so a message that kills
            # its sender cannot loop for ever.
            attempts=table.c.attempts + case((table.c.status == "sending", 1), else_=0),
            status="sending",
            claimed_at=now,
            claim_token=token,
        )
    )
    rows = db.session.execute(
        select(table.c.id, table.c.recipients, table.c.raw, table.c.attempts)
        .where(table.c.id.in_(message_ids), table.c.claim_token == token)
        .order_by(table.c.id)
    ).all()
    db.session.commit()
    return [Claimed(*row) for row in rows]


def _connect(timeout: float) -> smtplib.SMTP:
    config = current_app.config
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


#: Refusals about one message; the connection is still good for the next one.
SMTP_MESSAGE_ERRORS = (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _renew(message_ids: list[int], token: str, conn: Connection) -> set[int]:
    """Refresh this run's claim on messages it still holds; return their ids."""
    table = OutboxMessage.__table__
    conn.execute(
        update(table)
        .where(table.c.id.in_(message_ids), table.c.claim_token == token)
        .values(claimed_at=utcnow())
    )
    ours = set(
        conn.scalars(
            select(table.c.id).where(table.c.id.in_(message_ids), table.c.claim_token == token)
        )
    )
    conn.commit()
    return ours


def _finish_statement(*columns: str):
    table = OutboxMessage.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.claim_token == bindparam("token"))
        .values(claimed_at=None, claim_token=None, **{c: bindparam(f"new_{c}") for c in columns})
    )


#: Built once: this runs for every message sent.
_MARK_SENT = _finish_statement("status", "sent_at", "last_error", "raw")
_MARK_FAILED = _finish_statement("status", "attempts", "last_error", "next_attempt_at")


def _finish(row: Claimed, token: str, statement, conn: Connection, **values) -> None:
    """Record what became of one claimed message, in its own commit, if the claim is ours.

    Straight on the sender's own connection, not through the session: this runs once per
    message sent, and the unit of work would cost more than the SMTP conversation.
    """
    params = {"row_id": row.id, "token": token, **{f"new_{k}": v for k, v in values.items()}}
    conn.execute(statement, params)
    conn.commit()  # one row at a time: a crash loses no record of what went


def _failed(
    row: Claimed, token: str, error: Exception, conn: Connection, *, permanent: bool = False
) -> None:
    """Record a failed attempt: permanent refusals stop; anything else waits and retries."""
    attempts = row.attempts + 1
    message = str(error)[:1000]
    if permanent or _is_permanent(error) or attempts > MAX_ATTEMPTS:
        log.error("outbox message %s failed: %s", row.id, error)
        _finish(
            row,
            token,
            _MARK_FAILED,
            conn,
            status="failed",
            attempts=attempts,
            last_error=message,
            next_attempt_at=utcnow(),
        )
        return
    # A server that is down is waited for (MAX_ATTEMPTS with the back-off is about 17 days).
    delay = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
    log.warning("outbox message %s not sent (attempt %s): %s", row.id, attempts, error)
    _finish(
        row,
        token,
        _MARK_FAILED,
        conn,
        status="queued",
        attempts=attempts,
        last_error=message,
        next_attempt_at=utcnow() + timedelta(minutes=delay),
    )


def deliver_queued(
    limit: int = 200,
    ids: list[int] | None = None,
    progress: Callable[[int], object] | None = None,
) -> tuple[int, int]:
    """Send what is due (or, given ids, just those); return (sent, failed). With no mail
    server (keeps_mail()), "sent" counts the messages kept in the local mailbox.

    A long queue is shared between up to SMTP_CONNECTIONS connections (see Sender).
    `progress`, if given, is called with 1 as each message is dealt with.
    """
    candidates = _candidates(limit, ids)
    if not candidates:
        return 0, 0
    if len(candidates) <= CLAIM_BATCH:  # one batch: no threads needed
        tally = Tally()
        timeout = _timeout()
        _deliver([candidates], progress, tally, timeout, drain=True)
        return tally.sent, tally.failed
    sender = Sender(progress)
    sender.add(candidates)
    return sender.close()


def _batches(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CLAIM_BATCH] for i in range(0, len(ids), CLAIM_BATCH)]


def _timeout() -> float:
    """Seconds to wait on the SMTP server: a person waiting on a request gets an answer
    sooner, and what did not go is left to the scheduler."""
    return 10 if has_request_context() else 30


class Sender:
    """Send outbox rows in the background as they are added, over SMTP_CONNECTIONS
    connections, each thread with its own database session; claims keep them from ever
    sending the same message. close() waits and returns (sent, failed), where "failed"
    counts what is left for the scheduler to retry as well as what failed.

    A thread whose server connection fails leaves the rest to the others (or, if all of
    them stop, to the next run). Where threads cannot share the database (in-memory
    SQLite), rows are sent on one connection when close() is called.
    """

    def __init__(self, progress: Callable[[int], object] | None = None):
        self.app = current_app._get_current_object()
        self.progress = progress
        self.timeout = _timeout()
        self.lock = threading.Lock()
        self.tallies: list[Tally] = []
        self.held: list[int] = []
        self.batches: SimpleQueue[list[int] | None] = SimpleQueue()
        workers = current_app.config["SMTP_CONNECTIONS"] if _threads_can_write() else 0
        self.threads = [
            threading.Thread(target=self._work, name=f"outbox-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def add(self, ids: list[int]) -> None:
        """Hand over rows already committed to the outbox."""
        if not self.threads:
            self.held.extend(ids)
            return
        for batch in _batches(ids):
            self.batches.put(batch)

    def close(self) -> tuple[int, int]:
        if not self.threads:
            tally = Tally()
            _deliver(_batches(self.held), self.progress, tally, self.timeout, drain=True)
            return tally.sent, tally.failed
        for _thread in self.threads:
            self.batches.put(None)
        for thread in self.threads:
            thread.join()
        left = 0  # batches no thread took, every one of them having stopped: still queued
        while not self.batches.empty():
            batch = self.batches.get()
            left += len(batch or [])
        return sum(t.sent for t in self.tallies), sum(t.failed for t in self.tallies) + left

    def _report(self, count: int) -> None:
        if self.progress is not None:
            with self.lock:
                self.progress(count)

    def _work(self) -> None:
        tally = Tally()
        with self.lock:
            self.tallies.append(tally)
        with self.app.app_context():
            try:
                _deliver(iter(self.batches.get, None), self._report, tally, self.timeout)
            except Exception:  # a database failure: this thread stops, the others go on
                log.exception("an outbox sender stopped; its messages will be retried")
            finally:
                db.session.remove()


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0


class _ServerDown(Exception):
    """The SMTP server could not be reached or dropped the connection."""


def _threads_can_write() -> bool:
    """An in-memory SQLite database is one connection: it cannot be shared between threads."""
    url = db.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _deliver(
    batches: Iterable[list[int]],
    progress: Callable[[int], object] | None,
    tally: Tally,
    timeout: float,
    *,
    drain: bool = False,
) -> None:
    """Claim and send batch by batch over one SMTP connection, counting into `tally`.

    If the server cannot be reached, or drops the connection, the messages this run holds
    go back to the queue uncharged (only one being sent at that moment counts an attempt)
    and this sender stops; with `drain`, the batches it has not reached are counted too.
    """
    batches = iter(batches)  # so that draining counts only the batches not reached
    token = uuid.uuid4().hex
    smtp: smtplib.SMTP | None = None
    books = db.engine.connect()  # where each send is recorded, one commit per message
    pending: list[Claimed] = []
    keep = keeps_mail()
    try:
        for batch in batches:
            pending = _claim(batch, token)
            if keep:
                _keep(pending, token, books)
                tally.sent += len(pending)
                if progress is not None:
                    for _row in pending:
                        progress(1)
                pending = []
                continue
            claimed = time.monotonic()
            while pending:
                if time.monotonic() - claimed > STALE_CLAIM.total_seconds() / 2:
                    # A slow server: renew the claim on what is left before anyone else
                    # takes it for abandoned, and drop whatever is no longer ours.
                    ours = _renew([r.id for r in pending], token, books)
                    pending = [r for r in pending if r.id in ours]
                    claimed = time.monotonic()
                    if not pending:
                        break
                if smtp is None:
                    try:
                        smtp = _connect(timeout)
                    except Exception as error:  # unreachable or misconfigured: not the mail's
                        log.warning("cannot reach the SMTP server: %s", error)
                        raise _ServerDown(error) from error
                row = pending.pop(0)
                try:
                    refused = smtp.sendmail(
                        _envelope_sender(), row.recipients.split(","), row.raw.encode("utf-8")
                    )
                except (OSError, smtplib.SMTPException) as error:
                    _failed(row, token, error, books)
                    tally.failed += 1
                    if not isinstance(error, (smtplib.SMTPRecipientsRefused, *SMTP_MESSAGE_ERRORS)):
                        smtp = _close(smtp)
                        raise _ServerDown(error) from error
                except Exception as error:
                    # Nothing about this message will change by retrying it: fail it for good,
                    # and start the next one on a clean connection.
                    log.exception("outbox message %s cannot be sent", row.id)
                    _failed(row, token, error, books, permanent=True)
                    tally.failed += 1
                    smtp = _close(smtp)
                else:
                    _finish(
                        row,
                        token,
                        _MARK_SENT,
                        books,
                        status="sent",
                        sent_at=utcnow(),
                        last_error=f"refused by server: {', '.join(refused)}" if refused else "",
                        # Sent mail may carry emailed-link tokens: keep no copy of them at rest.
                        raw="",
                    )
                    tally.sent += 1
                if progress is not None:
                    progress(1)
    except _ServerDown as down:
        _release([r.id for r in pending], token, books, str(down.__cause__ or down))
        tally.failed += len(pending)
        if drain:
            tally.failed += sum(len(batch) for batch in batches)
    finally:
        _close(smtp)
        books.close()


def _keep(rows: list[Claimed], token: str, conn: Connection) -> None:
    """Deliver claimed messages to the local mailbox: kept whole, for the Outbox page."""
    if not rows:
        return
    table = OutboxMessage.__table__
    conn.execute(
        update(table)
        .where(table.c.id.in_([row.id for row in rows]), table.c.claim_token == token)
        .values(status="kept", sent_at=utcnow(), last_error="", claimed_at=None, claim_token=None)
    )
    conn.commit()


def _release(message_ids: list[int], token: str, conn: Connection, reason: str) -> None:
    """Hand messages this run claimed but did not try back to the queue, uncharged, saying
    why they wait (the outbox page shows it)."""
    if not message_ids:
        return
    table = OutboxMessage.__table__
    conn.execute(
        update(table)
        .where(table.c.id.in_(message_ids), table.c.claim_token == token)
        .values(
            status="queued",
            claimed_at=None,
            claim_token=None,
            last_error=f"Waiting for the mail server: {reason}"[:1000],
        )
    )
    conn.commit()


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return None


def messages(
    *statuses: str, taskforce_ids: list[int] | None = None, limit: int | None = None
) -> list[OutboxMessage]:
    """Outbox rows in these states, newest first; None for taskforce_ids means every one."""
    stmt = select(OutboxMessage).where(OutboxMessage.status.in_(statuses))
    if taskforce_ids is not None:
        stmt = stmt.where(OutboxMessage.taskforce_id.in_(taskforce_ids))
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit)))


def count(*statuses: str, taskforce_ids: list[int] | None = None) -> int:
    """How many outbox rows are in these states; None for taskforce_ids means every one."""
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(statuses))
    if taskforce_ids is not None:
        stmt = stmt.where(OutboxMessage.taskforce_id.in_(taskforce_ids))
    return db.session.scalar(stmt) or 0


def forget_queued() -> None:
    """Drop this request's list of mail to send: its transaction was rolled back."""
    if has_app_context():
        g.pop("outbox_ids", None)


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


#: Messages that have not reached the mail server, and may be tried again.
RETRYABLE = ("queued", "failed")


def retry_now(row: OutboxMessage) -> bool:
    """Put a failed or waiting message back at the front of the queue, for this request;
    say whether it was one that can be retried."""
    if row.status not in RETRYABLE:
        return False
    row.status = "queued"
    row.next_attempt_at = utcnow()
    row.attempts = min(row.attempts, MAX_ATTEMPTS - 1)
    g.setdefault("outbox_ids", []).append(row.id)
    return True


def retry_all(taskforce_ids: list[int] | None = None) -> int:
    """Put every failed and waiting message (of these task forces; None for all) back at
    the front of the queue, for this request to send; return how many."""
    table = OutboxMessage.__table__
    stmt = select(table.c.id).where(table.c.status.in_(RETRYABLE))
    if taskforce_ids is not None:
        stmt = stmt.where(table.c.taskforce_id.in_(taskforce_ids))
    ids = list(db.session.scalars(stmt.order_by(table.c.id)))
    if ids:
        db.session.execute(
            update(table)
            .where(table.c.id.in_(ids), table.c.status.in_(RETRYABLE))
            .values(
                status="queued",
                next_attempt_at=utcnow(),
                attempts=case(
                    (table.c.attempts > MAX_ATTEMPTS - 1, MAX_ATTEMPTS - 1),
                    else_=table.c.attempts,
                ),
            )
        )
        g.setdefault("outbox_ids", []).extend(ids)
    return len(ids)
