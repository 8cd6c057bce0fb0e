"""`flask users ...` and `flask tokens ...`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from taskforce.audit.services import Actor
from taskforce.auth import services
from taskforce.auth.models import Role
from taskforce.errors import ServiceError
from taskforce.extensions import db

users_cli = AppGroup("users", help="Create and list users.")
tokens_cli = AppGroup("tokens", help="Create and revoke API bearer tokens.")
CLI = Actor.system("cli", "command line")


def _fail(error: ServiceError) -> None:
    db.session.rollback()
    details = "; ".join(m for messages in error.fields.values() for m in messages)
    raise click.ClickException(details or error.message)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create a user who can sign in (with --password-stdin) or use API tokens."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = services.create_user(email, name, role, CLI, password=password)
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("list")
def list_users() -> None:
    """List every user with their role."""
    from sqlalchemy import select

    from taskforce.auth.models import User

    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "" if user.active else "  (cannot sign in)"
        click.echo(f"{user.email:40} {user.role:12} {user.name}{state}")


def _user(email: str):
    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
def create_token(email: str, label: str) -> None:
    """Print a new API token for a user. It is shown only this once."""
    try:
        token = services.create_token(_user(email), CLI, label=label)
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(token)


@tokens_cli.command("revoke")
@click.argument("email")
def revoke_tokens(email: str) -> None:
    """Revoke all of a user's API tokens."""
    count = services.revoke_tokens(_user(email), CLI)
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {email}.", err=True)
