"""Signing in and out, and the protections around it."""

from __future__ import annotations

from config import CONFIGS
from taskforce.auth import services as auth_services
from taskforce.extensions import db
from tests.conftest import CLI, PASSWORD, _csrf_from, login


def _post_login(client, email, password, token=None, next_url=""):
    if token is None:
        token = _csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login" + next_url, data={"email": email, "password": password, "csrf_token": token}
    )


def test_sign_in_with_the_right_password_reaches_the_home_page(client, make_user):
    user = make_user("secretariat")
    response = _post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response.location == "/"
    assert user.name in client.get("/").get_data(as_text=True)


def test_wrong_password_shows_an_error_summary(client, make_user):
    user = make_user("secretariat")
    response = _post_login(client, user.email, "wrong-password-here")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in html
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert summary.count("Enter a correct email address and password") == 1
    assert 'href="#password"' in summary
    assert html.count("Enter a correct email address and password") == 2  # and by the field
    assert "<title>Error: Sign in" in html


def test_unknown_email_looks_like_a_wrong_password(client):
    html = _post_login(client, "nobody@example.gov.uk", "whatever-it-is").get_data(as_text=True)
    assert "Enter a correct email address and password" in html


def test_empty_form_names_each_missing_field(client):
    html = _post_login(client, "", "").get_data(as_text=True)
    assert 'href="#email"' in html
    assert "Enter your email address" in html
    assert "Enter your password" in html


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user("member")
    user.active = False
    db.session.commit()
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 422
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert client.get("/").location.startswith("/login")  # still signed out


def test_login_form_without_csrf_token_is_refused(client, make_user):
    """The CSRF check comes before the form: the error page, not the form with an error."""
    user = make_user("member")
    response = _post_login(client, user.email, PASSWORD, token="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<title>Your form has expired" in html
    assert "Go back, reload the page and submit it again." in html
    assert client.get("/").location.startswith("/login")  # still signed out


def test_next_only_goes_to_this_site(client, make_user):
    user = make_user("member")
    for evil in (
        "//evil.example/",
        "/%09/evil.example",
        "/%0a/evil.example",
        "https://evil.example/",
        "/\\evil.example",
    ):
        response = _post_login(client, user.email, PASSWORD, next_url=f"?next={evil}")
        assert response.location == "/", evil
        client.post(
            "/logout",
            data={"csrf_token": _csrf_from(client.get("/account").get_data(as_text=True))},
        )
    client.post(
        "/logout", data={"csrf_token": _csrf_from(client.get("/account").get_data(as_text=True))}
    )
    response = _post_login(client, user.email, PASSWORD, next_url="?next=/account")
    assert response.location == "/account"


def test_sign_out_needs_a_post_with_csrf(client, make_user):
    login(client, make_user("member"))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    token = _csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user("member")
    response = _post_login(client, user.email, PASSWORD)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("taskforce_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_passwords_are_stored_as_scrypt_hashes(app, client, make_user, monkeypatch):
    """Outside the tests (whose TestConfig hashes cheaply), every configuration uses scrypt."""
    methods = {name: config.PASSWORD_HASH_METHOD for name, config in CONFIGS.items()}
    assert methods == {"development": "scrypt", "test": "pbkdf2:sha256:1", "production": "scrypt"}
    monkeypatch.setitem(
        app.config, "PASSWORD_HASH_METHOD", CONFIGS["production"].PASSWORD_HASH_METHOD
    )
    user = make_user("member")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    auth_services.set_password(user, "another-long-password", CLI)
    assert user.password_hash.startswith("scrypt:")
    db.session.commit()
    login(client, user, "another-long-password")


def test_an_unknown_email_is_checked_against_a_hash_made_like_the_real_ones(app, monkeypatch):
    """So that a wrong email takes as long as a wrong password, whatever the method."""
    checked = []
    monkeypatch.setattr(
        auth_services, "check_password_hash", lambda hashed, _password: checked.append(hashed)
    )
    for method in ("scrypt", "pbkdf2:sha256:1"):
        monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", method)
        assert auth_services.authenticate("nobody@example.gov.uk", "whatever-it-is") is None
    assert len(checked) == 2
    assert checked[0].startswith("scrypt:") and checked[1].startswith("pbkdf2:sha256:1$")


def test_a_nul_byte_in_the_email_is_a_form_error(client):
    response = _post_login(client, "a\x00b@example.gov.uk", "whatever-it-is")
    assert response.status_code == 422
    assert "Email address must not contain control characters" in response.get_data(as_text=True)
