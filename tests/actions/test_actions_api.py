"""The actions API: references, history, transitions, optimistic locking, filters, and
what it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from taskforce.actions.models import Action
from taskforce.clock import today
from taskforce.extensions import db
from tests.conftest import NIA

ANA = "ana.lopes@example.gov.uk"


def _new(api, tf, **kw):
    body = {
        "taskforce_id": tf.id,
        "description": "Write to councils about sites",
        "owner_name": "Ola Ade",
        "owner_email": "Ola.Ade@example.gov.uk",
        "owner_organisation": "Department for Homes",
        "due_date": (today() + timedelta(weeks=8)).isoformat(),  # still to come, whatever the day
        **kw,
    }
    return api.post("/actions", body)


def test_references_count_within_each_meeting(api, tf, make_meeting):
    m1, m2 = make_meeting(), make_meeting()
    refs = [_new(api, tf, meeting_id=m.id).get_json()["reference"] for m in (m1, m1, m2)]
    assert refs == ["SW-1/1", "SW-1/2", "SW-2/1"]
    assert _new(api, tf).get_json()["reference"] == "SW-0/1"


def test_an_action_carries_its_owner_status_and_history(api, tf):
    response = _new(api, tf)
    assert response.status_code == 201
    action = response.get_json()
    assert action["owner"] == {
        "name": "Ola Ade",
        "email": "ola.ade@example.gov.uk",
        "organisation": "Department for Homes",
    }
    assert action["status"] == "open" and action["is_overdue"] is False
    assert action["updates"][0]["via"] == "api"
    patched = api.patch(
        f"/actions/{action['id']}",
        {"status": "in_progress", "comment": "Letters drafted", "version": action["version"]},
    )
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["status"] == "in_progress"
    assert body["updates"][-1] == {
        **body["updates"][-1],
        "status": "in_progress",
        "comment": "Letters drafted",
        "via": "api",
    }


def test_a_stale_version_is_a_conflict(api, tf):
    action = _new(api, tf).get_json()
    api.patch(f"/actions/{action['id']}", {"status": "in_progress", "version": action["version"]})
    stale = api.patch(
        f"/actions/{action['id']}", {"status": "complete", "version": action["version"]}
    )
    assert stale.status_code == 409
    assert api.get(f"/actions/{action['id']}").get_json()["status"] == "in_progress"


def test_the_api_declines_a_proposal_with_null(api, make_action):
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    action.proposed_due_on = today() + timedelta(days=30)
    db.session.commit()
    data = api.patch(f"/actions/{action.id}", {"proposed_due_date": None}).get_json()
    assert data["proposed_due_date"] is None
    assert data["due_date"] == action.due_on.isoformat()
    assert data["updates"][-1]["comment"].startswith("Declined the proposed due date")


def test_transitions_that_make_no_sense_are_refused(api, tf):
    action = _new(api, tf).get_json()
    api.patch(f"/actions/{action['id']}", {"status": "closed"})
    response = api.patch(f"/actions/{action['id']}", {"status": "in_progress"})
    assert response.status_code == 422
    assert "Reopen it first" in response.get_json()["error"]["fields"]["status"][0]
    assert api.patch(f"/actions/{action['id']}", {"status": "open"}).status_code == 200
    dropped = api.patch(f"/actions/{action['id']}", {"status": "dropped"})
    assert dropped.status_code == 422 and "comment" in dropped.get_json()["error"]["fields"]


def test_a_past_due_date_is_allowed_with_a_warning_and_is_overdue(api, tf):
    action = _new(api, tf, due_date="2024-01-01").get_json()
    assert action["warnings"] and action["is_overdue"] is True
    assert [a["id"] for a in api.get("/actions?overdue=true").get_json()["items"]] == [action["id"]]
    api.patch(f"/actions/{action['id']}", {"status": "complete"})
    assert api.get("/actions?overdue=true").get_json()["items"] == []


def test_filters_and_bad_filters(api, tf):
    _new(api, tf)
    _new(api, tf, owner_email="someone@example.gov.uk")
    assert len(api.get("/actions?owner_email=OLA.ADE@example.gov.uk").get_json()["items"]) == 1
    assert len(api.get(f"/actions?taskforce_id={tf.id}&status=open").get_json()["items"]) == 2
    for query in ("status=asleep", "overdue=maybe", "taskforce_id=x"):
        assert api.get(f"/actions?{query}").status_code == 422, query


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner_email": "not-an-email"}, "owner_email"),
        ({"description": ""}, "description"),
        ({"due_date": "soon"}, "due_date"),
        ({"owner_name": "Two\nlines"}, "owner_name"),
        ({"meeting_id": 999999}, "meeting_id"),
        # Beyond the database's integers: SQLite could not even look them up (a 500, by fuzzing).
        ({"meeting_id": 10**20}, "meeting_id"),
        ({"taskforce_id": 2**31}, "taskforce_id"),
    ],
)
def test_bad_actions_are_refused_and_nothing_saved(api, tf, change, field):
    response = _new(api, tf, **change)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.query(Action).count() == 0


def test_another_task_forces_meeting_is_refused_like_a_missing_one(
    api, tf, make_taskforce, make_meeting
):
    """The answer must not tell a caller which meeting ids exist in task forces they cannot
    see: the same status, code, field and words for both."""
    elsewhere = make_meeting(make_taskforce())
    missing = elsewhere.id + 1000
    answers = [_new(api, tf, meeting_id=meeting_id) for meeting_id in (elsewhere.id, missing)]
    assert [a.status_code for a in answers] == [422, 422]
    errors = [a.get_json()["error"] for a in answers]
    for error, meeting_id in zip(errors, (elsewhere.id, missing), strict=True):
        assert error["fields"] == {
            "meeting_id": [
                f"Meeting {meeting_id} is not available: choose one of this task force's meetings"
            ]
        }
    assert errors[0]["code"] == errors[1]["code"]
    assert errors[0]["message"] == errors[1]["message"]
    assert db.session.query(Action).count() == 0


def test_another_task_forces_meeting_on_the_web_is_refused_like_a_missing_one(
    client, secretariat, tf, make_taskforce, make_meeting, no_csrf
):
    from tests.conftest import login

    web = login(client, secretariat)
    elsewhere = make_meeting(make_taskforce())
    form = {
        "description": "Write to councils",
        "owner_name": "Ola Ade",
        "owner_email": "ola@example.gov.uk",
        "due_date": (today() + timedelta(weeks=8)).isoformat(),
    }
    pages = [
        web.post(f"/taskforces/{tf.id}/actions/new", data={**form, "meeting_id": str(m)})
        for m in (elsewhere.id, elsewhere.id + 1000)
    ]
    assert pages[0].status_code == pages[1].status_code
    texts = [p.get_data(as_text=True) for p in pages]
    for text in texts:
        assert "Not a valid choice" in text
        assert "another task force" not in text
    assert db.session.query(Action).count() == 0


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


def test_other_secretariat_and_readers_cannot_change_actions(api, tf, api_for, make_user):
    action = _new(api, tf).get_json()
    outsider = api_for(make_user("secretariat"))
    assert outsider.get(f"/actions/{action['id']}").status_code == 403
    assert outsider.patch(f"/actions/{action['id']}", {"status": "closed"}).status_code == 403
    assert outsider.get("/actions").get_json()["items"] == []
    reader = api_for(make_user("member", email=NIA))  # a member of tf
    assert reader.get(f"/actions/{action['id']}").status_code == 200
    assert reader.patch(f"/actions/{action['id']}", {"status": "closed"}).status_code == 403
