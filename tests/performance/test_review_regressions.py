"""Defects a review of the performance work found, each pinned by a test."""

from __future__ import annotations

import io
import zipfile
from html import unescape

import pytest
from openpyxl import Workbook

from taskforce.extensions import db
from taskforce.performance.models import Actual, Indicator, TrajectoryPoint
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


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(name="Starts")


def _workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_damaged_workbook_is_refused_not_a_500(api, tf, indicator):
    good = _workbook([["indicator", "period", "value"], ["Starts", "2027-01", 1]])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]  # the sheet's XML cut in half
            target.writestr(item, data)
    response = api.upload(f"/taskforces/{tf.id}/actuals/import", damaged.getvalue(), "mi.xlsx")
    assert response.status_code == 422
    assert "not a readable Excel workbook" in response.get_json()["error"]["message"]


def test_imported_values_keep_to_six_decimal_places_and_blank_cells_say_so(api, tf, indicator):
    content = _workbook(
        [
            ["indicator", "period", "value"],
            ["Starts", "2027-01", 1.1234567],
            ["Starts", "2027-02", None],
        ]
    )
    response = api.upload(f"/taskforces/{tf.id}/actuals/import", content, "mi.xlsx")
    rows = response.get_json()["error"]["rows"]
    assert {
        "row": 2,
        "column": "value",
        "message": "the value has more than 6 decimal places",
    } in rows
    assert any(r["row"] == 3 and "is empty" in r["message"] for r in rows)
    assert db.session.query(Actual).count() == 0


def test_percentage_charts_say_percent(api, tf):
    made = api.post(
        f"/taskforces/{tf.id}/indicators",
        {
            "name": "Offers in time",
            "unit": "%",
            "frequency": "monthly",
            "direction": "up",
            "trajectory": [{"period": "2027-01", "value": 50}],
        },
    ).get_json()
    api.post(f"/indicators/{made['id']}/actuals", [{"period": "2027-01", "value": 45}])
    description = api.get(f"/indicators/{made['id']}/chart.svg").headers["X-Chart-Description"]
    assert "The latest actual is 45% in Jan 2027 against a trajectory of 50%" in description
