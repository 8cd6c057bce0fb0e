"""Benefits, delivery milestones and decisions registers."""

from __future__ import annotations

import pytest

from tests.conftest import _csrf_from


def test_the_three_registers_over_the_api(api, tf):
    benefit = api.post(
        f"/taskforces/{tf.id}/benefits",
        {
            "benefit": "More young people in work",
            "measure": "18 to 24 employment rate",
            "baseline": "58%",
            "target": "63%",
            "realised": "60%",
            "owner": "Tom Whitfield",
        },
    )
    assert benefit.status_code == 201, benefit.get_json()
    milestone = api.post(
        f"/taskforces/{tf.id}/milestones",
        {
            "activity": "Launch bootcamps in the North East",
            "starts_on": "2027-01-04",
            "ends_on": "2027-03-31",
            "status": "on_track",
        },
    )
    assert milestone.status_code == 201, milestone.get_json()
    decision = api.post(
        f"/taskforces/{tf.id}/decisions",
        {"decided_on": "2027-01-12", "text": "Agreed to extend the wage incentive to March."},
    )
    assert decision.status_code == 201, decision.get_json()
    assert api.get(f"/taskforces/{tf.id}/benefits").get_json()["items"][0]["realised"] == "60%"
    assert api.get(f"/taskforces/{tf.id}/milestones").get_json()["items"][0]["status"] == "on_track"
    assert len(api.get(f"/taskforces/{tf.id}/decisions").get_json()["items"]) == 1


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("benefits", {"benefit": "", "measure": "x"}, "benefit"),
        (
            "milestones",
            {"activity": "x", "ends_on": "2027-01-01", "starts_on": "2027-02-01"},
            "ends_on",
        ),
        ("milestones", {"activity": "x", "ends_on": "2027-01-01", "status": "done"}, "status"),
        ("decisions", {"decided_on": "2027-01-12", "text": "x", "meeting_id": 99999}, "meeting_id"),
        ("decisions", {"decided_on": "not a date", "text": "x"}, "decided_on"),
    ],
)
def test_bad_entries_are_refused(api, tf, kind, body, field):
    response = api.post(f"/taskforces/{tf.id}/{kind}", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert api.get(f"/taskforces/{tf.id}/{kind}").get_json()["items"] == []


def test_the_register_pages(web, tf):
    url = f"/taskforces/{tf.id}/registers/milestones"
    token = _csrf_from(web.get(url).get_data(as_text=True))
    bad = web.post(
        url,
        data={
            "csrf_token": token,
            "activity": "Launch",
            "starts_on": ["1", "3", "2027"],
            "ends_on": ["1", "2", "2027"],
            "status": "on_track",
        },
    )
    assert bad.status_code == 422
    assert "The end must not come before the start" in bad.get_data(as_text=True)
    good = web.post(
        url,
        data={
            "csrf_token": token,
            "activity": "Launch bootcamps",
            "ends_on": ["31", "3", "2027"],
            "status": "at_risk",
        },
    )
    assert good.status_code == 302
    html = web.get(url).get_data(as_text=True)
    assert "Launch bootcamps" in html and "At risk" in html
    assert web.get(f"/taskforces/{tf.id}/registers/benefits").status_code == 200
    assert web.get(f"/taskforces/{tf.id}/registers/decisions").status_code == 200


def test_a_huge_meeting_id_on_a_decision_is_a_field_error(api, tf):
    response = api.post(
        f"/taskforces/{tf.id}/decisions",
        {"decided_on": "2027-01-12", "text": "x", "meeting_id": 10**20},
    )
    assert response.status_code == 422
    assert "meeting_id" in response.get_json()["error"]["fields"]
