"""One transaction per request: a change that succeeds is kept, a refused one and any read
are undone, and the mail a request queued goes only once it is kept."""

from __future__ import annotations

import os

import pytest
from flask import Response

from taskforce import mail, transaction
from taskforce.auth.models import User
from taskforce.extensions import db


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


@pytest.mark.xfail(
    "postgresql" not in os.environ.get("TEST_DATABASE_URL", ""),
    reason="pysqlite commits a SAVEPOINT opened outside a transaction (issue 11, being fixed)",
    strict=True,
)
def test_mail_queued_by_a_refused_request_is_forgotten(app):
    message_id = None
    with app.test_request_context("/", method="POST"):
        outgoing = mail.new_message(["someone@example.gov.uk"], "Hello")
        outgoing.set_content("Hello")
        message_id = mail.queue(outgoing, kind="test").id
        transaction.end_request(Response(status=422))
        assert db.session.get(mail.OutboxMessage, message_id) is None
        assert transaction.finish() == transaction.Delivery(0, 0)
