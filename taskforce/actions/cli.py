"""`flask chase run`: the scheduler's chasing job, run once by hand."""

from __future__ import annotations

from contextlib import ExitStack

import click
from flask.cli import AppGroup

from taskforce.actions import chasing
from taskforce.agenda import chasing as paper_chasing
from taskforce.clock import today as service_today
from taskforce.meetings.workdays import is_working_day, why_not_working

chase_cli = AppGroup(
    "chase", help="Chase owners of due and overdue actions, and leads of commissioned papers."
)


@chase_cli.command("run")
@click.option(
    "--today",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Run as if it were this day (YYYY-MM-DD); the default is today.",
)
@click.option("--dry-run", is_flag=True, help="Show who would be emailed; record and send nothing.")
def run_chase(day, dry_run: bool) -> None:
    """Queue and send today's reminders, chases and escalations, for actions and for
    commissioned papers; print a summary."""
    day = day.date() if day else service_today()
    if not is_working_day(day):
        click.echo(f"Note: {day:%-d %B %Y} is {why_not_working(day)}; the scheduler skips it.")
    with ExitStack() as stack:
        bar: list = []

        def planned(summary: chasing.RunSummary) -> None:
            if summary.queued:
                click.echo(f"Queued {summary.queued} emails; sending…")
                bar.append(
                    stack.enter_context(click.progressbar(length=summary.queued, label="Sending"))
                )

        summary = chasing.run(
            day,
            dry_run=dry_run,
            on_planned=planned,
            progress=lambda n: bar[0].update(n) if bar else None,
        )
    if dry_run:
        for email, entries in summary.digests.items():
            steps = ", ".join(
                f"{e.reference} ({chasing.STEP_LABELS[e.step].lower()})" for e in entries if e.step
            )
            click.echo(f"{email}: {len(entries)} actions listed; new steps: {steps}")
    for line in summary.lines():
        click.echo(line)
    for line in paper_chasing.run(day, dry_run=dry_run).lines():
        click.echo(line)
