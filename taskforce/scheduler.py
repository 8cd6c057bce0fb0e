"""Timed work in its own process: `flask scheduler run`. Web workers never run jobs.

The scheduler only wakes jobs up; what is due lives in the database (the outbox's
next_attempt_at, later the chase log). Only one scheduler may work at a time: on PostgreSQL
it holds an advisory lock, on SQLite a lock on a file beside the database; a second one
waits, idle, and takes over if the first stops.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text

from taskforce import mail
from taskforce.extensions import db

log = logging.getLogger(__name__)
#: Any fixed number: PostgreSQL advisory locks are keyed by integers.
ADVISORY_LOCK_KEY = 72_411_006

scheduler_cli = AppGroup("scheduler", help="Run timed jobs (one process per deployment).")
outbox_cli = AppGroup("outbox", help="The mail outbox.")


def in_app(app: Flask, job: Callable[[], object]) -> Callable[[], None]:
    """Wrap a job so it runs in an app context with a fresh session, and never kills the loop."""

    def run() -> None:
        with app.app_context():
            try:
                job()
            except Exception:
                log.exception("scheduled job %s failed; it will run again", job.__name__)
                db.session.rollback()
            finally:
                db.session.remove()

    run.__name__ = job.__name__
    run.__qualname__ = job.__qualname__  # what APScheduler's log names the job by
    return run


def deliver_outbox() -> None:
    """Send queued mail whose retry time has come."""
    sent, failed = mail.deliver_queued()
    if sent and mail.keeps_mail():
        log.info("outbox: %s kept here (no mail server is configured)", sent)
    elif sent or failed:
        log.info("outbox: %s sent, %s failed", sent, failed)


def chase_owners() -> None:
    """Chase owners of due and overdue actions, and leads of awaited papers, on working days
    only."""
    from taskforce.actions import chasing
    from taskforce.agenda import chasing as paper_chasing
    from taskforce.clock import today
    from taskforce.meetings.workdays import is_working_day

    day = today()
    if not is_working_day(day):
        log.info("chasing: %s is not a working day", day)
        return
    summary = chasing.run(day)
    log.info("chasing: %s", "; ".join(summary.lines()))
    papers = paper_chasing.run(day)
    log.info("chasing papers: %s", "; ".join(papers.lines()))


def housekeeping() -> None:
    """Delete what is no longer needed: cached charts drawn long ago."""
    from taskforce.performance import charts

    pruned = charts.prune()
    db.session.commit()
    log.info("housekeeping: %s cached chart%s deleted", pruned, "" if pruned == 1 else "s")


#: How long after CHASE_AT a scheduler that starts late still chases that day.
CHASE_GRACE = timedelta(hours=8)


def build_scheduler(app: Flask, now: datetime | None = None) -> BlockingScheduler:
    """Register every domain's jobs; the caller starts it."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    now = (now or datetime.now(zone)).astimezone(zone)
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(
        in_app(app, deliver_outbox),
        "interval",
        minutes=1,
        id="outbox",
        max_instances=1,
        coalesce=True,
        next_run_time=now,  # at once: mail queued while no scheduler ran (`flask demo load`)
    )
    hour, minute = app.config["CHASE_AT"].split(":")
    chase_at = now.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    # A scheduler that was down at the hour still chases when it comes back that day: at
    # once. Chasing never sends a step twice, so a run that already happened adds nothing.
    late = now.weekday() < 5 and chase_at <= now < chase_at + CHASE_GRACE
    scheduler.add_job(
        in_app(app, chase_owners),
        "cron",
        day_of_week="mon-fri",
        hour=int(hour),
        minute=int(minute),
        id="chase",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(CHASE_GRACE.total_seconds()),
        **({"next_run_time": now} if late else {}),
    )
    scheduler.add_job(
        in_app(app, housekeeping),
        "cron",
        hour=3,
        minute=30,
        id="housekeeping",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=24 * 60 * 60,
    )
    return scheduler


@contextmanager
def single_scheduler(poll_seconds: float = 30) -> Iterator[None]:
    """Hold the one-scheduler lock for the duration, waiting for it if another has it."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            while not conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
            ).scalar():
                log.info("another scheduler holds the lock; waiting")
                conn.commit()
                time.sleep(poll_seconds)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                conn.commit()
        return
    # Beside the database file: a scheduler of another database (a test's) is not held up.
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        lock_path = Path(f"{database}.scheduler-lock")
    else:
        lock_path = Path(current_app.instance_path) / "scheduler.lock"
    with open(lock_path, "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                log.info("another scheduler holds %s; waiting", lock_path)
                time.sleep(poll_seconds)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduler until stopped: outbox, chasing and nightly housekeeping."""
    app = current_app._get_current_object()
    with single_scheduler():
        scheduler = build_scheduler(app)
        click.echo(
            f"Scheduler running: {', '.join(j.id for j in scheduler.get_jobs())}. Ctrl+C stops it."
        )
        with suppress(KeyboardInterrupt, SystemExit):
            scheduler.start()


@outbox_cli.command("send")
def send_outbox() -> None:
    """Send whatever mail is due now, once."""
    sent, failed = mail.deliver_queued()
    if mail.keeps_mail():
        click.echo(f"{sent} kept in the outbox: no mail server is configured (SMTP_HOST).")
    else:
        click.echo(f"{sent} sent, {failed} failed.")
