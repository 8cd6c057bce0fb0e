"""Sign-in limits behind a proxy: per client address (read through TRUSTED_PROXIES) and per
account, counting failures only, so no one can lock everyone out or spray one account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from taskforce import create_app
from taskforce.extensions import db, limiter
from tests.conftest import PASSWORD, IsolatedClient, _csrf_from

LIMITS = {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "5 per minute"}


def _app(trusted: int) -> Iterator[Flask]:
    app = create_app("test", TRUSTED_PROXIES=trusted, WTF_CSRF_ENABLED=False, **LIMITS)
    app.test_client_class = IsolatedClient
    limiter.reset()
    yield app
    limiter.reset()
    with app.app_context():
        db.engine.dispose()  # its own pool: close its connections, not leave them to the GC


@pytest.fixture
def proxied(app) -> Iterator[Flask]:
    """The app as deployed behind one TLS proxy (TRUSTED_PROXIES=1)."""
    yield from _app(1)


@pytest.fixture
def exposed(app) -> Iterator[Flask]:
    """The app with no proxy trusted (the default): forwarded headers are the client's."""
    yield from _app(0)


def sign_in(app: Flask, email: str, password: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    data = {"email": email, "password": password}
    return app.test_client().post("/login", data=data, headers=headers).status_code


def test_behind_a_trusted_proxy_one_attacker_cannot_lock_out_everyone(proxied, make_user):
    user = make_user("member")
    attacker = "203.0.113.66"
    codes = [
        sign_in(proxied, f"x{n}@example.gov.uk", "guess-guess-guess", attacker) for n in range(4)
    ]
    assert codes == [422, 422, 422, 429]  # the attacker's own address is stopped
    assert sign_in(proxied, user.email, PASSWORD, "198.51.100.7") == 302  # everyone else is not
    # A forged X-Forwarded-For in front of the proxy's own entry changes nothing: only the
    # address the trusted proxy saw counts.
    assert sign_in(proxied, "y@example.gov.uk", "guess", f"192.0.2.1, {attacker}") == 429


def test_behind_a_trusted_proxy_one_account_cannot_be_sprayed(proxied, make_user):
    target, bystander = make_user("admin"), make_user("member")
    codes = [
        sign_in(proxied, target.email.upper(), f"guess-{n}", f"198.18.0.{n}") for n in range(6)
    ]
    assert codes == [422, 422, 422, 422, 422, 429]  # five failures, from five addresses
    assert sign_in(proxied, f" {target.email} ", PASSWORD, "198.18.1.1") == 429  # same account
    assert sign_in(proxied, bystander.email, PASSWORD, "198.18.1.2") == 302


def test_successful_sign_ins_are_not_counted(proxied, make_user):
    user = make_user("member")
    codes = [sign_in(proxied, user.email, PASSWORD, "198.51.100.9") for _ in range(8)]
    assert codes == [302] * 8


def test_with_no_proxy_trusted_forwarded_headers_are_ignored(exposed, make_user):
    """A client cannot dodge its limit by writing a new X-Forwarded-For each time."""
    codes = [
        sign_in(exposed, f"x{n}@example.gov.uk", "guess-guess", f"203.0.113.{n}") for n in range(4)
    ]
    assert codes == [422, 422, 422, 429]


def test_the_trusted_proxy_also_gives_the_scheme_and_host(proxied, exposed):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "taskforce.example.gov.uk"}
    page = proxied.test_client().get("/login", headers=headers)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"  # seen as https
    redirect = proxied.test_client().get("/", headers=headers)
    assert redirect.location.startswith("/login")
    untrusted = exposed.test_client().get("/login", headers=headers)
    assert "Strict-Transport-Security" not in untrusted.headers


def test_signing_in_over_https_through_the_proxy_passes_the_csrf_referrer_check(proxied, make_user):
    """Over https Flask-WTF wants the Referer on this host: the host the proxy forwarded."""
    proxied.config["WTF_CSRF_ENABLED"] = True
    user = make_user("member")
    browser = proxied.test_client()
    headers = {
        "X-Forwarded-For": "198.51.100.20",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "taskforce.example.gov.uk",
        "Referer": "https://taskforce.example.gov.uk/login",
    }
    token = _csrf_from(browser.get("/login", headers=headers).get_data(as_text=True))
    response = browser.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers=headers,
    )
    assert response.status_code == 302


@pytest.mark.parametrize("value", ["-1", "6"])
def test_an_unlikely_number_of_proxies_is_refused_at_start_up(value):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app("test", TRUSTED_PROXIES=int(value))
