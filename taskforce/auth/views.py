"""Signing in and out."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from taskforce.auth.forms import LoginForm
from taskforce.auth.models import EMAIL_MAX
from taskforce.auth.services import authenticate, end_sessions
from taskforce.extensions import limiter
from taskforce.text import CONTROL
from taskforce.web import form_status, public

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The account a sign-in tries, as typed (trimmed, any case), hashed: the limits' store
    never holds an address."""
    email = request.form.get("email", "").strip().lower()[:EMAIL_MAX]
    return "sign-in-account:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


def _failed(response) -> bool:
    """Only failed attempts count: a sign-in that succeeds redirects."""
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """Only a path on this site: browsers drop tabs and newlines, so "/%09/evil" is off-site."""
    if target and not CONTROL.search(target) and "\\" not in target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
# Two limits, so that no one can lock everyone out and no account can be sprayed: failed
# attempts per client address (the proxy's view of it, see TRUSTED_PROXIES) and per account.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            log.warning("failed sign-in for %r from %s", form.email.data, request.remote_addr)
            # Said once, on the password: the summary lists each field's errors already.
            form.password.errors = ["Enter a correct email address and password"]
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), form_status(form)


@bp.post("/logout")
def logout():
    # Signing out ends every session of this user, including copies of this cookie.
    end_sessions(current_user._get_current_object())
    logout_user()
    return redirect(url_for("auth.login"))
