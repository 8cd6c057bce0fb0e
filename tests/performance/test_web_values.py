"""Values typed into the web forms meet the same rules as the API's."""

from __future__ import annotations

from html import unescape

import pytest

from taskforce.extensions import db
from taskforce.performance.models import Indicator, TrajectoryPoint
from tests.conftest import _csrf_from


def _add(client, tf, trajectory="", tolerance="5"):
    url = f"/taskforces/{tf.id}/indicators/new"
    return client.post(
        url,
        data={
            "csrf_token": _csrf_from(client.get(url).get_data(as_text=True)),
            "name": "Starts",
            "frequency": "monthly",
            "direction": "up",
            "tolerance_pct": tolerance,
            "priority": "",
            "trajectory": trajectory,
        },
    )


@pytest.mark.parametrize(
    ("trajectory", "message"),
    [
        ("2027-01, NaN", "Line 1: the value is not a finite number"),
        ("2027-01, Infinity", "Line 1: the value is not a finite number"),
        ("2027-01, 1e30", "Line 1: the value is too large"),
        ("2027-01, 1.1234567", "Line 1: the value has more than 6 decimal places"),
        ("2027-01, 1\n\n\n2027-13, 2", "Line 4: 2027-13 has no month 13"),
    ],
)
def test_web_values_follow_the_same_rules_as_the_api(web, tf, trajectory, message):
    response = _add(web, tf, trajectory)
    assert message in unescape(response.get_data(as_text=True))
    assert db.session.query(TrajectoryPoint).count() == 0


def test_a_signalling_nan_tolerance_is_an_error_not_a_crash(web, tf):
    response = _add(web, tf, tolerance="sNaN")
    assert "Enter a number" in response.get_data(as_text=True)
    assert db.session.query(Indicator).count() == 0
