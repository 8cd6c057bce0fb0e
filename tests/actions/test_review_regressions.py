"""Defects a review of the actions work found, each pinned by a test."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select

from taskforce import mail
from taskforce.actions.models import Action, ActionUpdate
from taskforce.actions.services import today
from taskforce.extensions import db
from taskforce.mail import OutboxMessage, Outgoing, queue_many
from tests.conftest import _csrf_from, login

ANA = "ana.lopes@example.gov.uk"


def test_an_address_smtp_cannot_carry_fails_alone_and_the_rest_go(app, smtp):
    ids = queue_many(
        [
            Outgoing.plain(["first@example.gov.uk"], "One", "Hello", "t"),
            Outgoing.plain(["jos\u00e9@example.gov.uk"], "Two", "Hello", "t"),
            Outgoing.plain(["third@example.gov.uk"], "Three", "Hello", "t"),
        ]
    )
    db.session.commit()
    assert mail.deliver_queued(ids=ids) == (2, 1)
    statuses = dict(db.session.execute(select(OutboxMessage.subject, OutboxMessage.status)).all())
    assert statuses == {"One": "sent", "Two": "failed", "Three": "sent"}
    assert mail.deliver_queued() == (0, 0)  # failed for good, not retried for ever


def test_owner_addresses_smtp_cannot_carry_are_refused_at_the_door(api, tf):
    response = api.post(
        "/actions",
        {
            "taskforce_id": tf.id,
            "description": "Something",
            "owner_name": "Jos\u00e9",
            "owner_email": "jos\u00e9@example.gov.uk",
            "due_date": "2027-03-01",
        },
    )
    assert response.status_code == 422
    assert "owner_email" in response.get_json()["error"]["fields"]


def test_dates_outside_the_service_years_are_refused(api, tf, make_action):
    body = {
        "taskforce_id": tf.id,
        "description": "Something",
        "owner_name": "Ana Lopes",
        "owner_email": ANA,
    }
    for bad in ("0001-01-03", "2999-12-31"):
        response = api.post("/actions", {**body, "due_date": bad})
        assert response.status_code == 422, bad
        assert "due_date" in response.get_json()["error"]["fields"]
    action = make_action(ANA, today() + timedelta(days=3))
    assert api.patch(f"/actions/{action.id}", {"due_date": "1999-12-31"}).status_code == 422
    assert db.session.query(Action).count() == 1


def test_a_web_edit_that_keeps_the_date_keeps_the_owners_proposal(client, secretariat, make_action):
    login(client, secretariat)
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    proposed = today() + timedelta(days=30)
    action.proposed_due_on = proposed
    db.session.commit()
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    due = action.due_on
    response = client.post(
        f"/actions/{action.id}",
        data={
            "csrf_token": _csrf_from(page),
            "version": version,
            "status": "in_progress",
            "due_date": [str(due.day), str(due.month), str(due.year)],
            "description": action.description,
        },
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == "in_progress" and action.proposed_due_on == proposed


def test_the_api_declines_a_proposal_with_null(api, make_action):
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    action.proposed_due_on = today() + timedelta(days=30)
    db.session.commit()
    data = api.patch(f"/actions/{action.id}", {"proposed_due_date": None}).get_json()
    assert data["proposed_due_date"] is None
    assert data["due_date"] == action.due_on.isoformat()
    assert data["updates"][-1]["comment"].startswith("Declined the proposed due date")


def test_a_half_typed_proposed_date_is_an_error_not_ignored(app, api, make_action, smtp):
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    api.post(f"/actions/{action.id}/link")
    text = smtp.to(ANA)[-1].get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/a/[A-Za-z0-9_-]+)", text).group(1)
    browser = app.test_client()
    page = browser.get(path).get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(ActionUpdate))
    for parts in (["", "3", "2027"], ["", "13", "2027"], ["1", "", ""]):
        response = browser.post(
            path, data={"csrf_token": _csrf_from(page), "due_date": parts, "comment": "x"}
        )
        assert response.status_code == 422, parts
        assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == before


def test_a_bad_comment_on_a_proposal_decision_is_explained(client, secretariat, make_action):
    login(client, secretariat)
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    action.proposed_due_on = today() + timedelta(days=30)
    db.session.commit()
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    response = client.post(
        f"/actions/{action.id}/proposal",
        data={
            "csrf_token": _csrf_from(page),
            "version": str(action.version),
            "decision": "accept",
            "comment": "x" * 2001,
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    db.session.refresh(action)
    assert action.proposed_due_on is not None


def test_a_long_owner_name_and_address_can_still_update(app, api, make_action, smtp):
    long_email = "a" * 60 + "@" + "b" * 180 + ".gov.uk"
    action = make_action(long_email, today() + timedelta(days=5), "N" * 120)
    api.post(f"/actions/{action.id}/link")
    text = smtp.to(long_email)[-1].get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/a/[A-Za-z0-9_-]+)", text).group(1)
    browser = app.test_client()
    page = browser.get(path).get_data(as_text=True)
    response = browser.post(path, data={"csrf_token": _csrf_from(page), "status": "complete"})
    assert response.status_code == 302
    assert db.session.get(Action, action.id).status == "complete"


def test_the_owner_page_names_nobody_from_task_forces_you_cannot_see(
    client, make_user, make_taskforce, secretariat, make_action
):
    hidden = make_taskforce(by=secretariat, code="HX", name="Hidden Task Force", members=[])
    make_action("secret.owner@example.gov.uk", today(), "Hidden Person", taskforce=hidden)
    other = make_user("secretariat", email="other.sec@example.gov.uk")
    login(client, other)
    page = unescape(
        client.get("/actions/owner?owner_email=secret.owner@example.gov.uk").get_data(as_text=True)
    )
    assert "Hidden Person" not in page


def test_a_slow_server_renews_claims_rather_than_letting_a_rival_resend(app, smtp, monkeypatch):
    monkeypatch.setattr(mail, "STALE_CLAIM", timedelta(seconds=0))
    ids = queue_many(
        [Outgoing.plain([f"p{n}@example.gov.uk"], f"N{n}", "Hi", "t") for n in range(5)]
    )
    db.session.commit()
    assert mail.deliver_queued(ids=ids) == (5, 0)
    assert sorted(r[0] for r, _m in smtp.messages) == sorted(
        f"p{n}@example.gov.uk" for n in range(5)
    )


def test_a_mail_setting_that_cannot_work_leaves_mail_waiting_not_failed(app, smtp):
    ids = queue_many([Outgoing.plain([f"p{n}@example.gov.uk"], "Hi", "Hi", "t") for n in range(3)])
    db.session.commit()
    old = app.config["SMTP_HOST"]
    app.config["SMTP_HOST"] = "smtp..example.gov.uk"  # cannot even be encoded as a host name
    try:
        assert mail.deliver_queued(ids=ids) == (0, 3)
    finally:
        app.config["SMTP_HOST"] = old
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {(r.status, r.attempts) for r in rows} == {("queued", 0)}
    assert all(r.last_error.startswith("Waiting for the mail server") for r in rows)
    assert mail.deliver_queued(ids=ids) == (3, 0)


def test_renewing_a_claim_drops_rows_another_run_has_taken(app, smtp, monkeypatch):
    from sqlalchemy import update

    ids = queue_many([Outgoing.plain([f"q{n}@example.gov.uk"], "Hi", "Hi", "t") for n in range(3)])
    db.session.commit()
    real = mail._renew

    def rival_takes_the_second(message_ids, token, conn):
        conn.execute(
            update(OutboxMessage.__table__)
            .where(OutboxMessage.__table__.c.id == ids[1])
            .values(claim_token="rival")
        )
        conn.commit()
        return real(message_ids, token, conn)

    monkeypatch.setattr(mail, "_renew", rival_takes_the_second)
    monkeypatch.setattr(mail, "STALE_CLAIM", timedelta(seconds=-1))
    mail.deliver_queued(ids=ids)
    sent_to = sorted(r[0] for r, _m in smtp.messages)
    assert sent_to == ["q0@example.gov.uk", "q2@example.gov.uk"]
