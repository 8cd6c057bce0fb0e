"""The outbox page: mail waiting, failed or recently sent, for the task forces one serves."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from taskforce import mail, transaction
from taskforce.auth import permissions
from taskforce.auth.models import Role
from taskforce.bodies.models import TaskForce
from taskforce.extensions import db
from taskforce.forms import ButtonForm
from taskforce.mail import OutboxMessage
from taskforce.web import flash_success, require_role

bp = Blueprint("outbox", __name__)


def _served_ids() -> list[int] | None:
    """Task forces whose mail the user may see; None means all (admins)."""
    if current_user.role == Role.ADMIN:
        return None
    stmt = permissions.visible_taskforces(current_user).with_only_columns(TaskForce.id)
    return list(db.session.scalars(stmt))


@bp.get("/outbox")
def index():
    require_role(Role.ADMIN, Role.SECRETARIAT)
    served = _served_ids()

    def rows(*statuses: str, limit: int | None = None) -> list[OutboxMessage]:
        return mail.messages(*statuses, taskforce_ids=served, limit=limit)

    # Every failed and waiting message is shown, however many were sent since.
    return render_template(
        "main/outbox.html",
        failed=rows("failed"),
        waiting=rows("queued", "sending"),
        sent=rows("sent", limit=50),
        form=ButtonForm(),
    )


@bp.post("/outbox/<int:message_id>/retry")
def retry(message_id: int):
    require_role(Role.ADMIN, Role.SECRETARIAT)
    row = db.session.get(OutboxMessage, message_id)
    served = _served_ids()
    if row is None or (served is not None and row.taskforce_id not in served):
        abort(404)
    if ButtonForm().validate_on_submit():
        mail.retry_now(row)
        sent = transaction.finish().sent
        flash_success(
            "Sent."
            if sent
            else "Still not sent: it stays in the outbox and will be retried automatically."
        )
    return redirect(url_for("outbox.index"))
