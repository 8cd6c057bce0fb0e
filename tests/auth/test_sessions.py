"""A session ends everywhere when it should: a cookie copied before sign-out, a new password,
a deactivation or a change of role signs nobody in when replayed afterwards."""

from __future__ import annotations

import pytest
from flask_login.utils import encode_cookie

from taskforce.auth import services as auth_services
from taskforce.auth.models import User
from taskforce.extensions import db
from tests.conftest import CLI, _csrf_from, login

COOKIE = "taskforce_session"


def copied_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str, name: str = COOKIE):
    """A fresh browser holding nothing but the copied cookie asks for the home page."""
    browser = app.test_client()
    browser.set_cookie(name, cookie)
    return browser.get("/")


def signed_in(response) -> bool:
    return response.status_code == 200


def admin_saves(app, admin: User, user: User, **changes):
    """An admin changes a user on the Users page, from their own browser."""
    browser = login(app.test_client(), admin)
    page = browser.get(f"/admin/users/{user.id}").get_data(as_text=True)
    data = {
        "csrf_token": _csrf_from(page),
        "name": user.name,
        "role": user.role,
        "active": "y" if user.active else "",
        "password": "",
        **changes,
    }
    response = browser.post(f"/admin/users/{user.id}", data={k: v for k, v in data.items() if v})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def test_a_cookie_copied_before_sign_out_does_not_work_after_it(app, client, make_user):
    user = make_user("member")
    login(client, user)
    cookie = copied_cookie(client)
    assert signed_in(replay(app, cookie))  # the copy works while the session lives
    token = _csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    response = replay(app, cookie)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_signing_out_ends_every_session_of_that_user(app, make_user):
    user = make_user("member")
    laptop, phone = login(app.test_client(), user), login(app.test_client(), user)
    token = _csrf_from(laptop.get("/account").get_data(as_text=True))
    laptop.post("/logout", data={"csrf_token": token})
    assert phone.get("/").status_code == 302
    assert signed_in(login(app.test_client(), user).get("/"))  # signing in again works


@pytest.mark.parametrize(
    "change",
    [
        {"password": "a-brand-new-password"},
        {"active": "", "confirm": "yes"},  # stopping someone signing in is asked twice
        {"role": "chair"},
    ],
    ids=["new password", "deactivated", "new role"],
)
def test_an_admins_change_ends_the_users_sessions(app, client, make_user, change):
    user = make_user("member")
    login(client, user)
    cookie = copied_cookie(client)
    admin = make_user("admin")
    admin_saves(app, admin, user, **change)
    assert replay(app, cookie).status_code == 302
    assert client.get("/").status_code == 302  # the browser that held it is signed out too


def test_a_change_of_name_alone_leaves_sessions_alone(app, client, make_user):
    user = make_user("member")
    login(client, user)
    admin_saves(app, make_user("admin"), user, name="A New Name")
    assert signed_in(client.get("/"))


def test_a_password_set_by_the_service_ends_sessions_too(app, client, make_user):
    """The rule is the service's, whoever calls it (the Users page, the CLI, a script)."""
    user = make_user("member")
    login(client, user)
    auth_services.set_password(user, "another-long-password", CLI)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_an_admin_who_changes_their_own_password_stays_signed_in_here_only(app, make_user):
    admin = make_user("admin")
    elsewhere = login(app.test_client(), admin)
    here = admin_saves(app, admin, admin, password="a-brand-new-password")
    assert signed_in(here.get("/"))
    assert elsewhere.get("/").status_code == 302
    login(app.test_client(), admin, "a-brand-new-password")


def test_a_remember_me_cookie_follows_the_session_token(app, make_user):
    """Sign-in sets no "remember me" cookie; one made for the user carries the same token
    as the session, so it ends with it."""
    user = make_user("member")
    browser = login(app.test_client(), user)
    assert browser.get_cookie("remember_token") is None
    with app.test_request_context():
        remembered = encode_cookie(user.get_id())
    assert signed_in(replay(app, remembered, "remember_token"))
    auth_services.end_sessions(user)
    db.session.commit()
    assert replay(app, remembered, "remember_token").status_code == 302


@pytest.mark.parametrize("session_id", ["1", "1:", ":x", "x:y", "99999999999:abc", "1:wrong"])
def test_a_session_id_without_the_current_token_signs_nobody_in(app, make_user, session_id):
    """Including a cookie from before session tokens, which held the id alone."""
    make_user("member")
    assert auth_services.user_for_session(session_id) is None
