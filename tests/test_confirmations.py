"""Every change that cannot be undone, or that disrupts other people, is asked for twice on
the web: the page's button opens a page that says what will happen, with a warning and the
real button. A POST without that button's confirm=yes (a page from before, a replay) changes
nothing and shows the same question. The API acts at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from taskforce.actions.emails import live_owner_links
from taskforce.auth.models import ApiToken, User
from taskforce.clock import today
from taskforce.extensions import db
from taskforce.links import AccessLink, Purpose
from taskforce.performance.models import Indicator
from taskforce.registers.models import Risk
from tests.conftest import SAM, _csrf_from, login
from tests.pages import form_fields


def asks_then_acts(
    browser, start: str, url: str, button: str, done: Callable[[], bool], **old_form: str
) -> str:
    """The page at `start` links to `url`, which asks before acting: a POST with what the old
    one-click button sent changes nothing, the confirmation's own button acts. Return the
    confirmation page."""
    assert f'href="{url}"' in browser.get(start).text
    page = browser.get(url)
    assert page.status_code == 200
    html = page.text
    assert 'class="govuk-warning-text"' in html and button in html
    assert not done()  # showing the question changed nothing

    first = browser.post(url, data={"csrf_token": _csrf_from(html), **old_form})
    assert first.status_code == 200 and button in first.text
    assert not done()  # nor did a POST without the confirmation

    acted = browser.post(url, data=form_fields(html))
    assert acted.status_code == 302
    assert done()
    return html


def test_retiring_an_indicator_is_confirmed_first(web, tf, make_indicator):
    indicator = make_indicator(name="Apprenticeship starts")
    url = f"/indicators/{indicator.id}/retire"
    html = asks_then_acts(
        web,
        f"/indicators/{indicator.id}",
        url,
        "Yes, retire the indicator",
        lambda: db.session.get(Indicator, indicator.id).retired_at is not None,
        retire="yes",
        version="1",
    )
    assert "Retire Apprenticeship starts?" in html
    assert "no new actuals can be recorded or imported" in html
    # Reinstating puts it back as it was: no question asked, and nothing left to confirm.
    page = web.get(f"/indicators/{indicator.id}").text
    assert "Reinstate the indicator" in page and f'href="{url}"' not in page
    assert web.get(url).status_code == 302
    reinstated = web.post(url, data=form_fields(page) | {"retire": "no"})
    assert reinstated.status_code == 302
    assert db.session.get(Indicator, indicator.id).retired_at is None


def test_closing_a_risk_is_confirmed_first(web, tf, make_risk):
    risk = make_risk(ref="R7")
    html = asks_then_acts(
        web,
        f"/risks/{risk.id}",
        f"/risks/{risk.id}/close",
        "Yes, close the risk",
        lambda: db.session.get(Risk, risk.id).closed_on is not None,
        retire="yes",
        version="1",
    )
    assert "Close risk R7?" in html


def test_withdrawing_an_owners_link_is_confirmed_first(web, api, tf, make_action, smtp):
    action = make_action("ana.lopes@example.gov.uk", today() + timedelta(days=10), "Ana Lopes")
    assert api.post(f"/actions/{action.id}/link").status_code == 202
    html = asks_then_acts(
        web,
        f"/actions/{action.id}",
        f"/actions/{action.id}/link/withdraw",
        "Yes, withdraw the link",
        lambda: live_owner_links(db.session.get(type(action), action.id)) == [],
    )
    assert f"Withdraw the link to update {action.reference}?" in html
    assert "Ana Lopes will no longer be able to update" in html
    # With no live link left there is nothing to ask about.
    assert web.get(f"/actions/{action.id}/link/withdraw").status_code == 302


def test_withdrawing_a_members_calendar_feed_is_confirmed_first(web, api, tf, smtp):
    sam = next(m for m in tf.members if m.email == SAM)
    assert api.post(f"/members/{sam.id}/calendar-link").status_code == 202

    def withdrawn() -> bool:
        link = db.session.query(AccessLink).filter_by(purpose=str(Purpose.CALENDAR_FEED)).one()
        return link.revoked_at is not None

    html = asks_then_acts(
        web,
        f"/members/{sam.id}/edit",
        f"/members/{sam.id}/calendar-link/withdraw",
        "Yes, withdraw the feed links",
        withdrawn,
    )
    assert "Withdraw Sam Patel&#39;s calendar feed links?" in html


def test_revoking_ones_api_tokens_is_confirmed_first(client, make_user, api_for):
    user = make_user("member")
    api_for(user)  # one live token
    login(client, user)
    html = asks_then_acts(
        client,
        "/account",
        "/account/tokens/revoke",
        "Yes, revoke all my tokens",
        lambda: db.session.query(ApiToken).filter(ApiToken.revoked_at.is_(None)).count() == 0,
    )
    assert "your 1 live token stop working at once" in html
    assert client.get("/account/tokens/revoke").status_code == 302  # none left to revoke


@pytest.fixture
def admin_browser(client, make_user):
    return login(client, make_user("admin"))


def test_stopping_someone_signing_in_is_confirmed_first(admin_browser, make_user):
    user = make_user("member", name="Kim Lee")
    url = f"/admin/users/{user.id}"
    form = {k: v for k, v in form_fields(admin_browser.get(url).text).items() if k != "active"}
    form["role"] = "member"

    asked = admin_browser.post(url, data=form)  # "Can sign in" unticked, then Save
    assert asked.status_code == 200
    assert "Kim Lee will be signed out everywhere at once" in asked.text
    assert "Yes, stop Kim Lee signing in" in asked.text
    assert db.session.get(User, user.id).active is True

    stopped = admin_browser.post(url, data={**form, "confirm": "yes"})
    assert stopped.status_code == 302
    assert db.session.get(User, user.id).active is False


def test_other_changes_to_a_user_are_saved_at_once(admin_browser, make_user):
    user = make_user("member", name="Kim Lee")
    url = f"/admin/users/{user.id}"
    form = form_fields(admin_browser.get(url).text) | {"role": "member", "name": "Kim Li"}
    assert admin_browser.post(url, data=form).status_code == 302
    assert db.session.get(User, user.id).name == "Kim Li"


def test_the_api_acts_at_once(api, make_indicator, make_risk):
    indicator = make_indicator()
    risk = make_risk()
    assert api.patch(f"/indicators/{indicator.id}", {"retired": True}).status_code == 200
    assert api.patch(f"/risks/{risk.id}", {"closed": True}).status_code == 200
    assert db.session.get(Indicator, indicator.id).retired_at is not None
    assert db.session.get(Risk, risk.id).closed_on is not None
