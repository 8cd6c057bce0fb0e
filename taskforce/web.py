"""What every HTML page shares: access denied by default, error pages, form helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, abort, flash, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from taskforce import transaction
from taskforce.audit.services import Actor
from taskforce.auth import permissions
from taskforce.bodies.models import TaskForce
from taskforce.errors import Conflict, ServiceError, ValidationError
from taskforce.extensions import db
from taskforce.forms import ButtonForm
from taskforce.markdown import removed_html

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable)

#: Endpoints anyone may reach without signing in, besides views marked @public.
PUBLIC_ENDPOINTS = {"static"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def register_access_control(app: Flask) -> None:
    @app.before_request
    def _require_login():
        if request.blueprint == "api":
            return None  # the API authenticates bearer tokens itself
        if request.endpoint is None:
            return None  # a 404 is coming
        view = app.view_functions.get(request.endpoint)
        if request.endpoint in PUBLIC_ENDPOINTS or getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()
        return None


def web_actor() -> Actor:
    return Actor(user=current_user._get_current_object(), via="web")


def require_role(*roles) -> None:
    if not current_user.has_role(*roles):
        abort(403)


def require_button() -> None:
    """A one-button POST (ButtonForm) must carry its CSRF token, else 400."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def taskforce_or_404(taskforce_id: int, *, edit: bool = False) -> TaskForce:
    """Load a task force the current user may see (or edit), else 404/403."""
    return permissions.load_taskforce(current_user, taskforce_id, edit=edit)


def record_or_404(model, record_id: int, *, edit: bool = False):
    """Load a record that belongs to a task force the current user may see (or edit)."""
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    taskforce_or_404(record.taskforce_id, edit=edit)
    return record


def apply_errors(form: FlaskForm, error: ServiceError) -> None:
    """Put a service's refusal onto the form so the error summary shows it."""
    placed = False
    for name, messages in error.fields.items():
        # An API-style path ("chase_offsets.reminder") lands on the field named by its end.
        field = getattr(form, name, None) or getattr(form, name.rpartition(".")[2], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *messages]
            placed = True
    if not placed or not isinstance(error, ValidationError):
        form.form_errors.append(error.message)


@dataclass
class Attempt:
    """The outcome of `attempt`: the refusal, if a service refused."""

    error: ServiceError | None = None


@contextmanager
def attempt(form: FlaskForm | None = None) -> Iterator[Attempt]:
    """Run a change that a service may refuse; on refusal, undo what it did so far and put
    the reasons on the form, so that the page can be shown again with them."""
    outcome = Attempt()
    try:
        yield outcome
    except ServiceError as error:
        transaction.rollback()
        outcome.error = error
        if form is not None:
            apply_errors(form, error)


def form_status(form: FlaskForm, error: ServiceError | None = None) -> int:
    """A form sent back with errors is a 422, as in the API; one refused because the record
    changed since the page was opened (error, from attempt) is a 409."""
    if isinstance(error, Conflict):
        return 409
    return 422 if form.errors or form.form_errors else 200


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    from taskforce.api.errors import api_error_response

    def page(status: int, title: str, message: str):
        return render_template("errors/error.html", title=title, message=message), status

    def refuse(status: int, code: str, title: str, message: str):
        """The same refusal as the API's JSON or as a page with a title."""
        if is_api_request():
            return api_error_response(status, code, message)
        return page(status, title, message)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        if is_api_request():
            return api_error_response(400, "bad_request", error.description)
        log.warning("refused a form with a bad CSRF token: %s %s", request.method, request.path)
        return page(
            400,
            "Your form has expired",
            "For your security, forms stop working after a while or when opened elsewhere. "
            "Go back, reload the page and submit it again.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if is_api_request():
            code = {
                401: "unauthorised",
                403: "forbidden",
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
                429: "too_many_requests",
            }.get(error.code or 400, "bad_request")
            return api_error_response(error.code or 400, code, error.description or error.name)
        titles = {
            403: (
                "You cannot see this page",
                "Your account does not give you access to it. "
                "Ask the task force's secretariat if you think it should.",
            ),
            404: ("Page not found", "Check the address, or go back to your task forces."),
            405: ("That did not work", "This page cannot be used in that way."),
            413: ("File too large", "Choose a smaller file."),
            429: ("Too many attempts", "Wait a minute, then try again."),
        }
        title, message = titles.get(error.code or 500, (error.name, error.description or ""))
        return page(error.code or 500, title, message)

    @app.errorhandler(ServiceError)
    def _service(error: ServiceError):
        transaction.rollback()
        if is_api_request():
            return api_error_response(
                error.status, error.code, error.message, error.fields, **error.extra
            )
        return page(error.status, "That could not be done", error.message)

    @app.errorhandler(StaleDataError)
    def _stale(_error):
        transaction.rollback()
        message = (
            "Someone else changed this record at the same moment. "
            "Reload it and make your change again."
        )
        return refuse(409, "conflict", "Changed by someone else", message)

    @app.errorhandler(IntegrityError)
    def _integrity(error):
        # Validation catches duplicates first; a unique clash here is two requests racing.
        # Any other integrity error is a bug and must show as one.
        transaction.rollback()
        if not _is_unique_violation(error):
            raise error
        message = "This clashes with a record saved at the same moment. Reload and try again."
        return refuse(409, "conflict", "That clashes with another change", message)

    @app.errorhandler(DataError)
    def _data(_error):
        # A value the database cannot hold (an id beyond its integer range, say) is bad input.
        transaction.rollback()
        message = "A value in the request is too large or not allowed. Check it and try again."
        return refuse(400, "bad_request", "That could not be done", message)

    @app.errorhandler(500)
    def _server_error(_error):
        transaction.rollback()
        if is_api_request():
            return api_error_response(500, "server_error", "Something went wrong on our side")
        return page(
            500,
            "Sorry, there is a problem with the service",
            "Try again later. Nothing you entered has been saved.",
        )


def flash_success(message: str) -> None:
    flash(message, "success")


def flash_warning(message: str) -> None:
    """Something done that the user should look at again (an "Important" banner)."""
    flash(message, "warning")


def warn_removed_html(text: str | None, what: str) -> None:
    """After saving Markdown (what: "the purpose"), say which of the HTML typed in it pages
    will not show, rather than drop it silently."""
    removed = removed_html(text)
    if not removed:
        return
    shown = removed[:5] + ([f"{len(removed) - 5} more"] if len(removed) > 5 else [])
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    flash_warning(
        f"Some HTML was removed from {what}: {listed}. It stays in the text as you typed it, "
        "but pages do not show it."
    )


def flash_mail(
    delivery: transaction.Delivery,
    count: int,
    *,
    sent: str,
    kept: str,
    waiting: str,
    also: str = "",
) -> None:
    """Say what became of the `count` emails a change queued, truthfully, then `also`.

    `sent` is a success only when every one reached the mail server. `kept` (no mail server
    is configured: the mail stayed in the outbox) and `waiting` (not all of it reached the
    server yet) are warnings with a link to the Outbox, where each message can be read.
    """
    if delivery.kept:
        them = "it" if count == 1 else "them"
        flash(_with_outbox_link(kept, f"Read {them} in the Outbox", also), "warning")
    elif delivery.sent >= count and not delivery.failed:
        flash_success(" ".join(filter(None, (sent, also))))
    else:
        flash(_with_outbox_link(waiting, "See why in the Outbox", also), "warning")


def _with_outbox_link(message: str, link_text: str, also: str) -> Markup:
    html = Markup('{} <a class="govuk-notification-banner__link" href="{}">{}</a>.').format(
        message, url_for("outbox.index"), link_text
    )
    return html + Markup(" ") + also if also else html


def _is_unique_violation(error: IntegrityError) -> bool:
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)
