"""Every page and endpoint is closed to people who have not signed in."""

from __future__ import annotations

import re

from taskforce.web import PUBLIC_ENDPOINTS


def _sample_url(rule) -> str:
    """The rule with 1 for every id, and the first choice of any <any(a, b):x> part."""
    url = re.sub(r"<any\(([^,)]+)[^)]*\):\w+>", lambda m: m.group(1).strip(), rule.rule)
    return re.sub(r"<(?:\w+:)?\w+>", "1", url)


def _is_public(app, endpoint: str) -> bool:
    view = app.view_functions[endpoint]
    return endpoint in PUBLIC_ENDPOINTS or getattr(view, "is_public", False)


def test_only_sign_in_health_and_assets_are_public(app):
    public = {r.endpoint for r in app.url_map.iter_rules() if _is_public(app, r.endpoint)}
    assert public == {
        "static",
        "auth.login",
        "main.healthz",
        "links.feed",
        "links.apologies",
        "owner_links.owner_link",
        "paper_links.upload",
        "packs.link",
        "packs.link_download",
        "packs.link_supplement",
    }


def test_every_page_sends_anonymous_visitors_to_sign_in(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if _is_public(app, rule.endpoint) or rule.endpoint.startswith("api."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_url(rule), method=method)
            if method == "POST" and response.status_code == 400:
                # CSRF refuses a tokenless POST before the login check: also a refusal.
                continue
            assert response.status_code == 302, (rule.rule, method, response.status_code)
            assert response.location.startswith("/login"), rule.rule
            checked += 1
    assert checked >= 15


def test_every_api_endpoint_but_the_description_needs_a_token(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_sample_url(rule), method=method, json={})
            assert response.status_code == 401, (rule.rule, method)
            checked += 1
    assert checked >= 10


def test_member_cannot_reach_admin_pages(client, make_user):
    from tests.conftest import login

    login(client, make_user("member"))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/taskforces/new").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_responses_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
