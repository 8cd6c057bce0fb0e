"""Changing what the registers hold, through the API and on the web: risks (re-rated,
closed) and register entries. Old values stay in the history and a change made from an
out-of-date copy is refused, never written over the newer one."""

from __future__ import annotations

import re
from html import unescape

import pytest

from taskforce.audit.models import AuditEvent
from taskforce.extensions import db
from taskforce.registers.models import Risk
from tests.conftest import SAM, _csrf_from, login
from tests.pages import form_fields


def _events(action: str) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


# Through the API ------------------------------------------------------------------------


def test_a_risk_is_rerated_and_closed_with_its_history(api, make_risk):
    risk = make_risk()
    assert risk.rating == "Amber"
    url = f"/risks/{risk.id}"
    version = risk.version  # read before the changes: the row reloads after each request
    rerated = api.patch(url, {"version": version, "likelihood": "High"})
    assert rerated.status_code == 200, rerated.get_json()
    assert rerated.get_json()["rating"] == "Red"
    closed = api.patch(url, {"closed": True, "mitigation": "Second provider contracted"})
    assert closed.get_json()["closed_on"] is not None
    assert api.get(url).get_json()["mitigation"] == "Second provider contracted"
    first, second = _events("risk.updated")
    assert first.changes["rating"] == ["Amber", "Red"]
    assert "rating Amber → Red" in first.summary
    assert second.changes["closed_on"][0] is None and "closed" in second.summary
    stale = api.patch(url, {"version": version, "owner": "Someone"})
    assert stale.status_code == 409


def test_closed_risks_leave_the_dashboard_and_the_open_register(api, tf, web, make_risk):
    risk = make_risk(likelihood="High", impact="High")
    assert "Providers leave" in web.get(f"/taskforces/{tf.id}/performance").text
    api.patch(f"/risks/{risk.id}", {"closed": True})
    assert "Providers leave" not in web.get(f"/taskforces/{tf.id}/performance").text
    register = web.get(f"/taskforces/{tf.id}/risks").text
    assert "Closed risks" in register and "No open risks." in register


def test_a_risk_cannot_take_another_risks_ref(api, make_risk):
    make_risk(ref="R1")
    second = make_risk(ref="R2")
    response = api.patch(f"/risks/{second.id}", {"ref": "R1"})
    assert response.status_code == 422 and "ref" in response.get_json()["error"]["fields"]
    assert db.session.get(Risk, second.id).ref == "R2"


def test_register_entries_change_with_their_rules_kept(api, tf):
    milestone = api.post(
        f"/taskforces/{tf.id}/milestones",
        {"activity": "Pilot in two regions", "starts_on": "2027-01-04", "ends_on": "2027-06-30"},
    ).get_json()
    url = f"/milestones/{milestone['id']}"
    done = api.patch(url, {"version": milestone["version"], "status": "complete"})
    assert done.status_code == 200 and done.get_json()["status"] == "complete"
    backwards = api.patch(url, {"ends_on": "2026-12-01"})
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["error"]["fields"]
    assert api.patch(url, {"starts_on": None}).get_json()["starts_on"] is None
    assert api.patch(url, {"ends_on": None}).status_code == 422  # required: cannot be emptied
    stale = api.patch(url, {"version": milestone["version"], "owner": "Someone"})
    assert stale.status_code == 409

    benefit = api.post(
        f"/taskforces/{tf.id}/benefits",
        {"benefit": "More young people in work", "measure": "Starts", "target": "12,000"},
    ).get_json()
    realised = api.patch(f"/benefits/{benefit['id']}", {"realised": "4,100"})
    assert realised.get_json()["realised"] == "4,100"
    decision = api.post(
        f"/taskforces/{tf.id}/decisions", {"decided_on": "2027-01-10", "text": "Go"}
    ).get_json()
    foreign = api.patch(f"/decisions/{decision['id']}", {"meeting_id": 999_999})
    assert foreign.status_code == 422
    assert [e.summary for e in _events("milestones.updated")] == [
        "Changed a milestone (status)",
        "Changed a milestone (start)",
    ]


# On the web -----------------------------------------------------------------------------


def test_a_risk_is_changed_and_closed_on_the_web(web, api, make_risk):
    risk = make_risk(ref="R1")
    url = f"/risks/{risk.id}"
    form = form_fields(web.get(url).text)
    assert form["ref"] == "R1" and form["likelihood"] == "Medium"
    saved = web.post(url, data={**form, "impact": "High", "trend": "rising"})
    assert saved.status_code == 302, saved.text
    assert api.get(url).get_json()["rating"] == "Red"
    page = web.get(url).text
    assert "Changes so far" in page and "Amber" in page
    closed = web.post(
        f"{url}/close",
        data={"csrf_token": _csrf_from(page), "retire": "yes", "version": "2", "confirm": "yes"},
    )
    assert closed.status_code == 302
    assert api.get(url).get_json()["closed_on"] is not None


def test_a_register_entry_is_changed_on_the_web_and_bad_dates_refused(web, api, tf):
    milestone = api.post(
        f"/taskforces/{tf.id}/milestones",
        {"activity": "Pilot", "starts_on": "2027-01-04", "ends_on": "2027-06-30"},
    ).get_json()
    url = f"/registers/milestones/{milestone['id']}"
    page = web.get(url).text
    form = {
        "csrf_token": _csrf_from(page),
        "version": "1",
        "activity": "Pilot in two regions",
        "starts_on": "2027-01-04",
        "ends_on": ["30", "6", "2027"],
        "status": "at_risk",
        "owner": "",
    }
    first = web.post(url, data=form)
    assert first.status_code == 302, re.findall(r"error-summary__list.*?</ul>", first.text, re.S)
    assert api.get(f"/milestones/{milestone['id']}").get_json()["status"] == "at_risk"
    bad = web.post(url, data={**form, "version": "2", "ends_on": ["30", "6", "2026"]})
    assert bad.status_code == 422
    assert "The end must not come before the start" in bad.text
    register = web.get(f"/taskforces/{tf.id}/registers/milestones").text
    assert f'href="{url}"' in register


# Found in review ----------------------------------------------------------------------------


def test_an_edit_page_posted_without_its_version_is_a_conflict_not_an_error(web, api, make_risk):
    risk = make_risk()
    form = form_fields(web.get(f"/risks/{risk.id}").text)
    del form["version"]
    response = web.post(f"/risks/{risk.id}", data={**form, "owner": "Someone"})
    assert response.status_code == 409
    assert api.get(f"/risks/{risk.id}").get_json()["owner"] == ""


def test_readers_get_no_edit_pages(client, make_user, tf, api, make_risk):
    reader = make_user("member", email=SAM)  # Sam Patel, an official on tf
    risk = make_risk()
    entry = api.post(
        f"/taskforces/{tf.id}/benefits", {"benefit": "Jobs", "measure": "Starts"}
    ).get_json()
    login(client, reader)
    assert client.get(f"/taskforces/{tf.id}/risks").status_code == 200
    assert f"/risks/{risk.id}" not in client.get(f"/taskforces/{tf.id}/risks").text
    assert client.get(f"/risks/{risk.id}").status_code == 403
    assert client.get(f"/registers/benefits/{entry['id']}").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"closed": "false"}, "closed"),
        ({"closed": 1}, "closed"),
        ({"version": True}, "version"),
        ({"version": "1"}, "version"),
    ],
)
def test_loosely_typed_switches_and_versions_are_refused(api, make_risk, body, field):
    risk = make_risk()
    response = api.patch(f"/risks/{risk.id}", body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert api.patch(f"/risks/{risk.id}", {"version": None, "owner": "A"}).status_code == 200


# Found in the second review --------------------------------------------------------------


def test_the_conflict_table_speaks_in_labels(web, api, tf):
    milestone = api.post(
        f"/taskforces/{tf.id}/milestones", {"activity": "Pilot", "ends_on": "2027-06-30"}
    ).get_json()
    url = f"/registers/milestones/{milestone['id']}"
    token = _csrf_from(web.get(url).text)
    api.patch(f"/milestones/{milestone['id']}", {"status": "late"})
    stale = web.post(
        url,
        data={
            "csrf_token": token,
            "version": "1",
            "activity": "Pilot",
            "ends_on": "2027-06-30",
            "status": "on_track",
            "owner": "",
        },
    )
    assert stale.status_code == 409
    table = unescape(stale.text[stale.text.index("Where your form differs") :])
    table = table[: table.index("</table>")]
    assert "On track" in table and "Late" in table and "on_track" not in table
