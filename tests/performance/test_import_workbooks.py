"""Excel workbooks that are damaged or hold values the service cannot keep exactly."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from taskforce.extensions import db
from taskforce.performance.models import Actual


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
