"""Downloads of the registers: what the pages show, as CSV or Excel, never a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.conftest import login


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))


def test_the_risk_register_downloads_open_and_closed_risks(web, api, tf, make_risk):
    make_risk(
        ref="R1",
        description="@SUM(1+1)*cmd|' /C calc'!A0",
        likelihood="High",
        impact="High",
        review_on=date(2027, 2, 1),
    )
    closed = make_risk(ref="R2", description="Closed one", likelihood="Low", impact="Low")
    api.patch(f"/risks/{closed.id}", {"closed": True})
    rows = _csv(web.get(f"/taskforces/{tf.id}/export/risks.csv"))
    assert [r[0] for r in rows[1:]] == ["R1", "R2"]
    assert rows[1][1].startswith("'@SUM") and rows[1][4] == "Red" and rows[1][8] == "2027-02-01"
    assert rows[2][10] != ""  # closed on
    sheet = _sheet(web.get(f"/taskforces/{tf.id}/export/risks.xlsx"))
    assert sheet[1][8].date() == date(2027, 2, 1)


@pytest.mark.parametrize("table", ["benefits", "milestones", "decisions"])
def test_every_register_downloads_with_its_header_even_when_empty(web, tf, table):
    rows = _csv(web.get(f"/taskforces/{tf.id}/export/{table}.csv"))
    assert len(rows) == 1 and rows[0]
    assert len(_sheet(web.get(f"/taskforces/{tf.id}/export/{table}.xlsx"))) == 1


def test_downloads_need_sight_of_the_task_force(client, make_user, tf):
    outsider = make_user("member", email="outsider@example.gov.uk")
    login(client, outsider)
    assert client.get(f"/taskforces/{tf.id}/export/risks.csv").status_code == 403
    assert client.get(f"/taskforces/{tf.id}/export/nothing.csv").status_code == 404
