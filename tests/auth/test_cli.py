"""`flask users` and `flask tokens`."""

from __future__ import annotations

from taskforce.auth.models import ApiToken
from taskforce.auth.services import get_user_by_email, hash_token
from taskforce.extensions import db
from tests.conftest import Api


def test_users_create_with_password_from_stdin(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Kim@Example.gov.uk",
            "--name",
            "Kim Lee",
            "--role",
            "chair",
            "--password-stdin",
        ],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    user = get_user_by_email("kim@example.gov.uk")
    assert user.role == "chair"
    page = client.get("/login").get_data(as_text=True)
    from tests.conftest import _csrf_from

    response = client.post(
        "/login",
        data={
            "email": "kim@example.gov.uk",
            "password": "a-long-enough-password",
            "csrf_token": _csrf_from(page),
        },
    )
    assert response.status_code == 302


def test_users_create_refuses_bad_input_clearly(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["users", "create", "a@example.gov.uk", "--name", "A", "--role", "admin"]
    )
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["users", "create", "a@example.gov.uk", "--name", "A", "--role", "admin"]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    short = runner.invoke(
        args=[
            "users",
            "create",
            "b@example.gov.uk",
            "--name",
            "B",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output
    assert get_user_by_email("b@example.gov.uk") is None
    role = runner.invoke(
        args=["users", "create", "c@example.gov.uk", "--name", "C", "--role", "king"]
    )
    assert role.exit_code != 0


def test_tokens_create_prints_a_token_stored_only_hashed(app, client, make_user):
    user = make_user("secretariat")
    result = app.test_cli_runner().invoke(args=["tokens", "create", user.email])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("tf_") and len(token) > 30
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash
    assert Api(client, token).get("/taskforces").status_code == 200


def test_tokens_revoke_stops_every_token_of_the_user(app, client, make_user):
    user = make_user("secretariat")
    runner = app.test_cli_runner()
    tokens = [runner.invoke(args=["tokens", "create", user.email]).output.strip() for _ in range(2)]
    result = runner.invoke(args=["tokens", "revoke", user.email])
    assert result.exit_code == 0
    for token in tokens:
        assert Api(client, token).get("/taskforces").status_code == 401


def test_tokens_for_an_unknown_user_fail_clearly(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "ghost@example.gov.uk"])
    assert result.exit_code != 0
    assert "No user with the email ghost@example.gov.uk" in result.output


def test_users_create_refuses_a_name_over_more_than_one_line(app):
    runner = app.test_cli_runner()
    for name in ("Kim\u2028Lee", "Kim\x85Lee", "Kim\nLee", "Kim\tLee", "  "):
        result = runner.invoke(
            args=["users", "create", "kim@example.gov.uk", "--name", name, "--role", "member"]
        )
        assert result.exit_code != 0, name
        assert "Name must" in result.output or "full name" in result.output
    assert get_user_by_email("kim@example.gov.uk") is None


def test_tokens_create_refuses_a_label_over_more_than_one_line(app, make_user):
    user = make_user("secretariat")
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", user.email, "--label", "Reporting\u2029sheet"]
    )
    assert result.exit_code != 0
    assert "Label must be on one line" in result.output
    assert db.session.query(ApiToken).count() == 0
