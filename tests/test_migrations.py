"""The schema is made by migrations alone, and they agree with the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from taskforce import create_app
from taskforce.extensions import db


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A database with nothing in it, of the same kind the tests run on."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _diff(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_build_the_schema_the_models_describe(empty_database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        assert _diff(app) == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "taskforces", "members", "tor_versions", "audit_events"} <= tables
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_up_again(empty_database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert _diff(app) == []
        db.engine.dispose()


def test_links_issued_before_the_rule_let_go_of_ended_actions(empty_database_url):
    """0013: an ended action leaves its owner links, as closing it now does, so reopening it
    cannot bring an old link back to life."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0012_edit_registers")
        now = "2026-11-01 09:00:00"
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO taskforces (id, name, code, purpose, cadence_weeks, created_at,"
                    " updated_at, version) VALUES (1, 'T', 'T', 'p', 6, :now, :now, 1)"
                ),
                {"now": now},
            )
            for number, status in ((1, "dropped"), (2, "open"), (3, "closed")):
                conn.execute(
                    text(
                        "INSERT INTO actions (id, taskforce_id, meeting_number, number, reference,"
                        " description, owner_name, owner_email, owner_organisation, due_on,"
                        " status, created_at, version) VALUES (:n, 1, 0, :n, :ref, 'd', 'Ana',"
                        " 'ana@example.gov.uk', '', '2027-01-01', :status, :now, 1)"
                    ),
                    {"n": number, "ref": f"T-0/{number}", "status": status, "now": now},
                )
            conn.execute(
                text(
                    "INSERT INTO access_links (id, token_hash, purpose, email, created_at,"
                    " expires_at) VALUES (1, 'h', 'action_owner', 'ana@example.gov.uk', :now,"
                    " '2027-01-01 00:00:00')"
                ),
                {"now": now},
            )
            for action_id in (1, 2, 3):
                conn.execute(
                    text("INSERT INTO access_link_actions (link_id, action_id) VALUES (1, :a)"),
                    {"a": action_id},
                )
        upgrade()
        with db.engine.connect() as conn:
            left = conn.execute(text("SELECT action_id FROM access_link_actions")).scalars()
            assert list(left) == [2]
        db.engine.dispose()


def test_users_from_before_0013_each_get_their_own_session_token(empty_database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0012_edit_registers")
        with db.engine.begin() as conn:
            for n in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, name, role, active, created_at)"
                        " VALUES (:n, :email, 'A', 'member', true, '2026-11-01 09:00:00')"
                    ),
                    {"n": n, "email": f"user{n}@example.gov.uk"},
                )
        upgrade()
        with db.engine.connect() as conn:
            tokens = conn.execute(text("SELECT session_token FROM users")).scalars().all()
        db.engine.dispose()
    assert len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)


def test_number_counters_carry_on_from_the_numbers_already_given(empty_database_url):
    """Data made before the counters existed: the migration seeds each counter from the
    highest number in use, so the next meeting, action and ToR version follow on."""
    from datetime import UTC, date, datetime

    from taskforce.actions.services import create_action
    from taskforce.audit.services import Actor
    from taskforce.bodies.models import TaskForce, TorVersion
    from taskforce.bodies.services import add_member, create_taskforce
    from taskforce.meetings.services import schedule_meetings
    from taskforce.numbering import NumberCounter

    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database_url)
    actor = Actor.system("cli", "tests")
    action = {
        "description": "Write it up",
        "owner_name": "Ola Ade",
        "owner_email": "ola@example.gov.uk",
        "due_date": date(2040, 3, 1),
    }
    with app.app_context():
        upgrade()
        tf = create_taskforce({"name": "Skills", "code": "SK", "members": []}, actor)
        add_member(tf, {"name": "Sam Patel", "email": "sam@example.gov.uk"}, actor)
        meetings = schedule_meetings(
            tf,
            first_start=datetime(2040, 1, 10, 10, tzinfo=UTC),
            count=3,
            duration_minutes=60,
            location="",
            actor=actor,
        )
        for meeting in (None, None, meetings[1], meetings[1], meetings[1]):
            create_action(tf, action, actor, meeting)
        db.session.commit()
        tf_id = tf.id
        db.session.remove()

        downgrade(revision="0013_access_hardening")  # as the data stood before the counters
        upgrade()
        counters = {
            (c.series, c.scope): c.last_number
            for c in db.session.scalars(db.select(NumberCounter).filter_by(taskforce_id=tf_id))
        }
        assert counters == {
            ("meeting", 0): 3,
            ("action", 0): 2,
            ("action", 2): 3,
            ("tor_version", 0): 2,
        }

        tf = db.session.get(TaskForce, tf_id)
        meetings = schedule_meetings(
            tf,
            first_start=datetime(2040, 6, 5, 9, tzinfo=UTC),
            count=1,
            duration_minutes=60,
            location="",
            actor=actor,
        )
        assert [m.number for m in meetings] == [4]
        assert create_action(tf, action, actor)[0].reference == "SK-0/3"
        assert create_action(tf, action, actor, meetings[0])[0].reference == "SK-4/1"
        add_member(tf, {"name": "Nia Roberts", "email": "nia@example.gov.uk"}, actor)
        db.session.commit()
        versions = db.select(TorVersion.number).filter_by(taskforce_id=tf_id)
        assert sorted(db.session.scalars(versions)) == [1, 2, 3]
        db.session.remove()
        db.engine.dispose()
