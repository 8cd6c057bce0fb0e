"""Reference numbers are handed out once each, in order, with none skipped: under many
concurrent requests (PostgreSQL with several connections, SQLite with several threads), and
when a request that took one is rolled back."""

from __future__ import annotations

import threading
from collections import Counter as Tally
from datetime import timedelta

import pytest
from flask import Flask

from taskforce import numbering
from taskforce.actions import services as action_services
from taskforce.actions.models import Action
from taskforce.bodies.models import TorVersion
from taskforce.clock import today
from taskforce.errors import Conflict
from taskforce.extensions import db
from taskforce.meetings.models import Meeting
from tests.concurrency import DEADLINE, EACH, THREADS, race
from tests.conftest import CLI, Api


def _action_body(tf_id: int, n: int, due: str, **kw) -> dict:
    return {
        "taskforce_id": tf_id,
        "description": f"Race action {n}",
        "owner_name": "Ola Ade",
        "owner_email": "ola.ade@example.gov.uk",
        "due_date": due,
        **kw,
    }


@pytest.fixture
def token(api: Api) -> dict:
    return api.headers


def test_concurrent_creates_each_get_their_own_number_and_none_is_skipped(
    app: Flask, tf, token, make_meeting, monkeypatch
):
    """THREADS x EACH creates at once over the API, a fifth of them rolled back after their
    number was allocated (the audit record fails): every create the user did nothing wrong in
    succeeds, and the numbers kept run 1, 2, 3 … with no gap and no repeat."""
    meeting = make_meeting()
    # Read before the race: the threads have no app context of their own outside requests.
    tf_id, meeting_id, meeting_number = tf.id, meeting.id, meeting.number
    due = (today() + timedelta(weeks=8)).isoformat()
    record = action_services.record

    def failing_record(actor, event, target, **kw):
        if "Fail Me" in kw.get("summary", ""):
            raise Conflict("Simulated failure after allocation")
        return record(actor, event, target, **kw)

    monkeypatch.setattr(action_services, "record", failing_record)
    statuses: list[tuple[str, int]] = []

    def work(i: int) -> None:
        client = app.test_client()
        for k in range(EACH):
            fails = (i * EACH + k) % 5 == 0
            extra = {"owner_name": "Fail Me"} if fails else {}
            if k % 2:
                extra["meeting_id"] = meeting_id
            response = client.post(
                "/api/v1/actions",
                json=_action_body(tf_id, i * EACH + k, due, **extra),
                headers=token,
            )
            statuses.append(("fails" if fails else "ok", response.status_code))

    seconds = race(work)
    print(f"\n{THREADS * EACH} concurrent creates in {seconds:.1f}s on {db.engine.dialect.name}")
    assert Tally(statuses) == {
        ("ok", 201): THREADS * EACH * 4 // 5,
        ("fails", 409): THREADS * EACH // 5,
    }
    db.session.expire_all()
    actions = db.session.scalars(db.select(Action).where(Action.taskforce_id == tf.id)).all()
    for number in (0, meeting_number):
        numbers = sorted(a.number for a in actions if a.meeting_number == number)
        assert numbers == list(range(1, len(numbers) + 1))
    assert len({a.reference for a in actions}) == len(actions) == THREADS * EACH * 4 // 5


def test_concurrent_scheduling_numbers_meetings_without_gaps(app: Flask, tf, token):
    tf_id = tf.id

    def work(i: int) -> None:
        client = app.test_client()
        for k in range(EACH // 5):
            body = {"first_start": f"2040-01-{10 + i:02d}T10:00:00", "count": 2 + k % 2}
            response = client.post(f"/api/v1/taskforces/{tf_id}/schedule", json=body, headers=token)
            assert response.status_code == 201, response.get_json()

    race(work)
    db.session.expire_all()
    numbers = db.session.scalars(db.select(Meeting.number).where(Meeting.taskforce_id == tf.id))
    scheduled = THREADS * sum(2 + k % 2 for k in range(EACH // 5))
    assert sorted(numbers) == list(range(1, scheduled + 1))


def test_concurrent_member_changes_number_every_tor_version_and_each_sees_the_last(
    app: Flask, tf, token
):
    tf_id, first = tf.id, tf.current_tor_number

    def work(i: int) -> None:
        client = app.test_client()
        for k in range(EACH // 5):
            body = {"name": f"Member {i}-{k}", "email": f"member{i}-{k}@example.gov.uk"}
            response = client.post(f"/api/v1/taskforces/{tf_id}/members", json=body, headers=token)
            assert response.status_code == 201, response.get_json()

    race(work)
    db.session.expire_all()
    versions = db.session.scalars(
        db.select(TorVersion).where(TorVersion.taskforce_id == tf.id).order_by(TorVersion.number)
    ).all()
    added = THREADS * (EACH // 5)
    assert [v.number for v in versions] == list(range(1, first + added + 1))
    # Each version was drawn after the one before it was saved: it holds every member so far.
    sizes = [len(v.snapshot["members"]) for v in versions[first - 1 :]]
    assert sizes == list(range(sizes[0], sizes[0] + added + 1))


def _action(n: int = 1) -> dict:
    return {
        "description": f"Action {n}",
        "owner_name": "Ola Ade",
        "owner_email": " Ola.Ade@example.gov.uk",
        "due_date": today() + timedelta(weeks=8),
    }


def test_several_actions_take_consecutive_references_in_one_go(tf, make_meeting, make_action):
    meeting = make_meeting()
    make_action(meeting=meeting)
    created = action_services.create_actions(tf, [_action(n) for n in range(3)], CLI, meeting)
    assert [a.reference for a, _warnings in created] == ["SW-1/2", "SW-1/3", "SW-1/4"]
    assert [a.description for a, _warnings in created] == ["Action 0", "Action 1", "Action 2"]
    assert {a.owner_email for a, _warnings in created} == {"ola.ade@example.gov.uk"}
    assert action_services.create_actions(tf, [], CLI, meeting) == []


def test_a_rolled_back_allocation_gives_its_numbers_back(tf):
    action_services.create_actions(tf, [_action(), _action()], CLI)
    db.session.rollback()
    action, _warnings = action_services.create_action(tf, _action(), CLI)
    assert action.reference == "SW-0/1"


def test_numbers_are_taken_only_in_ones_or_more():
    with pytest.raises(ValueError, match="at least one"):
        numbering.allocate(1, numbering.Series.ACTION, 0)


def test_a_second_allocation_waits_for_the_first_to_commit(app: Flask, tf):
    """The counter is held from allocation to commit: by a row lock on PostgreSQL, by the
    write lock on SQLite. The second request then carries on from what the first kept."""
    tf_id = tf.id
    first_holds, release = threading.Event(), threading.Event()
    taken: dict[str, list[int]] = {}

    def first() -> None:
        with app.app_context():
            taken["first"] = list(numbering.allocate(tf_id, numbering.Series.MEETING, 2))
            first_holds.set()
            release.wait(DEADLINE)
            db.session.commit()

    def second() -> None:
        with app.app_context():
            assert first_holds.wait(DEADLINE)
            taken["second"] = list(numbering.allocate(tf_id, numbering.Series.MEETING))
            db.session.commit()

    threads = [threading.Thread(target=f, daemon=True) for f in (first, second)]
    for thread in threads:
        thread.start()
    try:
        assert first_holds.wait(DEADLINE)
        threads[1].join(0.5)
        assert threads[1].is_alive()  # queued behind the first's lock
    finally:
        release.set()
    for thread in threads:
        thread.join(DEADLINE)
    assert taken == {"first": [1, 2], "second": [3]}
