"""An action's owner, signed in: their own list ("My actions") and the update form their
emailed link shows, on the action's page; nobody else's actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from taskforce.actions.models import Action, ActionUpdate
from taskforce.audit.models import AuditEvent
from taskforce.clock import today
from taskforce.extensions import db
from tests.conftest import SAM, login

ANA = "ana.lopes@example.gov.uk"


@pytest.fixture
def ana(make_user):
    """Ana Lopes owns actions of tf but is none of its members: an official elsewhere."""
    return make_user("member", email=ANA, name="Ana Lopes")


@pytest.fixture
def browser(client, ana, no_csrf):
    return login(client, ana)


def _references(html: str, caption: str) -> list[str]:
    table = html.split(caption, 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/actions/\d+">([^<]+)</a>', table)


def test_my_actions_lists_mine_across_task_forces_overdue_first(
    browser, tf, make_taskforce, make_action, api
):
    other_tf = make_taskforce(name="Net Zero Delivery Board", code="NZ")
    later = make_action(ANA, today() + timedelta(days=30), "Ana Lopes", description="Later")
    late = make_action(ANA, today() - timedelta(days=3), "Ana Lopes", taskforce=other_tf)
    sooner = make_action(ANA, today() + timedelta(days=2), "Ana Lopes", description="Sooner")
    closed = make_action(ANA, today() + timedelta(days=5), "Ana Lopes", description="Done")
    for status in ("in_progress", "complete", "closed"):
        api.patch(f"/actions/{closed.id}", {"status": status})
    make_action("someone.else@example.gov.uk", today() - timedelta(days=9))

    response = browser.get("/actions/mine")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _references(html, "To do, overdue first") == [
        late.reference,
        sooner.reference,
        later.reference,
    ]
    assert _references(html, "Closed or dropped") == [closed.reference]
    assert "Net Zero Delivery Board" in html
    assert "someone.else" not in html


def test_my_actions_comes_first_among_the_actions_in_the_navigation(browser):
    html = browser.get("/actions/mine").get_data(as_text=True)
    nav = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html)
    assert nav.index("/actions/mine") == nav.index("/actions") - 1
    assert 'aria-current="true"' in html.split('href="/actions/mine"', 1)[1].split("</a>")[0]


def test_my_actions_says_when_there_is_nothing_to_do(browser):
    assert "You have no open actions." in browser.get("/actions/mine").get_data(as_text=True)


def test_an_owner_signed_in_updates_their_action_on_the_link_form(browser, ana, make_action):
    action = make_action(ANA, today() + timedelta(days=20), "Ana Lopes")
    page = browser.get(f"/actions/{action.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Update your action" in html and "Complete: I have done it" in html
    assert "Save the update" not in html  # the secretariat's form is not theirs
    new_date = today() + timedelta(days=40)
    response = browser.post(
        f"/actions/{action.id}/owner-update",
        data={
            "version": str(action.version),
            "status": "in_progress",
            "due_date": new_date.isoformat(),
            "comment": "Survey half drafted",
        },
    )
    assert response.status_code == 302
    action = db.session.get(Action, action.id)
    assert (action.status, action.proposed_due_on, action.due_on) == (
        "in_progress",
        new_date,
        today() + timedelta(days=20),  # only proposed: the secretariat decides
    )
    last = action.updates[-1]
    assert (last.via, last.by, last.by_user_id, last.comment) == (
        "web",
        "Ana Lopes",
        ana.id,
        "Survey half drafted",
    )
    event = db.session.query(AuditEvent).filter_by(action="action.owner_update").one()
    assert event.summary == f"Ana Lopes updated {action.reference} signed in"
    assert "Your update to SW-0/1 has been saved" in browser.get(f"/actions/{action.id}").get_data(
        as_text=True
    )


def test_an_owner_signed_in_is_held_to_the_link_rules(browser, make_action):
    action = make_action(ANA, today() + timedelta(days=20), "Ana Lopes")
    url = f"/actions/{action.id}/owner-update"
    nothing = browser.post(url, data={"version": str(action.version)})
    assert nothing.status_code == 422
    assert "Choose how it is going, propose a new date or add a comment" in nothing.get_data(
        as_text=True
    )
    past = browser.post(url, data={"version": str(action.version), "due_date": today().isoformat()})
    assert past.status_code == 422
    assert "Propose a date after today" in past.get_data(as_text=True)
    stale = browser.post(url, data={"version": "0", "status": "complete"})
    assert stale.status_code == 409
    assert db.session.query(ActionUpdate).count() == 1  # only "Allocated"
    assert db.session.get(Action, action.id).status == "open"


def test_a_closed_action_takes_no_more_updates_from_its_owner(browser, make_action, api):
    action = make_action(ANA, today() + timedelta(days=20), "Ana Lopes")
    for status in ("in_progress", "complete", "closed"):
        api.patch(f"/actions/{action.id}", {"status": status})
    action = db.session.get(Action, action.id)
    html = browser.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "This action is closed. Nothing more is needed." in html
    assert f'action="/actions/{action.id}/owner-update"' not in html
    response = browser.post(
        f"/actions/{action.id}/owner-update",
        data={"version": str(action.version), "comment": "More news"},
    )
    assert response.status_code == 409
    assert db.session.get(Action, action.id).status == "closed"


def test_a_member_cannot_update_an_action_someone_else_owns(
    client, make_user, tf, make_action, no_csrf
):
    """Sam sees tf's actions as one of its members, but updates only his own."""
    action = make_action(ANA, today() + timedelta(days=20), "Ana Lopes")
    login(client, make_user("member", email=SAM))
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Update your action" not in html
    response = client.post(
        f"/actions/{action.id}/owner-update",
        data={"version": str(action.version), "status": "complete"},
    )
    assert response.status_code == 403
    assert db.session.get(Action, action.id).status == "open"


def test_an_outsider_reaches_neither_the_action_nor_its_form(browser, make_action):
    """Ana owns nothing in tf here: its actions are closed to her, as any task force's are
    to those outside it; an action that does not exist is not found."""
    action = make_action("someone.else@example.gov.uk", today() + timedelta(days=20))
    assert browser.get(f"/actions/{action.id}").status_code == 403
    response = browser.post(
        f"/actions/{action.id}/owner-update",
        data={"version": str(action.version), "status": "complete"},
    )
    assert response.status_code == 403
    assert db.session.get(Action, action.id).status == "open"
    assert (
        browser.post("/actions/99999/owner-update", data={"status": "complete"}).status_code == 404
    )


def test_the_secretariat_keeps_its_own_form_on_the_page(web, tf, make_action):
    action = make_action(ANA, today() + timedelta(days=20), "Ana Lopes")
    html = web.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Save the update" in html and "Update your action" not in html
