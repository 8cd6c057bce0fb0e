"""One transaction per request, as Indico's request handler keeps it.

A view or API handler changes data through services that flush; it never commits or rolls
back itself. When it has answered, `TransactionalFlask.dispatch_request` commits if the
answer is a success or a redirect and rolls back if it is an error, then sends the mail the
request queued. An exception rolls back through the error handlers. A commit that fails
(two requests racing for the same unique value) reaches those handlers too, as a 409.

A GET (or HEAD or OPTIONS) never commits: mail scanners and browsers open links and pages
freely, so reading must change nothing. A cache that a read fills in (a chart's drawing)
calls `finish()` itself.

A page that tells the user what became of their mail calls `finish()` itself, before it
writes its message; the commit at the end then has nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, request

from taskforce import mail
from taskforce.extensions import db

#: Requests that read: whatever they touched is rolled back.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TransactionalFlask(Flask):
    """Flask, with each request's transaction ended once, in `end_request`."""

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        end_request(response)
        return response


def end_request(response: Response) -> None:
    """Keep what a successful change did and send its mail; undo what a refused one did,
    and anything a read touched."""
    if response.status_code < 400 and request.method not in SAFE_METHODS:
        finish()
    else:
        rollback()


@dataclass(frozen=True)
class Delivery:
    """What became of the mail a request queued, once it was committed: how many messages
    reached the mail server, how many did not (yet), and how many were kept in the outbox
    because no mail server is configured."""

    sent: int = 0
    failed: int = 0
    kept: int = 0


def rollback() -> None:
    """Undo what this request has done so far, mail it queued included."""
    db.session.rollback()
    mail.forget_queued()


def finish() -> Delivery:
    """Commit this request's changes, then send the mail it queued."""
    db.session.commit()
    sent, failed = mail.deliver_after_commit()
    if mail.keeps_mail():
        return Delivery(0, failed, kept=sent)
    return Delivery(sent, failed)
