"""Email addresses mail can reach: one rule wherever an address is typed, and honest counts
for addresses stored before it.

The outbox speaks plain SMTP (no SMTPUTF8), so `zoë@example.org` can never be delivered: it
used to be saved, counted as sent, and then fail for good in the outbox.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from sqlalchemy import update

from taskforce.actions.models import Action
from taskforce.auth.services import get_user_by_email
from taskforce.bodies.models import Member
from taskforce.extensions import db
from taskforce.mail import OutboxMessage
from taskforce.schemas import EmailAddress
from taskforce.text import address_problem
from tests.conftest import NIA, SAM, SEREN, login
from tests.pages import form_fields

UNDELIVERABLE = ["zoë@example.org", "zoe@exämple.org", "ζωή@example.org", "ann\u00a0@example.org"]
RULE = "only the letters A to Z"


@settings(max_examples=200, deadline=None, database=None)
@given(
    local=st.from_regex(r"[a-z0-9._-]{1,12}", fullmatch=True),
    extra=st.characters(min_codepoint=0x80, exclude_categories=("Cs",)),
    at=st.integers(0, 12),
)
def test_the_shared_rule_refuses_any_address_beyond_ascii(local, extra, at):
    address = f"{local[:at]}{extra}{local[at:]}@example.org"
    # Every field strips what it is given first: whitespace such as U+0085 at the start is
    # gone before any rule sees the address, so that one is simply an ASCII address.
    assume(not address.strip().isascii())
    assert address_problem(address)
    assert address_problem(f"{local}@example.org") is None

    class Body(BaseModel):
        email: EmailAddress

    with pytest.raises(ValidationError):
        Body(email=address)


# --- Refused wherever an address is typed ----------------------------------------------------


@pytest.mark.parametrize("address", UNDELIVERABLE)
def test_the_api_refuses_them_for_members_and_owners(api, tf, address):
    member = tf.members[1]
    for method, path, body in [
        ("post", f"/taskforces/{tf.id}/members", {"name": "Zoë Ng", "email": address}),
        ("patch", f"/members/{member.id}", {"email": address}),
        (
            "post",
            "/actions",
            {
                "taskforce_id": tf.id,
                "description": "Draft it",
                "owner_name": "Zoë Ng",
                "owner_email": address,
                "due_date": "2030-03-01",
            },
        ),
    ]:
        response = getattr(api, method)(path, body)
        assert response.status_code == 422, (path, response.get_json())
        [message] = next(iter(response.get_json()["error"]["fields"].values()))
        assert RULE in message, message
    assert db.session.query(Member).filter_by(email=address).count() == 0
    assert db.session.query(Action).count() == 0


@pytest.mark.parametrize("address", UNDELIVERABLE)
def test_the_web_forms_refuse_them_for_members_users_and_owners(
    app, web, tf, make_user, no_csrf, address
):
    admin = login(app.test_client(), make_user("admin"))
    member = tf.members[1]
    edit = form_fields(web.get(f"/members/{member.id}/edit").get_data(as_text=True))
    for client, url, data in [
        (web, f"/taskforces/{tf.id}/members/new", {"name": "Zoë Ng", "group": "official"}),
        (web, f"/members/{member.id}/edit", {**edit, "is_chair": ""}),
        (admin, "/admin/users/new", {"name": "Zoë Ng", "role": "member"}),
        (
            web,
            f"/taskforces/{tf.id}/actions/new",
            {"meeting_id": "", "description": "Draft it", "owner_name": "Zoë Ng"},
        ),
    ]:
        field = "owner_email" if url.endswith("actions/new") else "email"
        response = client.post(url, data={**data, field: address, "due_date": ["1", "6", "2030"]})
        assert response.status_code == 422, url
        html = response.get_data(as_text=True)
        assert "There is a problem" in html and RULE in html, url
    assert db.session.query(Member).filter_by(email=address).count() == 0
    assert get_user_by_email(address) is None


def test_the_command_line_refuses_them_for_users(app):
    runner = app.test_cli_runner()
    for address in [*UNDELIVERABLE, "not-an-address"]:
        result = runner.invoke(
            args=["users", "create", address, "--name", "Zoë Ng", "--role", "member"]
        )
        assert result.exit_code != 0, address
        assert RULE in result.output or "correct format" in result.output
        assert get_user_by_email(address) is None


# --- Stored before the rule: skipped and said so, never counted as sent ----------------------

ZOE = "zoë@example.org"


@pytest.fixture
def zoe_stored(tf):
    """Sam's address as an older version let it be saved."""
    db.session.execute(update(Member).where(Member.email == SAM).values(email=ZOE))
    db.session.commit()
    return next(m for m in tf.members if m.email == ZOE)


def test_invites_skip_an_undeliverable_address_and_say_so(api, make_meeting, zoe_stored, smtp):
    meeting = make_meeting()
    response = api.post(f"/meetings/{meeting.id}/invites")
    assert response.status_code == 202
    assert response.get_json() == {"sent": 2, "skipped": [ZOE]}
    assert sorted(r[0] for r, _m in smtp.messages) == sorted([NIA, SEREN])
    assert db.session.query(OutboxMessage).filter(OutboxMessage.recipients == ZOE).count() == 0

    moved = api.patch(f"/meetings/{meeting.id}", {"start": "2040-02-08T10:00:00"})
    assert moved.status_code == 200
    assert any(ZOE in w and "Not sent" in w for w in moved.get_json()["warnings"])

    # Corrected, and sent again: only Sam's goes, the others already have the update.
    assert api.patch(f"/members/{zoe_stored.id}", {"email": SAM}).status_code == 200
    again = api.post(f"/meetings/{meeting.id}/invites")
    assert again.get_json() == {"sent": 1, "skipped": []}
    assert len(smtp.to(SAM)) == 1


def test_the_invites_page_says_who_was_not_sent_anything(web, make_meeting, zoe_stored, smtp):
    meeting = make_meeting()
    token = form_fields(web.get(f"/meetings/{meeting.id}").get_data(as_text=True))["csrf_token"]
    response = web.post(
        f"/meetings/{meeting.id}/invites", data={"csrf_token": token}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "2 invites sent." in html
    assert f"Not sent to {ZOE}" in html and "Correct the member" in html


def test_a_calendar_link_to_an_undeliverable_address_is_refused(api, zoe_stored, smtp):
    response = api.post(f"/members/{zoe_stored.id}/calendar-link")
    assert response.status_code == 409
    assert ZOE in response.get_json()["error"]["message"]
    assert db.session.query(OutboxMessage).count() == 0


def test_an_owner_link_to_an_undeliverable_address_is_refused(api, make_action, smtp):
    action = make_action()
    db.session.execute(update(Action).where(Action.id == action.id).values(owner_email=ZOE))
    db.session.commit()
    response = api.post(f"/actions/{action.id}/link")
    assert response.status_code == 409
    assert "Nothing was sent" in response.get_json()["error"]["message"]
    assert db.session.query(OutboxMessage).count() == 0
