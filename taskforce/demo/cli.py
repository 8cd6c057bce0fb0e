"""`flask demo load`: an invented task force to try the product with."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from taskforce.demo.data import DEMO_PASSWORD, load_demo

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if any task force exists.")
def load(if_empty: bool) -> None:
    """Create the demo task force and users to sign in with."""
    from taskforce.extensions import db

    created = load_demo(only_if_empty=if_empty)
    db.session.commit()
    if created is None:
        click.echo("Demo data already present: nothing loaded.")
        return
    click.echo(f"Loaded the demo task force “{created.name}” ({created.code}).")
    click.echo(f"Sign in as secretariat@example.gov.uk with the password {DEMO_PASSWORD}")
