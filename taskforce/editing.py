"""Edit pages that never write over someone else's change.

Each edit page is filled from the record and carries the version it was drawn from. A save
made from an out-of-date page is refused and shown, never silently written over the newer
change: the form comes back with the user's values and a table of where they differ from
what is saved now (templates/_conflict.html), and the page's history (from the audit trail)
says what changed and who changed it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from taskforce import transaction
from taskforce.audit.services import events_about
from taskforce.confirm import Confirmation, ask, confirmed
from taskforce.errors import Conflict, ServiceError
from taskforce.extensions import db
from taskforce.forms import RetireForm
from taskforce.text import expected_version, tidy
from taskforce.web import apply_errors, attempt, flash_success, form_status

STALE = "Someone else saved a change at the same moment. Check the form, then save again."


def edit_page(
    subject: Any,
    form: FlaskForm,
    save: Callable[[int | None], None],
    *,
    done: str,
    message: str,
    template: str,
    on_error: Callable[[FlaskForm, ServiceError], None] = apply_errors,
    current: Callable[[str], Any] | None = None,
    **context,
):
    """Show an edit form, or save it: save(expected_version) calls the service.

    current(name) gives a field's saved value as the form shows it (by default the
    attribute of that name), to list what differs when the save meets a newer change.
    """
    conflict: list[tuple[str, str, str]] | None = None
    form.submit.label.text = "Save changes"  # the form's own label is for adding
    if form.validate_on_submit():
        # The version as posted (never the record's own, which the form falls back on): a
        # page that sends none is treated as out of date rather than saved unchecked.
        try:
            save(posted_version())
            db.session.flush()
        except (ServiceError, StaleDataError) as raised:
            # StaleDataError: a rival save landed between the version check and ours.
            error = raised if isinstance(raised, ServiceError) else Conflict(STALE)
            transaction.rollback()
            db.session.refresh(subject)
            on_error(form, error)
            if isinstance(error, Conflict):
                # The form keeps the user's values and lists where they differ from what is
                # saved now; saving again applies them knowingly.
                conflict = _differences(form, subject, current)
                form.version.data = str(subject.version)
        else:
            flash_success(message)
            return redirect(done)
    elif request.method == "GET":
        form.version.data = str(subject.version)
    return render_template(
        template,
        form=form,
        editing=subject,
        conflict=conflict,
        history=events_about(subject),
        **context,
    ), (409 if conflict is not None else form_status(form))


def posted_version() -> int:
    """The version a form was drawn from, as posted; none or a garbled one matches nothing,
    so the save is treated as out of date rather than made unchecked."""
    return expected_version(request.form.get("version"))


def switch(
    change,
    message,
    *,
    done: str,
    failed: str,
    subject: Any = None,
    is_off: bool = False,
    confirm_off: Callable[[str], Confirmation] | None = None,
):
    """One button that switches a record on or off (retire, close): the form's retire is
    "yes" or "no"; change(on, version) calls the service, message(on) says what happened.

    With confirm_off, switching off is a second step (taskforce.confirm): the page's button
    is a link here, and a GET, or a POST without confirm=yes, shows confirm_off(version) and
    changes nothing; its button posts the version the page was drawn from. Switching back
    on is done at once.
    """
    if confirm_off is not None and request.form.get("retire", "yes") == "yes" and not confirmed():
        if request.method == "GET" and is_off:
            return redirect(failed)  # already off: nothing to confirm
        version = request.form.get("version", "") if request.method == "POST" else subject.version
        return ask(confirm_off(str(version)))
    form = RetireForm()
    if not form.validate_on_submit() or form.retire.data not in ("yes", "no"):
        abort(400)
    on = form.retire.data == "yes"
    with attempt() as outcome:
        change(on, posted_version())
    if outcome.error:
        flash(outcome.error.message, "problem")
        return redirect(failed)
    flash_success(message(on))
    return redirect(done)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    if isinstance(value, Decimal):
        return format(tidy(value), "f")  # 5.00 typed is 5 stored
    return str(value).strip()


def _differences(form: FlaskForm, subject: Any, current: Callable[[str], Any] | None):
    """(label, yours, saved now) for each field where the form and the record now differ."""
    found = []
    for field in form.fields_for_data():
        saved = current(field.name) if current else getattr(subject, field.name, None)
        yours, now = _shown(field.data), _shown(saved)
        if yours != now:
            labels = {str(v): str(label) for v, label in getattr(field, "choices", None) or []}
            found.append((str(field.label.text), labels.get(yours, yours), labels.get(now, now)))
    return found
