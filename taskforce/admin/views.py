"""Managing users (admins) and one's own API tokens (everyone)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from taskforce.admin.forms import NewUserForm, TokenForm, UserForm
from taskforce.auth import services
from taskforce.auth.models import Role, User
from taskforce.confirm import Confirmation, ask, confirmed
from taskforce.errors import ServiceError
from taskforce.extensions import db
from taskforce.web import attempt, flash_success, form_status, require_role, web_actor

bp = Blueprint("admin", __name__)


@bp.get("/admin/users")
def users():
    require_role(Role.ADMIN)
    people = services.users_by_name()
    return render_template("admin/users.html", users=people)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def new_user():
    require_role(Role.ADMIN)
    form = NewUserForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = services.create_user(
                form.email.data,
                form.name.data,
                form.role.data,
                web_actor(),
                password=form.password.data or None,
            )
            user.active = bool(form.active.data)
        if not outcome.error:
            flash_success(f"{user.name} can now sign in as {user.role}.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form_status(form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    require_role(Role.ADMIN)
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    # Stopping someone signing in ends their sessions at once: the form asks again first.
    stopping = form.is_submitted() and user.active and not form.active.data
    confirmed_stop = request.form.get("confirm") == "yes"
    if stopping and user.id != current_user.id and not confirmed_stop and form.validate():
        return render_template("admin/user_form.html", form=form, user=user, stopping=True)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            if user.id == current_user.id and (
                form.role.data != Role.ADMIN or not form.active.data
            ):
                raise ServiceError(
                    "You cannot remove your own admin role or sign-in: ask another admin."
                )
            services.update_user(
                user,
                {"name": form.name.data, "role": form.role.data, "active": bool(form.active.data)},
                web_actor(),
            )
            if form.password.data:
                services.set_password(user, form.password.data, web_actor())
        if not outcome.error:
            if user.id == current_user.id and form.password.data:
                login_user(user)  # an admin's own new password: this session carries on
            flash_success(f"{user.name} saved.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), form_status(form)


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = services.create_token(current_user, web_actor(), label=form.label.data or "")
    return render_template(
        "admin/account.html",
        form=form,
        new_token=new_token,
        tokens=current_user.tokens,
    ), form_status(form)


@bp.route("/account/tokens/revoke", methods=["GET", "POST"])
def revoke_tokens():
    page = url_for("admin.account")
    if not confirmed():
        live = [t for t in current_user.tokens if t.revoked_at is None]
        if request.method == "GET" and not live:
            return redirect(page)  # nothing to revoke
        return ask(
            Confirmation(
                question="Revoke all your API tokens?",
                caption="Your account",
                consequences=(
                    f"Scripts and spreadsheets using your {len(live)} live "
                    f"token{'s' if len(live) != 1 else ''} stop working at once: the API "
                    "refuses them from now on.",
                    "Revoke them if one may have been seen by someone else.",
                ),
                warning="This cannot be undone. Create a new token for anything that still "
                "needs the API.",
                button="Yes, revoke all my tokens",
                back=page,
                keep="Keep my tokens",
            )
        )
    count = services.revoke_tokens(current_user, web_actor())
    flash_success(f"Revoked {count} token{'s' if count != 1 else ''}.")
    return redirect(page)
