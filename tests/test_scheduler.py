"""The scheduler process: its jobs, and one scheduler at a time."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from taskforce import mail
from taskforce.extensions import db
from taskforce.mail import OutboxMessage
from taskforce.scheduler import build_scheduler, deliver_outbox, in_app, single_scheduler

LONDON = ZoneInfo("Europe/London")


def _queue_one(app, to="someone@example.gov.uk"):
    message = mail.new_message([to], "Hello")
    message.set_content("Body")
    row = mail.queue(message, kind="test")
    row.next_attempt_at = datetime(2000, 1, 1, tzinfo=UTC)
    db.session.commit()
    return row


def test_the_scheduler_registers_the_outbox_chasing_and_housekeeping_jobs(app):
    app.config["CHASE_AT"] = "08:45"
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"outbox", "chase", "housekeeping"}
    trigger = str(jobs["chase"].trigger)
    assert "day_of_week='mon-fri'" in trigger
    assert "hour='8'" in trigger
    assert "minute='45'" in trigger


def test_the_outbox_job_sends_due_mail_once(app, smtp):
    _queue_one(app)
    job = in_app(app, deliver_outbox)
    job()
    job()
    assert len(smtp.messages) == 1
    assert db.session.query(OutboxMessage).one().status == "sent"


def test_a_failing_job_does_not_stop_the_scheduler(app, caplog):
    """The job's error is logged with its traceback, its half-done work rolled back, and
    the wrapper returns so that the next job runs."""
    ran = []

    def broken():
        ran.append("broken")
        half_done = OutboxMessage(kind="test", recipients="a@example.gov.uk", subject="x", raw="")
        db.session.add(half_done)
        db.session.flush()
        raise RuntimeError("boom")

    def healthy():
        ran.append("healthy")

    with caplog.at_level(logging.ERROR, logger="taskforce.scheduler"):
        assert in_app(app, broken)() is None  # returned: nothing escapes to the scheduler
        in_app(app, healthy)()
    assert ran == ["broken", "healthy"]
    [record] = [r for r in caplog.records if r.name == "taskforce.scheduler"]
    assert record.getMessage() == "scheduled job broken failed; it will run again"
    assert isinstance(record.exc_info[1], RuntimeError) and str(record.exc_info[1]) == "boom"
    assert db.session.query(OutboxMessage).count() == 0


def test_only_one_scheduler_holds_the_lock(app):
    entered = threading.Event()
    release = threading.Event()
    second_got_it = []

    def first():
        with app.app_context(), single_scheduler(poll_seconds=0.05):
            entered.set()
            release.wait(5)

    def second():
        with app.app_context(), single_scheduler(poll_seconds=0.05):
            second_got_it.append(datetime.now(UTC))

    t1 = threading.Thread(target=first)
    t1.start()
    assert entered.wait(5)
    t2 = threading.Thread(target=second)
    t2.start()
    t2.join(0.5)
    assert second_got_it == []  # waiting, idle, while the first holds the lock
    release.set()
    t1.join(5)
    t2.join(5)
    assert len(second_got_it) == 1  # and takes over when the first stops


def _chase_job(app, now: datetime):
    jobs = {job.id: job for job in build_scheduler(app, now=now).get_jobs()}
    return jobs["chase"]


def test_the_outbox_job_first_runs_as_the_scheduler_starts(app):
    now = datetime(2027, 3, 6, 10, 0, tzinfo=LONDON)
    jobs = {job.id: job for job in build_scheduler(app, now=now).get_jobs()}
    assert jobs["outbox"].next_run_time == now
    assert jobs["outbox"].name == "deliver_outbox"


def test_a_scheduler_started_after_the_chasing_hour_chases_at_once(app):
    app.config["CHASE_AT"] = "09:00"
    tuesday_ten = datetime(2027, 3, 2, 10, 0, tzinfo=LONDON)
    assert _chase_job(app, tuesday_ten).next_run_time == tuesday_ten


@pytest.mark.parametrize(
    "now",
    [
        datetime(2027, 3, 2, 8, 59, tzinfo=LONDON),  # before the hour: at 09:00 as usual
        datetime(2027, 3, 2, 17, 0, tzinfo=LONDON),  # more than CHASE_GRACE late: tomorrow
        datetime(2027, 3, 6, 10, 0, tzinfo=LONDON),  # a Saturday: on Monday
    ],
)
def test_a_scheduler_started_at_other_times_waits_for_the_hour(app, now):
    app.config["CHASE_AT"] = "09:00"
    job = _chase_job(app, now)
    assert getattr(job, "next_run_time", None) is None  # left to the trigger: the next 09:00


def test_sending_the_outbox_by_hand_says_mail_is_kept_without_a_mail_server(app):
    _queue_one(app)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.output == "1 kept in the outbox: no mail server is configured (SMTP_HOST).\n"
    assert db.session.query(OutboxMessage).one().status == "kept"


def test_on_sqlite_the_lock_is_a_file_beside_the_database(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL holds an advisory lock instead")
    lock = Path(f"{db.engine.url.database}.scheduler-lock")
    with single_scheduler(poll_seconds=0.05):
        assert lock.exists()
