"""The outbox page: mail failed, waiting, kept here or recently sent, for the task forces one
serves; and each message as its recipient would see it."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from taskforce import mail, transaction
from taskforce.auth import permissions
from taskforce.auth.models import Role
from taskforce.bodies.models import TaskForce
from taskforce.extensions import db
from taskforce.forms import ButtonForm
from taskforce.mail import OutboxMessage
from taskforce.main import preview
from taskforce.web import flash_success, require_role

bp = Blueprint("outbox", __name__)

#: Kept and sent messages shown, newest first; every failed and waiting one is shown.
RECENT = 50
#: What a kept message's state says, on the Outbox page and in its preview.
KEPT_REASON = "Kept here: no mail server is configured"


@dataclass
class Group:
    """Messages in one state for one reason, said once above them."""

    reason: str
    messages: list[OutboxMessage]


@bp.app_context_processor
def _mail_setting() -> dict:
    """Whether mail stays in the outbox: every secretariat page says so (base.html)."""
    return {"mail_kept_here": mail.keeps_mail()}


def _served_ids() -> list[int] | None:
    """Task forces whose mail the user may see; None means all (admins)."""
    if current_user.role == Role.ADMIN:
        return None
    stmt = permissions.visible_taskforces(current_user).with_only_columns(TaskForce.id)
    return list(db.session.scalars(stmt))


def _by_reason(rows: list[OutboxMessage], unexplained: str) -> list[Group]:
    """Rows grouped by why they have not gone, the most common reason first."""

    def reason(row: OutboxMessage) -> str:
        if row.status == "sending":
            return "Being sent now"
        return row.last_error or unexplained

    ordered = sorted(rows, key=reason)
    groups = [Group(key, list(members)) for key, members in groupby(ordered, key=reason)]
    return sorted(groups, key=lambda group: -len(group.messages))


@bp.get("/outbox")
def index():
    require_role(Role.ADMIN, Role.SECRETARIAT)
    served = _served_ids()

    def rows(*statuses: str, limit: int | None = None) -> list[OutboxMessage]:
        return mail.messages(*statuses, taskforce_ids=served, limit=limit)

    # Every failed and waiting message is shown, however many were sent since.
    failed, waiting = rows("failed"), rows("queued", "sending")
    return render_template(
        "main/outbox.html",
        failed=_by_reason(failed, "Refused"),
        failed_count=len(failed),
        waiting=_by_reason(waiting, "Not tried yet: it goes with the next delivery"),
        waiting_count=len(waiting),
        kept=rows("kept", limit=RECENT),
        kept_count=mail.count("kept", taskforce_ids=served),
        kept_reason=KEPT_REASON,
        sent=rows("sent", limit=RECENT),
        form=ButtonForm(),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    row = db.session.get(OutboxMessage, message_id)
    served = _served_ids()
    if row is None or (served is not None and row.taskforce_id not in served):
        abort(404)
    return row


@bp.get("/outbox/<int:message_id>")
def show(message_id: int):
    """One message as its recipient would see it (or will, once it goes)."""
    require_role(Role.ADMIN, Role.SECRETARIAT)
    row = _message_or_404(message_id)
    return render_template(
        "main/outbox_message.html",
        message=row,
        preview=preview.read(row.raw) if row.raw else None,
        kept_reason=KEPT_REASON,
        form=ButtonForm(),
    )


@bp.post("/outbox/<int:message_id>/retry")
def retry(message_id: int):
    require_role(Role.ADMIN, Role.SECRETARIAT)
    row = _message_or_404(message_id)
    if ButtonForm().validate_on_submit():
        retried = mail.retry_now(row)
        _report(transaction.finish(), int(retried))
    return redirect(url_for("outbox.index"))


@bp.post("/outbox/retry")
def retry_all():
    """Try every failed and waiting message of the task forces one serves again, now."""
    require_role(Role.ADMIN, Role.SECRETARIAT)
    if ButtonForm().validate_on_submit():
        count = mail.retry_all(_served_ids())
        _report(transaction.finish(), count)
    return redirect(url_for("outbox.index"))


def _report(delivery: transaction.Delivery, count: int) -> None:
    if not count:
        flash_success("Nothing to retry.")
    elif delivery.kept:
        flash(f"{delivery.kept} kept here: no mail server is configured.", "warning")
    elif delivery.sent == count:
        flash_success("Sent." if count == 1 else f"All {count} sent.")
    else:
        flash(
            f"{delivery.sent} of {count} sent. What did not go stays below, saying why; "
            "what can be retried is retried automatically.",
            "warning",
        )
