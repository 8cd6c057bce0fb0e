"""Downloads of performance data: what the pages show, as CSV or Excel, never a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.conftest import TF_PRIORITIES


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(
        name='=HYPERLINK("http://example.com/x","Click")',
        priority=TF_PRIORITIES[0],
        trajectory={"2027-01": 1000, "2027-02": 1100},
        actuals={"2027-01": "980.5"},
    )


def test_the_indicators_csv_has_every_period_and_neutralises_formulas(web, tf, indicator):
    rows = _csv(web.get(f"/taskforces/{tf.id}/export/indicators.csv"))
    assert rows[0][:7] == [
        "Indicator",
        "Priority",
        "Unit",
        "Frequency",
        "Period",
        "Trajectory",
        "Actual",
    ]
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[0] == '\'=HYPERLINK("http://example.com/x","Click")'
    assert first[4:10] == ["2027-01", "1000", "980.5", "-2.0", "amber", ""]
    assert second[5:7] == ["1100", ""]  # a period planned but not yet reported


def test_the_indicators_workbook_keeps_numbers_as_numbers_and_text_as_text(web, tf, indicator):
    header, first, _second = _sheet(web.get(f"/taskforces/{tf.id}/export/indicators.xlsx"))
    assert header[0] == "Indicator"
    assert first[0] == '=HYPERLINK("http://example.com/x","Click")'  # shown as typed, never run
    assert first[5] == 1000 and Decimal(str(first[6])) == Decimal("980.5")
    cell = load_workbook(
        io.BytesIO(web.get(f"/taskforces/{tf.id}/export/indicators.xlsx").get_data())
    ).active["A2"]
    assert cell.data_type == "s"


@pytest.mark.parametrize("table", ["assessments"])
def test_every_register_downloads_with_its_header_even_when_empty(web, tf, table):
    rows = _csv(web.get(f"/taskforces/{tf.id}/export/{table}.csv"))
    assert len(rows) == 1 and rows[0]
    assert len(_sheet(web.get(f"/taskforces/{tf.id}/export/{table}.xlsx"))) == 1


def test_the_pages_link_to_their_downloads(web, tf, indicator):
    html = web.get(f"/taskforces/{tf.id}/performance").text
    assert f"/taskforces/{tf.id}/export/indicators.xlsx" in html
