"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from taskforce.audit.services import Actor, record
from taskforce.auth.models import EMAIL_MAX, NAME_MAX, ApiToken, Role, User, new_session_token
from taskforce.db import utcnow
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.text import address_problem, one_line_problem

TOKEN_PREFIX = "tf_"  # noqa: S105 - a marker, not a secret
PASSWORD_MIN = 12


def _hash_method() -> str:
    """werkzeug's method for new password hashes: scrypt, unless the config says otherwise."""
    return current_app.config["PASSWORD_HASH_METHOD"]


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so that a wrong email costs as long as a
    wrong password: made once per method, with the method real hashes use."""
    return generate_password_hash("not-a-real-password", method=method)


def users_by_name() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def validate_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationError.single(
            "password", f"Password must be at least {PASSWORD_MIN} characters"
        )
    if len(password) > 200:
        raise ValidationError.single("password", "Password must be 200 characters or fewer")


def create_user(
    email: str, name: str, role: Role | str, actor: Actor, password: str | None = None
) -> User:
    """Create a user; the password, if any, is stored only as a hash (scrypt in production)."""
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise ValidationError.single(
            "role", f"Role must be one of {', '.join(r.value for r in Role)}"
        )
    _check_user_text(email, name)
    if get_user_by_email(email) is not None:
        raise ValidationError.single("email", f"A user with the email {email} already exists")
    user = User(email=email, name=name.strip(), role=str(role))
    if password is not None:
        validate_password(password)
        user.password_hash = _hash_password(password)
    db.session.add(user)
    db.session.flush()
    record(
        actor,
        "user.created",
        user,
        changes={"email": email, "role": str(role)},
        summary=f"Created user {email} ({role})",
    )
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session and "remember me" cookie made so far
    carries the old session token, which no longer matches."""
    user.session_token = new_session_token()


def user_for_session(session_id: str) -> User | None:
    """The active user a session's id ("<user id>:<session token>") still signs in, or None."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 10 or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode("utf-8", "replace")):
        return None
    return user


def _check_user_text(email: str, name: str) -> None:
    """The rules the admin form applies, for callers that have no form (the command line)."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Enter the person's full name"]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Name must be {NAME_MAX} characters or fewer"]
    elif problem := one_line_problem(name):
        errors["name"] = [f"Name {problem}"]
    if problem := address_problem(email):
        errors["email"] = [problem]
    elif len(email) > EMAIL_MAX:
        errors["email"] = [f"Email address must be {EMAIL_MAX} characters or fewer"]
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            errors["email"] = [
                "Enter an email address in the correct format, like name@example.gov.uk"
            ]
    if errors:
        raise ValidationError(errors)


def set_password(user: User, password: str, actor: Actor) -> None:
    """Set a new password; every session signed in with the old one ends."""
    validate_password(password)
    user.password_hash = _hash_password(password)
    end_sessions(user)
    record(actor, "user.password_set", user, summary=f"Set the password of {user.email}")


def update_user(user: User, data: dict, actor: Actor) -> User:
    """Change a user's name, role or sign-in; a new role or a lost sign-in ends their
    sessions, so what they may do changes now, not when they next sign in."""
    if isinstance(data.get("name"), str) and (problem := one_line_problem(data["name"])):
        raise ValidationError.single("name", f"Name {problem}")
    changes = {}
    for name in ("name", "role", "active"):
        if name in data and data[name] is not None and getattr(user, name) != data[name]:
            changes[name] = [getattr(user, name), data[name]]
            setattr(user, name, data[name])
    if "role" in changes or ("active" in changes and not user.active):
        end_sessions(user)
    if changes:
        record(actor, "user.updated", user, changes=changes, summary=f"Changed {user.email}")
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = get_user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(_hash_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def create_token(user: User, actor: Actor, label: str = "") -> str:
    """Create an API token for a user and return it: it is shown once, stored hashed."""
    if problem := one_line_problem(label):
        raise ValidationError.single("label", f"Label {problem}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user=user, token_hash=hash_token(token), prefix=token[:10], label=label[:120])
    )
    record(actor, "token.created", user, summary=f"Created an API token for {user.email}")
    return token


def revoke_tokens(user: User, actor: Actor) -> int:
    """Revoke every live token of a user; return how many."""
    now = utcnow()
    count = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
            count += 1
    record(
        actor,
        "token.revoked",
        user,
        changes={"count": count},
        summary=f"Revoked {count} API token(s) of {user.email}",
    )
    return count


def user_for_token(token: str) -> User | None:
    """Return the active user a live token acts for, noting when it was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if api_token is None or api_token.revoked_at is not None or not api_token.user.active:
        return None
    now = utcnow()
    # One write every few minutes, not one per request: readers must not queue behind writers.
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        api_token.last_used_at = now
    return api_token.user
