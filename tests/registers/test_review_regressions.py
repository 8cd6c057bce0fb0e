"""Defects a review of the registers found, each pinned by a test."""

from __future__ import annotations


def test_a_huge_meeting_id_on_a_decision_is_a_field_error(api, tf):
    response = api.post(
        f"/taskforces/{tf.id}/decisions",
        {"decided_on": "2027-01-12", "text": "x", "meeting_id": 10**20},
    )
    assert response.status_code == 422
    assert "meeting_id" in response.get_json()["error"]["fields"]
