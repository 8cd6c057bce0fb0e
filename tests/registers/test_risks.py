"""The risk register: ratings, order and references."""

from __future__ import annotations

from taskforce.extensions import db
from taskforce.registers.models import Risk


def test_the_risk_register_rates_and_orders_risks(api, tf):
    for ref, likelihood, impact in (
        ("R01", "Low", "High"),
        ("R02", "High", "High"),
        ("R03", "Low", "Low"),
    ):
        response = api.post(
            f"/taskforces/{tf.id}/risks",
            {
                "ref": ref,
                "description": "Colleges cannot recruit enough assessors",
                "likelihood": likelihood,
                "impact": impact,
                "impact_statement": "Starts slip by a quarter",
                "mitigation": "Share assessors across colleges",
                "owner": "Fiona Gallacher",
            },
        )
        assert response.status_code == 201, response.get_json()
    items = api.get(f"/taskforces/{tf.id}/risks").get_json()["items"]
    assert [(r["ref"], r["rating"]) for r in items] == [
        ("R01", "Amber"),
        ("R02", "Red"),
        ("R03", "Green"),
    ]
    assert api.get(f"/taskforces/{tf.id}/risks?limit=2").get_json()["next"] is not None
    duplicate = api.post(
        f"/taskforces/{tf.id}/risks",
        {"ref": "R01", "description": "x", "likelihood": "Low", "impact": "Low"},
    )
    assert duplicate.status_code == 422
    bad = api.post(
        f"/taskforces/{tf.id}/risks",
        {"ref": "R 9", "description": "x", "likelihood": "Huge", "impact": "Low"},
    )
    assert bad.status_code == 422
    assert {"ref", "likelihood"} <= set(bad.get_json()["error"]["fields"])
    assert db.session.query(Risk).count() == 3
