"""The outbox: each message queued once, claimed by one sender, and kept waiting rather than
lost (or failed for good) when the server or an address cannot take it."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from taskforce import mail
from taskforce.extensions import db
from taskforce.mail import OutboxMessage, Outgoing, queue_many


def _queue(n: int) -> None:
    for i in range(n):
        message = mail.new_message([f"p{i}@example.gov.uk"], f"Message {i}")
        message.set_content("Body")
        mail.queue(message, kind="test")
    db.session.commit()


def test_two_deliveries_at_once_send_each_message_once(app, smtp):
    _queue(30)
    results = []

    def run():
        with app.app_context():
            results.append(mail.deliver_queued())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(sent for sent, _ in results) == 30
    assert len(smtp.messages) == 30


def test_sending_to_an_existing_dedupe_key_quietly_queues_nothing(app):
    message = mail.new_message(["a@example.gov.uk"], "Once")
    message.set_content("x")
    assert mail.queue(message, kind="test", dedupe_key="k1") is not None
    assert mail.queue(message, kind="test", dedupe_key="k1") is None
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 1


def test_an_address_smtp_cannot_carry_fails_alone_and_the_rest_go(app, smtp):
    ids = queue_many(
        [
            Outgoing.plain(["first@example.gov.uk"], "One", "Hello", "t"),
            Outgoing.plain(["jos\u00e9@example.gov.uk"], "Two", "Hello", "t"),
            Outgoing.plain(["third@example.gov.uk"], "Three", "Hello", "t"),
        ]
    )
    db.session.commit()
    assert mail.deliver_queued(ids=ids) == (2, 1)
    statuses = dict(db.session.execute(select(OutboxMessage.subject, OutboxMessage.status)).all())
    assert statuses == {"One": "sent", "Two": "failed", "Three": "sent"}
    assert mail.deliver_queued() == (0, 0)  # failed for good, not retried for ever


def test_a_slow_server_renews_claims_rather_than_letting_a_rival_resend(app, smtp, monkeypatch):
    monkeypatch.setattr(mail, "STALE_CLAIM", timedelta(seconds=0))
    ids = queue_many(
        [Outgoing.plain([f"p{n}@example.gov.uk"], f"N{n}", "Hi", "t") for n in range(5)]
    )
    db.session.commit()
    assert mail.deliver_queued(ids=ids) == (5, 0)
    assert sorted(r[0] for r, _m in smtp.messages) == sorted(
        f"p{n}@example.gov.uk" for n in range(5)
    )


def test_a_mail_setting_that_cannot_work_leaves_mail_waiting_not_failed(app, smtp):
    ids = queue_many([Outgoing.plain([f"p{n}@example.gov.uk"], "Hi", "Hi", "t") for n in range(3)])
    db.session.commit()
    old = app.config["SMTP_HOST"]
    app.config["SMTP_HOST"] = "smtp..example.gov.uk"  # cannot even be encoded as a host name
    try:
        assert mail.deliver_queued(ids=ids) == (0, 3)
    finally:
        app.config["SMTP_HOST"] = old
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {(r.status, r.attempts) for r in rows} == {("queued", 0)}
    assert all(r.last_error.startswith("Waiting for the mail server") for r in rows)
    assert mail.deliver_queued(ids=ids) == (3, 0)


def test_renewing_a_claim_drops_rows_another_run_has_taken(app, smtp, monkeypatch):
    ids = queue_many([Outgoing.plain([f"q{n}@example.gov.uk"], "Hi", "Hi", "t") for n in range(3)])
    db.session.commit()
    real = mail._renew

    def rival_takes_the_second(message_ids, token, conn):
        conn.execute(
            update(OutboxMessage.__table__)
            .where(OutboxMessage.__table__.c.id == ids[1])
            .values(claim_token="rival")
        )
        conn.commit()
        return real(message_ids, token, conn)

    monkeypatch.setattr(mail, "_renew", rival_takes_the_second)
    monkeypatch.setattr(mail, "STALE_CLAIM", timedelta(seconds=-1))
    mail.deliver_queued(ids=ids)
    sent_to = sorted(r[0] for r, _m in smtp.messages)
    assert sent_to == ["q0@example.gov.uk", "q2@example.gov.uk"]


def test_a_long_queue_is_shared_between_connections_and_each_message_goes_once(app, smtp):
    """With PostgreSQL (or a file database) two sender threads share the queue."""
    old, app.config["SMTP_CONNECTIONS"] = app.config["SMTP_CONNECTIONS"], 2
    try:
        ids = queue_many(
            [
                Outgoing.plain([f"person{n}@example.gov.uk"], f"Note {n}", "Hello", "test")
                for n in range(130)
            ]
        )
        db.session.commit()
        seen = []
        assert mail.deliver_queued(limit=500, ids=ids, progress=seen.append) == (130, 0)
    finally:
        app.config["SMTP_CONNECTIONS"] = old
    assert len(seen) == 130
    recipients = sorted(rcpts[0] for rcpts, _m in smtp.messages)
    assert recipients == sorted(f"person{n}@example.gov.uk" for n in range(130))
    assert db.session.query(OutboxMessage).filter_by(status="sent").count() == 130
    assert mail.deliver_queued() == (0, 0)


def test_plain_text_mail_survives_a_real_parser(app, smtp):
    body = "Siân, your action is due.\n.\nA line with a dot above it, and one over 76 chars " * 3
    ids = queue_many(
        [
            Outgoing.plain(
                ["sian@example.gov.uk"], "Cyngor Sir \u2013 \u2018actions\u2019", body, "t"
            )
        ]
    )
    db.session.commit()
    mail.deliver_queued(ids=ids)
    ((_rcpts, message),) = smtp.messages
    assert message["Subject"] == "Cyngor Sir \u2013 \u2018actions\u2019"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.replace("\r\n", "\n").rstrip("\n") == body


def test_a_subject_with_any_line_break_is_sent_on_one_line(app, smtp):
    """Stored text from before the one-line rule must never stop a message being built."""
    subject = "A\nB\rC\x0bD\x0cE\x1cF\x1dG\x1eH\x85I\u2028J\u2029K\tL\x00M\u00e9"
    message = mail.new_message(["ana@example.gov.uk"], subject)
    message.set_content("Body")
    mail.queue(message, kind="test")
    queue_many([Outgoing.plain(["ana@example.gov.uk"], subject, "Body", "test")])
    db.session.commit()
    assert {row.subject for row in db.session.scalars(select(OutboxMessage))} == {
        "A B C D E F G H I J K L M\u00e9"
    }
    assert mail.deliver_queued() == (2, 0)
    assert [m["Subject"] for _rcpts, m in smtp.messages] == ["A B C D E F G H I J K L M\u00e9"] * 2


def test_without_a_mail_server_mail_is_kept_whole_at_once_and_never_retried(app):
    ids = queue_many([Outgoing.plain([f"k{n}@example.gov.uk"], "K", "Hi", "t") for n in range(3)])
    db.session.commit()
    raw = {row.id: row.raw for row in db.session.scalars(select(OutboxMessage))}
    seen = []
    assert mail.deliver_queued(ids=ids, progress=seen.append) == (3, 0)
    assert seen == [1, 1, 1]
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {(r.status, r.attempts, r.claim_token) for r in rows} == {("kept", 0, None)}
    assert all(r.sent_at is not None and r.raw == raw[r.id] for r in rows)  # what to show
    assert mail.deliver_queued() == (0, 0)


def test_mail_kept_here_is_not_sent_once_a_mail_server_is_configured(app, smtp):
    message = mail.new_message(["k@example.gov.uk"], "Kept")
    message.set_content("Hi")
    row = mail.queue(message, kind="test")
    row.status = "kept"
    db.session.commit()
    assert mail.deliver_queued() == (0, 0)
    assert mail.retry_all() == 0 and smtp.messages == []
