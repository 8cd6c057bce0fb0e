"""Owner links followed from real emails: GET harmless, POST with CSRF, scoped to their
actions, expiring, revocable, and dead once the actions are closed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from taskforce.actions.models import Action, ActionUpdate
from taskforce.clock import today
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.links import AccessLink
from tests.conftest import _csrf_from

ANA = "ana.lopes@example.gov.uk"


def links_in(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://[^/\s]+(/a/[A-Za-z0-9_-]+)", text)


def filled(html: str) -> dict:
    """What the owner's page puts in its form: the CSRF token and the action's version."""
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    return {"csrf_token": _csrf_from(html), "version": version}


def updates() -> int:
    return db.session.scalar(select(func.count()).select_from(ActionUpdate))


@pytest.fixture
def action(make_action):
    return make_action(ANA, today() + timedelta(days=20), "Ana Lopes")


@pytest.fixture
def emailed(api, action, smtp):
    """The path of the link in the email the owner received."""
    response = api.post(f"/actions/{action.id}/link")
    assert response.status_code == 202
    assert response.get_json()["sent"] == 1 and response.get_json()["delivered"] == 1
    (path,) = links_in(smtp.to(ANA)[-1])
    return path


def test_follow_the_emailed_link_look_then_update(app, api, action, emailed):
    browser = app.test_client()
    before = (updates(), action.version)
    page = browser.get(emailed)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert action.reference in html and "Draft the employer survey" in html
    db.session.refresh(action)
    assert (updates(), action.version) == before  # opening the link changed nothing

    assert browser.post(emailed, data={"status": "complete"}).status_code == 400  # no CSRF
    assert updates() == before[0]

    response = browser.post(
        emailed,
        data={
            **filled(html),
            "status": "complete",
            "comment": "Survey drafted and shared",
        },
    )
    assert response.status_code == 302
    assert "Your update to SW-0/1 has been sent" in browser.get(emailed).get_data(as_text=True)
    data = api.get(f"/actions/{action.id}").get_json()
    assert data["status"] == "complete"  # the owner's word; the secretariat closes
    last = data["updates"][-1]
    assert last["via"] == "email_link"
    assert last["by"] == f"Ana Lopes <{ANA}>"
    assert last["comment"] == "Survey drafted and shared"


def test_an_owner_proposes_a_date_and_the_secretariat_decides(app, api, action, emailed):
    browser = app.test_client()
    html = browser.get(emailed).get_data(as_text=True)
    new_date = (today() + timedelta(days=40)).isoformat()
    browser.post(emailed, data={**filled(html), "due_date": new_date})
    data = api.get(f"/actions/{action.id}").get_json()
    assert data["proposed_due_date"] == new_date
    assert data["due_date"] != new_date  # only proposed
    assert data["updates"][-1]["proposed_due_date"] == new_date

    accepted = api.patch(f"/actions/{action.id}", {"due_date": new_date}).get_json()
    assert accepted["due_date"] == new_date and accepted["proposed_due_date"] is None


def test_a_token_cannot_touch_another_action(app, make_action, action, emailed):
    other = make_action(ANA, today() + timedelta(days=9), "Ana Lopes", description="Other work")
    browser = app.test_client()
    html = browser.get(emailed).get_data(as_text=True)
    assert "Other work" not in html
    before = updates()
    response = browser.post(
        emailed,
        data={"csrf_token": _csrf_from(html), "action_id": str(other.id), "status": "complete"},
    )
    assert response.status_code == 404
    assert "cannot change that action" in response.get_data(as_text=True)
    db.session.refresh(other)
    assert other.status == "open" and updates() == before


def test_a_replayed_form_changes_nothing_the_second_time(app, action, emailed):
    browser = app.test_client()
    html = browser.get(emailed).get_data(as_text=True)
    form = {**filled(html), "status": "in_progress", "comment": "Started"}
    assert browser.post(emailed, data=form).status_code == 302
    before = updates()
    replay = browser.post(emailed, data=form)
    assert replay.status_code == 409
    assert "Nothing was changed" in replay.get_data(as_text=True)
    assert updates() == before


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_form_without_its_version_is_refused_like_a_stale_one(app, action, emailed, version):
    """Leaving the version out must not skip the replay check: 409, nothing changed."""
    browser = app.test_client()
    form = {**filled(browser.get(emailed).get_data(as_text=True)), "status": "complete"}
    if version is None:
        del form["version"]
    else:
        form["version"] = version
    before = (updates(), db.session.get(Action, action.id).version)
    response = browser.post(emailed, data=form)
    assert response.status_code == 409
    assert "Reload it, then make your change again" in response.get_data(as_text=True)
    current = db.session.get(Action, action.id)
    assert (updates(), current.version) == before and current.status == "open"


def test_the_secretariats_forms_without_a_version_are_refused_too(web, action):
    """The same shared rule (text.expected_version) guards every edit form."""
    before = (updates(), db.session.get(Action, action.id).version)
    response = _web_update(web, action, status="in_progress", version="")
    assert response.status_code == 409
    assert (updates(), db.session.get(Action, action.id).version) == before
    assert db.session.get(Action, action.id).status == "open"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Choose how it is going, propose a new date or add a comment"),
        ({"status": "closed"}, "Not a valid choice"),
        ({"due_date": "2001-01-01"}, "Propose a date after today"),
        ({"due_date": "31-02-2027"}, "must be"),
        ({"comment": "x" * 2001}, "2000"),
        ({"comment": "bad\x00byte"}, "Comment"),
    ],
)
def test_bad_updates_are_explained_and_change_nothing(app, action, emailed, form, message):
    browser = app.test_client()
    html = browser.get(emailed).get_data(as_text=True)
    before = updates()
    response = browser.post(emailed, data={**filled(html), **form})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert updates() == before


def test_a_half_typed_proposed_date_is_an_error_not_ignored(app, api, make_action, smtp):
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    api.post(f"/actions/{action.id}/link")
    text = smtp.to(ANA)[-1].get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/a/[A-Za-z0-9_-]+)", text).group(1)
    browser = app.test_client()
    page = browser.get(path).get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(ActionUpdate))
    for parts in (["", "3", "2027"], ["", "13", "2027"], ["1", "", ""]):
        response = browser.post(path, data={**filled(page), "due_date": parts, "comment": "x"})
        assert response.status_code == 422, parts
        assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == before


def test_a_long_owner_name_and_address_can_still_update(app, api, make_action, smtp):
    long_email = "a" * 60 + "@" + "b" * 180 + ".gov.uk"
    action = make_action(long_email, today() + timedelta(days=5), "N" * 120)
    api.post(f"/actions/{action.id}/link")
    text = smtp.to(long_email)[-1].get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/a/[A-Za-z0-9_-]+)", text).group(1)
    browser = app.test_client()
    page = browser.get(path).get_data(as_text=True)
    response = browser.post(path, data={**filled(page), "status": "complete"})
    assert response.status_code == 302
    assert db.session.get(Action, action.id).status == "complete"


def test_tampered_expired_revoked_and_finished_links(app, api, action, emailed, smtp):
    browser = app.test_client()
    tampered = browser.get(emailed[:-4] + "abcd")
    assert tampered.status_code == 404 and "not recognised" in tampered.get_data(as_text=True)
    assert browser.get("/a/short").status_code == 404

    api.post(f"/actions/{action.id}/link")  # re-issued: the first link is withdrawn
    (fresh,) = links_in(smtp.to(ANA)[-1])
    withdrawn = browser.get(emailed)
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.get_data(as_text=True)
    assert browser.get(fresh).status_code == 200

    db.session.execute(update(AccessLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    expired = browser.get(fresh)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)

    db.session.execute(update(AccessLink).values(expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    api.patch(f"/actions/{action.id}", {"status": "closed"})
    closed = browser.get(fresh)
    assert closed.status_code == 410
    assert "Nothing more is needed" in closed.get_data(as_text=True)


def test_refusals_are_logged(app, action, emailed, caplog):
    app.test_client().get(emailed[:-4] + "zzzz")
    assert any("owner link refused (404)" in r.getMessage() for r in caplog.records)


def test_each_line_of_a_digest_has_a_link_for_that_action_alone(app, smtp, make_action, api):
    first = make_action(ANA, date(2027, 3, 1), "Ana Lopes", description="First job")
    second = make_action(ANA, date(2027, 3, 1), "Ana Lopes", description="Second job")
    result = app.test_cli_runner().invoke(args=["chase", "run", "--today", "2027-03-02"])
    assert result.exit_code == 0, result.output
    paths = links_in(smtp.to(ANA)[0])
    assert len(set(paths)) == 2
    browser = app.test_client()
    page = browser.get(paths[0]).get_data(as_text=True)
    assert "First job" in page and "Second job" not in page
    refused = browser.post(
        paths[0],
        data={"csrf_token": _csrf_from(page), "action_id": str(second.id), "status": "complete"},
    )
    assert refused.status_code == 404
    # The contract's plain form (no action named) updates the link's own action.
    done = browser.post(paths[0], data={**filled(page), "status": "in_progress"})
    assert done.status_code == 302
    assert db.session.get(Action, first.id).status == "in_progress"
    assert db.session.get(Action, second.id).status == "open"


def test_a_link_for_several_actions_needs_to_be_told_which_and_shrinks_on_withdrawal(
    app, make_action
):
    from taskforce.actions.emails import withdraw_owner_links
    from taskforce.audit.services import Actor
    from taskforce.links import Purpose, issue

    first = make_action(ANA, date(2027, 3, 1), "Ana Lopes", description="First job")
    second = make_action(ANA, date(2027, 3, 1), "Ana Lopes", description="Second job")
    token = issue(
        Purpose.ACTION_OWNER, email=ANA, lifetime=timedelta(days=5), actions=[first, second]
    )
    db.session.commit()
    browser = app.test_client()
    page = browser.get(f"/a/{token}").get_data(as_text=True)
    assert "First job" in page and "Second job" in page
    vague = browser.post(f"/a/{token}", data={"csrf_token": _csrf_from(page), "comment": "hi"})
    assert vague.status_code == 422
    assert "use the form under the one you mean" in vague.get_data(as_text=True)

    withdraw_owner_links(first, Actor.system())  # e.g. the first was reassigned
    db.session.commit()
    page = browser.get(f"/a/{token}").get_data(as_text=True)
    assert "Second job" in page and "First job" not in page
    withdraw_owner_links(second, Actor.system())
    db.session.commit()
    assert browser.get(f"/a/{token}").status_code == 410


def test_posting_to_a_link_is_rate_limited(app, action, emailed):
    from taskforce.extensions import limiter

    old = app.config["OWNER_LINK_RATE_LIMIT"]
    app.config["OWNER_LINK_RATE_LIMIT"] = "3 per hour"
    limiter.reset()
    try:
        browser = app.test_client()
        codes = [
            browser.post(
                emailed,
                data={**filled(browser.get(emailed).get_data(as_text=True)), "comment": f"n{n}"},
            ).status_code
            for n in range(4)
        ]
        assert codes == [302, 302, 302, 429]
        assert browser.get(emailed).status_code == 200  # reading is never limited
    finally:
        app.config["OWNER_LINK_RATE_LIMIT"] = old
        limiter.reset()


# --- A link that has died stays dead ---------------------------------------------------------


@pytest.mark.parametrize("ending", ["dropped", "closed"])
def test_an_ended_actions_link_stays_dead_when_it_is_reopened(
    app, api, action, emailed, smtp, ending
):
    browser = app.test_client()
    html = browser.get(emailed).get_data(as_text=True)
    ended = {"status": ending, "comment": "Overtaken by events"}
    assert api.patch(f"/actions/{action.id}", ended).status_code == 200
    assert browser.get(emailed).status_code == 410
    assert api.patch(f"/actions/{action.id}", {"status": "open"}).status_code == 200
    assert api.get(f"/actions/{action.id}").get_json()["status"] == "open"

    before = updates()
    assert browser.get(emailed).status_code == 410
    posted = browser.post(
        emailed, data={"csrf_token": _csrf_from(html), "status": "complete", "comment": "Done"}
    )
    assert posted.status_code == 410
    assert updates() == before and db.session.get(Action, action.id).status == "open"

    # The secretariat emails the owner a new link when one is needed: that one works.
    assert api.post(f"/actions/{action.id}/link").status_code == 202
    (fresh,) = links_in(smtp.to(ANA)[-1])
    assert browser.get(fresh).status_code == 200
    assert browser.get(emailed).status_code == 410


def test_a_digest_link_loses_an_ended_action_for_good_and_keeps_the_rest(app, make_action):
    from taskforce.actions import services
    from taskforce.audit.services import Actor
    from taskforce.links import Purpose, issue

    first = make_action(ANA, date(2027, 3, 1), "Ana Lopes", description="First job")
    second = make_action(ANA, date(2027, 3, 1), "Ana Lopes", description="Second job")
    token = issue(
        Purpose.ACTION_OWNER, email=ANA, lifetime=timedelta(days=5), actions=[first, second]
    )
    db.session.commit()
    services.update_action(first, {"status": "dropped", "comment": "Not needed"}, Actor.system())
    db.session.commit()
    services.update_action(first, {"status": "open", "comment": "Needed after all"}, Actor.system())
    db.session.commit()

    browser = app.test_client()
    page = browser.get(f"/a/{token}").get_data(as_text=True)
    assert "Second job" in page and "First job" not in page
    refused = browser.post(
        f"/a/{token}",
        data={"csrf_token": _csrf_from(page), "action_id": str(first.id), "status": "complete"},
    )
    assert refused.status_code == 404
    assert db.session.get(Action, first.id).status == "open"

    services.update_action(second, {"status": "closed"}, Actor.system())
    services.update_action(second, {"status": "open"}, Actor.system())
    db.session.commit()
    gone = browser.get(f"/a/{token}")
    assert gone.status_code == 410 and "Nothing more is needed" in gone.get_data(as_text=True)


def _web_update(web, action, **changes):
    """Post the action page's update form as the secretariat would, changing some fields."""
    page = web.get(f"/actions/{action.id}").get_data(as_text=True)
    current = db.session.get(Action, action.id)
    data = {
        "csrf_token": _csrf_from(page),
        "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
        "description": current.description,
        "due_date": current.due_on.isoformat(),
        "status": current.status,
        **changes,
    }
    return web.post(f"/actions/{action.id}", data=data)


def test_ending_an_action_on_the_web_kills_its_link_for_good(app, web, action, emailed):
    dropped = _web_update(web, action, status="dropped", comment="No longer needed")
    assert dropped.status_code == 302, dropped.get_data(as_text=True)
    assert _web_update(web, action, status="open").status_code == 302
    assert db.session.get(Action, action.id).status == "open"
    assert app.test_client().get(emailed).status_code == 410


def test_an_owner_and_task_force_named_over_two_lines_still_get_their_link(api, action, smtp):
    """Names stored before every line break was refused must not stop the link's email."""
    from taskforce.bodies.models import TaskForce

    db.session.execute(
        update(Action).where(Action.id == action.id).values(owner_name="Ana\u2028Lopes")
    )
    db.session.execute(update(TaskForce).values(name="Skills\x85and\u2029Work"))
    db.session.commit()
    response = api.post(f"/actions/{action.id}/link")
    assert response.status_code == 202, response.get_data(as_text=True)
    [(_rcpts, message)] = smtp.messages
    assert "\u2028" not in message["Subject"] and "\x85" not in message["Subject"]
    assert links_in(message)
