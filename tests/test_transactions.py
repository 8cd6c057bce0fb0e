"""One transaction per request, on both databases: what a refused request did is undone, the
mail it queued included, even where the first thing it wrote went through a savepoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, Response
from sqlalchemy import func, select

from taskforce import create_app, mail, transaction
from taskforce.auth.models import User
from taskforce.errors import Conflict
from taskforce.extensions import csrf, db
from taskforce.mail import OutboxMessage
from taskforce.performance.models import ChartImage
from tests.concurrency import EACH, THREADS, race
from tests.conftest import IsolatedClient


def _outbox() -> list[str]:
    db.session.rollback()  # read what is committed now, not an older snapshot
    return list(db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))


def _queue(subject: str, dedupe_key: str | None = None) -> OutboxMessage | None:
    message = mail.new_message(["ana.lopes@example.gov.uk"], subject)
    message.set_content("Something happened.")
    return mail.queue(message, kind="test", dedupe_key=dedupe_key)


@pytest.fixture
def failing_app(app: Flask) -> Iterator[Flask]:
    """The app with one more page, which reads, then queues an email before writing anything
    else, and then is refused (or, with ?ok, succeeds): its own instance, as routes cannot be
    added to the shared one once it has served a request."""
    other = create_app("test")
    other.test_client_class = IsolatedClient

    def queue_then_fail():
        from flask import request

        db.session.scalar(select(func.count()).select_from(OutboxMessage))  # a read comes first
        _queue(request.args.get("subject", "Never sent"), request.args.get("key"))
        if "ok" in request.args:
            return "queued"
        raise Conflict("Refused after the email was queued")

    queue_then_fail.is_public = True
    csrf.exempt(queue_then_fail)
    # A POST: a GET is a read, and reads never keep anything.
    other.add_url_rule("/test/queue-then-fail", view_func=queue_then_fail, methods=["POST"])
    yield other
    with other.app_context():
        db.engine.dispose()


def test_a_request_that_queues_mail_first_and_then_fails_leaves_no_outbox_row(failing_app):
    client = failing_app.test_client()
    assert client.post("/test/queue-then-fail").status_code == 409
    assert _outbox() == []
    # The same request that succeeds keeps its email.
    assert client.post("/test/queue-then-fail?ok&subject=Kept").status_code == 200
    assert _outbox() == ["Kept"]


def test_a_refused_request_whose_email_was_a_duplicate_keeps_nothing_either(failing_app):
    client = failing_app.test_client()
    assert client.post("/test/queue-then-fail?ok&subject=First&key=k").status_code == 200
    assert client.post("/test/queue-then-fail?subject=Again&key=k").status_code == 409
    assert _outbox() == ["First"]


def test_concurrent_requests_that_queue_mail_first_keep_exactly_the_mail_of_those_that_succeed(
    failing_app,
):
    """On SQLite, several threads writing at once: each waits its turn for the write lock
    (none fails with "database is locked"), and every refused request's email is undone."""
    statuses = []

    def work(i: int) -> None:
        client = failing_app.test_client()
        for k in range(EACH):
            ok = "&ok" if k % 2 else ""
            response = client.post(f"/test/queue-then-fail?subject={i}-{k}{ok}")
            statuses.append((bool(ok), response.status_code))

    race(work)
    assert sorted(set(statuses)) == [(False, 409), (True, 200)]
    kept = sorted(f"{i}-{k}" for i in range(THREADS) for k in range(EACH) if k % 2)
    assert sorted(_outbox()) == kept


def test_a_savepoint_opened_before_any_other_write_is_undone_by_the_rollback(app):
    with db.session.begin_nested():
        db.session.add(ChartImage(key="k" * 64, content=b"<svg/>"))
    _queue("Never sent")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ChartImage)) == 0
    assert _outbox() == []


def test_a_duplicate_rolls_back_to_its_savepoint_and_the_rest_is_kept(app):
    assert _queue("First", "same") is not None
    db.session.commit()
    assert _queue("Before") is not None
    assert _queue("Duplicate", "same") is None  # its savepoint is undone, nothing else
    assert _queue("After") is not None
    db.session.commit()
    assert _outbox() == ["First", "Before", "After"]


# What a request keeps, by its method and its answer ------------------------------------


def _touch(name: str) -> None:
    """Change something, as a view's service would: flushed, not committed."""
    db.session.add(User(email=f"{name}@example.gov.uk", name=name, role="member"))
    db.session.flush()


def _kept(name: str) -> bool:
    db.session.rollback()
    return db.session.query(User).filter_by(email=f"{name}@example.gov.uk").count() == 1


@pytest.mark.parametrize(
    ("method", "status", "kept"),
    [
        ("POST", 200, True),
        ("POST", 302, True),
        ("PATCH", 204, True),
        ("POST", 409, False),
        ("POST", 422, False),
        ("GET", 200, False),
        ("HEAD", 200, False),
    ],
)
def test_a_request_keeps_only_a_successful_change(app, method, status, kept):
    name = f"{method.lower()}{status}"
    with app.test_request_context("/", method=method):
        _touch(name)
        transaction.end_request(Response(status=status))
    assert _kept(name) is kept


def test_mail_queued_by_a_refused_request_is_forgotten(app):
    message_id = None
    with app.test_request_context("/", method="POST"):
        outgoing = mail.new_message(["someone@example.gov.uk"], "Hello")
        outgoing.set_content("Hello")
        message_id = mail.queue(outgoing, kind="test").id
        transaction.end_request(Response(status=422))
        assert db.session.get(mail.OutboxMessage, message_id) is None
        assert transaction.finish() == transaction.Delivery(0, 0)
