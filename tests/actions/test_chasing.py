"""Chasing over simulated dates, against a real SMTP server: the ladder, one digest per
owner per run, escalation to the chair, and nothing sent twice however a run goes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from taskforce import mail
from taskforce.actions import chasing, emails, ladder
from taskforce.actions.models import ChaseLog
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.links import AccessLink
from taskforce.mail import OutboxMessage
from tests.conftest import NIA, SEREN

# Due on Monday 1 March 2027. Default ladder in working days: reminder -3 (Wed 24 Feb),
# chase +1 (Tue 2 Mar), second chase +6 (Tue 9 Mar), escalation +11 (Tue 16 Mar).
DUE = date(2027, 3, 1)
ANA = "ana.lopes@example.gov.uk"
CHAIR, SECRETARIAT = NIA, SEREN  # whom tf escalates to
BEN = "ben.clarke@example.gov.uk"


def chase(app, day: str, *extra: str):
    result = app.test_cli_runner().invoke(args=["chase", "run", "--today", day, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def three(make_action):
    return [
        make_action(ANA, DUE, "Ana Lopes", description="Draft the employer survey"),
        make_action(ANA, DUE, "Ana Lopes", description="Cost the apprenticeship pilot"),
        make_action(BEN, DUE, "Ben Clarke", description="Map the regional colleges"),
    ]


def test_the_whole_ladder_one_digest_per_owner_per_run(app, smtp, three):
    assert "Owners emailed: 0" in chase(app, "2027-02-23")
    assert smtp.messages == []

    output = chase(app, "2027-02-24")
    assert "Owners emailed: 2" in output and "Reminder: 3" in output
    assert "Emails sent: 2 of 2" in output
    assert [len(smtp.to(ANA)), len(smtp.to(BEN))] == [1, 1]
    digest = body(smtp.to(ANA)[0])
    assert "SW-0/1" in digest and "SW-0/2" in digest  # both of Ana's actions in one email
    assert digest.count("/a/") == 2  # each with its own link
    assert smtp.to(ANA)[0]["Subject"] == "Your actions: 2 due soon"

    for repeat in ("2027-02-24", "2027-02-25", "2027-03-01"):
        assert "Owners emailed: 0" in chase(app, repeat)  # nothing new on the ladder
    assert len(smtp.messages) == 2

    assert "Chase: 3" in chase(app, "2027-03-02")
    chased = body(smtp.to(ANA)[-1])
    assert "overdue by 1 day" in chased
    assert smtp.to(ANA)[-1]["Subject"] == "Your actions: 2 overdue"

    assert "Second chase: 3" in chase(app, "2027-03-09")
    assert len(smtp.messages) == 6

    output = chase(app, "2027-03-16")
    assert "Escalation to the chair and secretariat: 3" in output
    assert "Escalation emails to chairs and secretariats: 1" in output
    escalation = [m for rcpts, m in smtp.messages if CHAIR in rcpts]
    assert len(escalation) == 1 and SECRETARIAT in escalation[0]["To"]
    text = body(escalation[0])
    assert "SW-0/1" in text and "Ana Lopes" in text and "Ben Clarke" in text
    assert "escalated to the task force's chair" in body(smtp.to(BEN)[-1])

    assert "Owners emailed: 0" in chase(app, "2027-03-17")
    assert "Owners emailed: 0" in chase(app, "2027-04-30")
    assert len(smtp.messages) == 9  # 2 reminders, 2 chases, 2 second chases, 2 + 1 escalation
    assert count(ChaseLog) == 12  # four steps for each of three actions, each once


def test_a_late_start_climbs_the_ladder_one_rung_at_a_time(app, smtp, three):
    """Actions already well overdue (a backlog at go-live, a scheduler that was down) start
    with a chase, not an escalation, and the ladder keeps its gaps from there."""
    assert "Chase: 3" in chase(app, "2027-03-10")  # past the second chase's own date
    assert "escalated" not in body(smtp.to(ANA)[0])
    assert "Owners emailed: 0" in chase(app, "2027-03-16")  # escalation day on paper
    assert "Second chase: 3" in chase(app, "2027-03-17")  # five working days after the chase
    assert "Owners emailed: 0" in chase(app, "2027-03-23")
    assert "Escalation to the chair and secretariat: 3" in chase(app, "2027-03-24")
    steps = db.session.scalars(select(ChaseLog.step).order_by(ChaseLog.id)).all()
    assert steps == ["chase"] * 3 + ["second_chase"] * 3 + ["escalation"] * 3


def test_a_date_at_the_edge_of_the_calendar_does_not_stop_chasing(app, smtp, three, make_action):
    from taskforce.actions.models import Action

    odd = make_action(BEN, DUE, "Ben Clarke")
    db.session.execute(update(Action).where(Action.id == odd.id).values(due_on=date(1, 1, 3)))
    db.session.commit()
    assert "Chase: 3" in chase(app, "2027-03-02")


def test_finished_actions_are_not_chased_and_a_new_date_restarts_the_ladder(app, smtp, three, api):
    first, second, third = three
    api.patch(f"/actions/{first.id}", {"status": "complete"})
    api.patch(f"/actions/{third.id}", {"status": "dropped", "comment": "Overtaken"})
    chase(app, "2027-03-02")
    assert len(smtp.messages) == 1 and "SW-0/2" in body(smtp.to(ANA)[0])
    assert "SW-0/1" not in body(smtp.to(ANA)[0])

    api.patch(f"/actions/{second.id}", {"due_date": "2027-03-12"})
    assert "Owners emailed: 0" in chase(app, "2027-03-05")
    assert "Reminder: 1" in chase(app, "2027-03-09")  # three working days before the new date


def test_a_run_whose_mail_server_is_down_loses_nothing_and_sends_nothing_twice(app, smtp, three):
    smtp.stop()
    output = chase(app, "2027-02-25")
    assert "failed for now: 2" in output
    assert "retried automatically" in output
    assert count(ChaseLog) == 3  # the steps are recorded: their mail waits in the outbox

    assert "Owners emailed: 0" in chase(app, "2027-02-25")  # the rerun adds nothing
    smtp.start()
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert mail.deliver_queued() == (2, 0)
    assert mail.deliver_queued() == (0, 0)
    assert [len(smtp.to(ANA)), len(smtp.to(BEN))] == [1, 1]


def test_a_crash_part_way_through_planning_leaves_nothing_behind(app, smtp, three, monkeypatch):
    real = emails.owner_digest
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the process died here")
        return real(*args, **kwargs)

    monkeypatch.setattr(emails, "owner_digest", crash_on_second)
    result = app.test_cli_runner().invoke(args=["chase", "run", "--today", "2027-02-25"])
    assert result.exit_code != 0
    db.session.rollback()
    assert (count(ChaseLog), count(OutboxMessage), count(AccessLink)) == (0, 0, 0)
    assert smtp.messages == []

    monkeypatch.setattr(emails, "owner_digest", real)
    chase(app, "2027-02-25")
    chase(app, "2027-02-25")
    assert [len(smtp.to(ANA)), len(smtp.to(BEN))] == [1, 1]


def test_a_rival_run_that_logged_first_wins_and_nothing_is_sent_twice(
    app, smtp, three, monkeypatch
):
    chase(app, "2027-02-25")
    assert len(smtp.messages) == 2
    # This run read the log before the rival's commit: it plans the same steps again.
    real = chasing._logged
    stale = iter([{}])
    monkeypatch.setattr(chasing, "_logged", lambda today: next(stale, None) or real(today))
    output = chase(app, "2027-02-25")
    assert "Owners emailed: 0" in output
    assert len(smtp.messages) == 2
    assert count(ChaseLog) == 3 and count(OutboxMessage) == 2


def test_dry_run_shows_who_would_be_chased_and_records_nothing(app, smtp, three):
    output = chase(app, "2027-03-16", "--dry-run")
    assert "dry run" in output
    assert f"{ANA}: 2 actions listed; new steps: SW-0/1 (chase), SW-0/2 (chase)" in output
    assert "Chase: 3" in output
    assert (count(ChaseLog), count(OutboxMessage), count(AccessLink)) == (0, 0, 0)
    assert smtp.messages == []


def test_a_task_force_can_move_the_rungs(app, smtp, three, tf):
    tf.chase_offsets = {"reminder": -5, "chase": 2, "second_chase": 4, "escalation": 8}
    db.session.commit()
    assert "Reminder: 3" in chase(app, "2027-02-22")  # five working days before 1 March
    assert "Owners emailed: 0" in chase(app, "2027-03-02")
    assert "Chase: 3" in chase(app, "2027-03-03")


def test_ladder_rules():
    assert ladder.ladder_problems({"reminder": 2}) == {
        "reminder": ["The reminder comes before the due date: give a negative number"]
    }
    assert "second_chase" in ladder.ladder_problems({"chase": 5, "second_chase": 5})
    assert "escalation" in ladder.ladder_problems({"escalation": 0})
    assert "nonsense" in ladder.ladder_problems({"nonsense": 1})
    assert ladder.ladder_problems({"reminder": -1, "escalation": 30}) == {}


def test_the_scheduler_job_skips_days_that_are_not_working_days(app, smtp, three, monkeypatch):
    from taskforce import clock
    from taskforce.scheduler import chase_owners, in_app

    monkeypatch.setattr(clock, "today", lambda: date(2027, 3, 6))  # a Saturday
    in_app(app, chase_owners)()
    assert smtp.messages == []
    monkeypatch.setattr(clock, "today", lambda: date(2027, 3, 8))
    in_app(app, chase_owners)()
    assert len(smtp.messages) == 2


def test_escalation_without_a_chair_or_secretariat_still_chases_the_owner(
    app, smtp, make_taskforce, secretariat, make_action
):
    lonely = make_taskforce(by=secretariat, code="LN", name="Lonely Task Force", members=[])
    make_action(ANA, DUE - timedelta(days=30), "Ana Lopes", taskforce=lonely)
    for day in ("2027-03-02", "2027-03-09"):
        chase(app, day)
    output = chase(app, "2027-03-16")
    assert "Escalation to the chair and secretariat: 1" in output
    assert "Escalation emails to chairs and secretariats: 0" in output
    assert len(smtp.messages) == 3 and {tuple(r) for r, _m in smtp.messages} == {(ANA,)}


def test_a_due_date_on_a_weekend_keeps_every_rung_on_its_day(app, smtp, make_action):
    make_action(ANA, date(2027, 3, 6), "Ana Lopes")  # a Saturday
    days = {}
    day = date(2027, 3, 1)
    while day <= date(2027, 3, 26):
        output = chase(app, day.isoformat())
        for step, label in ladder.STEP_LABELS.items():
            if f"{label}: 1" in output:
                days[step] = day
        day += timedelta(days=1)
    assert days == {
        "reminder": date(2027, 3, 3),
        "chase": date(2027, 3, 8),
        "second_chase": date(2027, 3, 15),
        "escalation": date(2027, 3, 22),
    }


def test_an_action_allocated_inside_the_reminder_window_is_chased_the_day_after(
    app, smtp, make_action
):
    make_action(ANA, date(2027, 3, 2), "Ana Lopes")  # due Tuesday, allocated on the Monday
    assert "Reminder: 1" in chase(app, "2027-03-01")
    assert "Owners emailed: 0" in chase(app, "2027-03-02")
    assert "Chase: 1" in chase(app, "2027-03-03")


def test_without_a_mail_server_a_run_says_its_mail_was_kept_not_sent(app, three):
    output = chase(app, "2027-02-24")
    assert "Emails kept in the outbox, not sent (no mail server is configured): 2 of 2" in output
    assert "Emails sent" not in output
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["kept", "kept"]
