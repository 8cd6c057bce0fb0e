"""Indicators, trajectories and actuals through the API."""

from __future__ import annotations

import pytest

from taskforce.extensions import db
from taskforce.performance.models import ActualRevision


def _indicator(api, tf, **kw):
    body = {
        "name": "Apprenticeship starts",
        "unit": "starts",
        "frequency": "monthly",
        "direction": "up",
        "tolerance_pct": 5,
        "source": "Monthly MI return",
        "trajectory": [
            {"period": "2027-01", "value": 1000},
            {"period": "2027-02", "value": 1100},
            {"period": "2027-03", "value": 1200},
        ],
        **kw,
    }
    return api.post(f"/taskforces/{tf.id}/indicators", body)


def test_an_indicator_with_its_trajectory_and_actuals(api, tf):
    created = _indicator(api, tf)
    assert created.status_code == 201, created.get_json()
    indicator = created.get_json()
    assert [p["period"] for p in indicator["series"]] == ["2027-01", "2027-02", "2027-03"]
    assert indicator["latest"] is None

    recorded = api.post(
        f"/indicators/{indicator['id']}/actuals",
        [{"period": "2027-01", "value": 1010}, {"period": "2027-02", "value": 1050}],
    )
    assert recorded.status_code == 200, recorded.get_json()
    assert recorded.get_json()["new"] == 2
    series = api.get(f"/indicators/{indicator['id']}").get_json()["series"]
    assert [(p["period"], p["actual"], p["rag"], p["trend"]) for p in series] == [
        ("2027-01", 1010, "green", None),
        ("2027-02", 1050, "amber", "improving"),
        ("2027-03", None, None, None),
    ]
    assert series[1]["trajectory"] == 1100


def test_a_later_value_replaces_the_earlier_and_history_keeps_it(api, tf):
    indicator = _indicator(api, tf).get_json()
    api.post(f"/indicators/{indicator['id']}/actuals", [{"period": "2027-01", "value": 900}])
    again = api.post(
        f"/indicators/{indicator['id']}/actuals", [{"period": "2027-01", "value": "950.5"}]
    ).get_json()
    assert (again["new"], again["corrected"]) == (0, 1)
    assert again["indicator"]["series"][0]["actual"] == 950.5
    revision = db.session.query(ActualRevision).one()
    assert (revision.old_value, str(revision.new_value)) == (900, "950.5")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"frequency": "daily"}, "frequency"),
        ({"direction": "sideways"}, "direction"),
        ({"tolerance_pct": -1}, "tolerance_pct"),
        ({"trajectory": [{"period": "2027-Q1", "value": 1}]}, "trajectory.0.period"),
        (
            {"trajectory": [{"period": "2027-01", "value": 1}, {"period": "2027-1", "value": 2}]},
            "trajectory.1.period",
        ),
        ({"trajectory": [{"period": "2027-01", "value": "NaN"}]}, "trajectory.0.value"),
        ({"trajectory": [{"period": "2027-01", "value": "lots"}]}, "trajectory.0.value"),
        ({"priority": "Not one of ours"}, "priority"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_indicators_are_refused_field_by_field(api, tf, body, field):
    response = _indicator(api, tf, **body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_bad_actuals_change_nothing(api, tf):
    indicator = _indicator(api, tf).get_json()
    response = api.post(
        f"/indicators/{indicator['id']}/actuals",
        [{"period": "2027-01", "value": 5}, {"period": "2027-W03", "value": 6}],
    )
    assert response.status_code == 422
    assert "1.period" in response.get_json()["error"]["fields"]
    assert api.get(f"/indicators/{indicator['id']}").get_json()["latest"] is None


def test_a_duplicate_name_is_refused(api, tf):
    assert _indicator(api, tf).status_code == 201
    assert _indicator(api, tf).status_code == 422


def test_members_read_but_cannot_add(api_for, make_user, tf, api):
    indicator = _indicator(api, tf).get_json()
    outsider = api_for(make_user("member", email="outsider@example.gov.uk"))
    assert outsider.get(f"/indicators/{indicator['id']}").status_code == 403
    assert outsider.post(f"/taskforces/{tf.id}/indicators", {}).status_code == 403
