"""The page an action owner reaches from an emailed link, with no account or sign-in.

GET only shows (mail scanners open links); an update is a POST carrying the page's CSRF
token. A link reaches only the actions it was issued for; closing or dropping an action
takes it out of the link for good (links.release_action), and a link left with none is
dead. Every refusal is logged.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from taskforce import clock
from taskforce.actions import services
from taskforce.actions.forms import OwnerUpdateForm
from taskforce.actions.models import Action
from taskforce.audit.services import Actor
from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.extensions import limiter
from taskforce.link_pages import fingerprint, rate_key, refuse
from taskforce.links import AccessLink, LinkProblem, Purpose, resolve
from taskforce.text import expected_version
from taskforce.web import apply_errors, attempt, flash_success, public

log = logging.getLogger(__name__)
bp = Blueprint("owner_links", __name__)

DONE = ("closed", "dropped")


_rate_key = rate_key("owner-link")


def _refuse(token: str, problem: LinkProblem):
    return refuse("owner", token, problem, log)


def _live_link(token: str) -> AccessLink:
    link = resolve(token, Purpose.ACTION_OWNER)
    if not link.actions or all(a.status in DONE for a in link.actions):
        raise LinkProblem(
            410, "The actions this link was for are closed. Nothing more is needed from you."
        )
    return link


def _target(link: AccessLink, form: OwnerUpdateForm) -> Action | None:
    """The action the form is about: named by action_id, or the link's only open one."""
    open_actions = [a for a in link.actions if a.status not in DONE]
    if form.action_id.data:
        return next((a for a in link.actions if str(a.id) == form.action_id.data), None)
    return open_actions[0] if len(open_actions) == 1 else None


def _blank_form(action: Action) -> OwnerUpdateForm:
    form = OwnerUpdateForm(formdata=None)
    form.action_id.data = str(action.id)
    form.version.data = str(action.version)
    return form


@bp.route("/a/<token>", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["OWNER_LINK_RATE_LIMIT"], key_func=_rate_key, methods=["POST"]
)
def owner_link(token: str):
    try:
        link = _live_link(token)
    except LinkProblem as problem:
        return _refuse(token, problem)
    form = OwnerUpdateForm()
    failed: Action | None = None
    conflict = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        action = _target(link, form)
        if action is None and not form.action_id.data:
            conflict = "This link covers several actions: use the form under the one you mean."
            return _page(link, {}, None, conflict, 422)
        if action is None:
            return _refuse(token, LinkProblem(404, "This link cannot change that action."))
        actor = Actor.system("email_link", label=f"{action.owner_name} <{link.email}>")
        with attempt() as outcome:
            services.owner_update(
                action,
                status=form.status.data or None,
                proposed_due=form.due_date.data,
                comment=form.comment.data or "",
                actor=actor,
                # A form without its version is refused like a stale one, never unchecked.
                expected_version=expected_version(form.version.data),
            )
        if isinstance(outcome.error, Conflict):
            log.warning("owner link %s: %s", fingerprint(token), outcome.error.message)
            conflict, status = outcome.error.message, 409
        elif outcome.error:
            apply_errors(form, outcome.error)
            failed, status = action, 422
        else:
            link.last_used_at = utcnow()
            flash_success(f"Thank you. Your update to {action.reference} has been sent.")
            return redirect(url_for("owner_links.owner_link", token=token))
    elif request.method == "POST":
        failed = _target(link, form)
        status = 422
        if failed is None:
            return _refuse(token, LinkProblem(404, "This link cannot change that action."))
    return _page(link, {failed.id: form} if failed else {}, failed, conflict, status)


def _page(link: AccessLink, forms: dict, failed: Action | None, conflict: str | None, status: int):
    forms = {a.id: forms[a.id] if a.id in forms else _blank_form(a) for a in link.actions}
    if len(forms) > 1:  # several forms on one page: keep every field's id unique
        for action_id, each in forms.items():
            for field in each:
                field.id = f"{field.name}-{action_id}"
    return render_template(
        "actions/owner_link.html",
        link=link,
        actions=link.actions,
        forms=forms,
        failed=failed,
        conflict=conflict,
        today=clock.today(),
    ), status
