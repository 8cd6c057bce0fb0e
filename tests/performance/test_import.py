"""Importing actuals from CSV and XLSX: everything or nothing, each bad row named."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from taskforce.extensions import db
from taskforce.performance.models import Actual


@pytest.fixture
def indicators(make_indicator):
    return {
        "Apprenticeship starts": make_indicator(name="Apprenticeship starts"),
        "Claims cleared": make_indicator(name="Claims cleared", unit="claims", frequency="weekly"),
    }


GOOD = (
    "indicator,period,value\n"
    "Apprenticeship starts,2027-01,1010\n"
    'Apprenticeship starts,2027-02,"1,050"\n'
    "Claims cleared,2027-W05,300\n"
)


def _import(api, tf, content: bytes, name="mi.csv"):
    return api.upload(f"/taskforces/{tf.id}/actuals/import", content, name)


def test_one_bad_row_imports_nothing_and_is_named_then_the_fixed_file_imports(api, tf, indicators):
    bad = GOOD.replace("Claims cleared,2027-W05,300", "Claims cleared,2027-W05,three hundred")
    response = _import(api, tf, bad.encode())
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["rows"] == [
        {"row": 4, "column": "value", "message": "the value 'three hundred' is not a number"}
    ]
    assert "Nothing was imported: 1 row needs correcting" in error["message"]
    assert db.session.query(Actual).count() == 0

    fixed = _import(api, tf, GOOD.encode())
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json() == {"imported": 3}
    series = api.get(f"/indicators/{indicators['Apprenticeship starts'].id}").get_json()
    assert [(p["period"], p["actual"]) for p in series["series"]] == [
        ("2027-01", 1010),
        ("2027-02", 1050),
    ]


@pytest.mark.parametrize(
    ("content", "row", "column", "message"),
    [
        (
            "indicator,period,value\nNo such thing,2027-01,1\n",
            2,
            "indicator",
            "no indicator called",
        ),
        ("indicator,period,value\nApprenticeship starts,2027-Q1,1\n", 2, "period", "is a quarter"),
        ("indicator,period,value\nClaims cleared,2027-01,1\n", 2, "period", "is a month"),
        (
            "indicator,period,value\n"
            "Apprenticeship starts,2027-01,1\n"
            "Apprenticeship starts,2027-1,2\n",
            3,
            "period",
            "already in row 2",
        ),
        ("indicator,period,value\nApprenticeship starts,2027-01,\n", 2, "value", "is empty"),
        ("indicator,period,value\nApprenticeship starts,2027-01,NaN\n", 2, "value", "finite"),
        ("indicator,period\nApprenticeship starts,2027-01\n", 1, "value", "no value column"),
        ("", 0, "", "the file is empty"),
        ("indicator,period,value\n", 0, "", "no rows of data"),
        ("indicator,period,value\n\xff\xfe,1,2\n", 0, "", "not UTF-8"),
    ],
)
def test_bad_files_are_explained_and_import_nothing(
    api, tf, indicators, content, row, column, message
):
    data = content.encode("latin-1") if "\xff" in content else content.encode()
    response = _import(api, tf, data)
    assert response.status_code == 422, response.get_json()
    rows = response.get_json()["error"]["rows"]
    assert any(
        r["row"] == row and r["column"] == column and message in r["message"] for r in rows
    ), rows
    assert db.session.query(Actual).count() == 0


def test_tolerant_headers_and_an_excel_file_with_real_dates(api, tf, indicators):
    book = Workbook()
    sheet = book.active
    sheet.append(["Notes", "KPI", "Month", "Actual"])
    sheet.append(["from the MI team", "apprenticeship  STARTS", datetime(2027, 3, 1), 1200])  # noqa: DTZ001
    sheet.append([None, None, None, None])
    sheet.append(["", "Claims cleared", "2027-W06", 310.5])
    out = io.BytesIO()
    book.save(out)
    response = _import(api, tf, out.getvalue(), "export.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"imported": 2}
    claims = api.get(f"/indicators/{indicators['Claims cleared'].id}").get_json()
    assert claims["latest"]["actual"] == 310.5


def test_a_file_that_is_not_a_workbook_is_refused(api, tf, indicators):
    response = _import(api, tf, b"PK\x03\x04 not really a zip", "mi.xlsx")
    assert response.status_code == 422
    assert "not a readable Excel workbook" in response.get_json()["error"]["message"]


def test_missing_file_and_oversized_file(api, tf, app):
    response = api.post(f"/taskforces/{tf.id}/actuals/import")
    assert response.status_code == 422
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 100
    try:
        assert _import(api, tf, b"indicator,period,value\n" + b"x" * 500).status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old


def test_many_bad_rows_list_the_first_hundred(api, tf, indicators):
    lines = "".join(f"Nope {n},2027-01,1\n" for n in range(150))
    error = _import(api, tf, ("indicator,period,value\n" + lines).encode()).get_json()["error"]
    assert len(error["rows"]) == 100
    assert "150 rows need correcting (the first 100 are listed)" in error["message"]
