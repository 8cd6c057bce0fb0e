"""Input at the edges: exact JSON numbers, the API description of odd bodies, misplaced
spreadsheet headers and date-formatted cells, and pruning the chart cache."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import pytest
from flask import Blueprint
from openpyxl import Workbook
from pydantic import BaseModel

from taskforce.api import spec
from taskforce.extensions import db
from taskforce.performance import charts
from taskforce.performance.models import Actual, ChartImage, Indicator
from taskforce.scheduler import build_scheduler, housekeeping, in_app
from tests.conftest import TF_PRIORITIES


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(name="Apprenticeship starts", trajectory={"2027-01": 1000})


def _raw(api, method: str, path: str, body: str):
    """Send a JSON body exactly as written, numbers and all."""
    return api.client.open(
        "/api/v1" + path,
        method=method,
        data=body,
        headers={**api.headers, "Content-Type": "application/json"},
    )


# JSON numbers


def test_a_value_with_fifteen_significant_digits_round_trips_exactly(api, indicator):
    body = '[{"period": "2027-01", "value": 123456789.123456}]'
    response = _raw(api, "POST", f"/indicators/{indicator.id}/actuals", body)
    assert response.status_code == 200, response.get_json()
    assert db.session.query(Actual).one().value == Decimal("123456789.123456")
    (point,) = [p for p in api.get(f"/indicators/{indicator.id}").json["series"] if p["actual"]]
    assert repr(point["actual"]) == "123456789.123456"


def test_a_value_json_could_not_give_back_exactly_is_refused(api, indicator):
    body = '[{"period": "2027-01", "value": 12345678901234.123456}]'
    response = _raw(api, "POST", f"/indicators/{indicator.id}/actuals", body)
    assert response.status_code == 422
    assert "15 significant digits" in str(response.get_json()["error"]["fields"])
    assert db.session.query(Actual).count() == 0


def test_a_value_with_too_many_places_is_refused_not_rounded(api, indicator):
    body = '[{"period": "2027-01", "value": 1.00000000000000001}]'
    response = _raw(api, "POST", f"/indicators/{indicator.id}/actuals", body)
    assert response.status_code == 422
    assert "0.value" in response.get_json()["error"]["fields"]
    assert db.session.query(Actual).count() == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_not_json_and_nothing_is_stored(api, tf, indicator, literal):
    body = f'[{{"period": "2027-01", "value": {literal}}}]'
    response = _raw(api, "POST", f"/indicators/{indicator.id}/actuals", body)
    assert response.status_code == 400
    assert f"{literal} is not a JSON number" in response.get_json()["error"]["message"]
    created = _raw(
        api,
        "POST",
        f"/taskforces/{tf.id}/indicators",
        json.dumps({"name": "Other", "frequency": "monthly", "direction": "up"})[:-1]
        + f', "tolerance_pct": {literal}}}',
    )
    assert created.status_code == 400
    assert db.session.query(Actual).count() == 0
    assert db.session.query(Indicator).count() == 1


def test_whole_numbers_written_with_a_point_still_count_where_they_did(api, tf, secretariat):
    base = '"name": "Point Five", "code": "PF", "purpose": "x"'
    assert _raw(api, "POST", "/taskforces", f'{{{base}, "cadence_weeks": 6.0}}').status_code == 201
    response = _raw(api, "POST", "/taskforces", f'{{{base}, "cadence_weeks": 6.5}}')
    assert response.status_code == 422
    assert "cadence_weeks" in response.get_json()["error"]["fields"]
    for value in ("1.0", "1.5"):  # strict whole numbers take no point at all
        action = _raw(
            api,
            "POST",
            "/actions",
            f'{{"taskforce_id": {value}, "description": "x", "owner_name": "A",'
            f' "owner_email": "a@example.gov.uk", "due_date": "2027-01-12"}}',
        )
        assert action.status_code == 422
        assert "taskforce_id" in action.get_json()["error"]["fields"]
        assessment = _raw(
            api,
            "POST",
            f"/taskforces/{tf.id}/assessments",
            json.dumps(
                {
                    "priority": TF_PRIORITIES[0],
                    "assessed_on": "2027-01-12",
                    "degree_of_challenge": "H",
                    "quality_of_planning": "AG",
                    "capacity_to_drive_progress": "AR",
                    "likelihood_of_delivery": "AG",
                }
            )[:-1]
            + f', "stage_of_delivery": {value}}}',
        )
        assert assessment.status_code == 422
        assert "stage_of_delivery" in assessment.get_json()["error"]["fields"]


def test_a_number_with_a_huge_exponent_is_refused_quickly(api, tf):
    started = time.monotonic()
    response = _raw(api, "PATCH", f"/taskforces/{tf.id}", '{"version": 1e999999999}')
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]
    assert time.monotonic() - started < 5


def test_json_sent_as_another_type_is_still_refused(api, tf):
    response = api.client.post(
        "/api/v1/taskforces",
        data='{"name": "x"}',
        headers={**api.headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]["message"]
    bad_utf8 = _raw(api, "POST", "/taskforces", b'{"name": "\xff"}')
    assert bad_utf8.status_code == 400


# The API description


class Thing(BaseModel):
    name: str


@pytest.fixture
def described(monkeypatch):
    """Operations on a throwaway blueprint, described on their own."""
    monkeypatch.setattr(spec, "OPERATIONS", [])
    bp = Blueprint("throwaway", __name__)

    def add_things(thing_id: int):
        return ""

    def import_things(thing_id: int):
        return ""

    def add_thing(thing_id: int):
        return ""

    common = {"tag": "Things", "summary": "Things"}
    spec.operation(bp, "/things/<int:thing_id>/many", "POST", body=Thing, body_list=True, **common)(
        add_things
    )
    spec.operation(
        bp,
        "/things/<int:thing_id>/import",
        "POST",
        multipart={"file": "A CSV or XLSX file of things"},
        **common,
    )(import_things)
    spec.operation(bp, "/things/<int:thing_id>", "POST", body=Thing, **common)(add_thing)
    return spec.openapi_document()


def test_a_list_body_is_described_as_a_list_of_the_model(described):
    post = described["paths"]["/api/v1/things/{thing_id}/many"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
    assert "Thing" in described["components"]["schemas"]
    assert "422" in post["responses"]
    single = described["paths"]["/api/v1/things/{thing_id}"]["post"]["requestBody"]
    assert single["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}


def test_a_file_upload_is_described_as_multipart_with_the_file_field(described):
    post = described["paths"]["/api/v1/things/{thing_id}/import"]["post"]
    assert post["requestBody"]["required"] is True
    (media_type,) = post["requestBody"]["content"]
    assert media_type == "multipart/form-data"
    schema = post["requestBody"]["content"][media_type]["schema"]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"]["type"] == "string"
    assert schema["properties"]["file"]["contentMediaType"] == "application/octet-stream"
    assert schema["properties"]["file"]["description"] == "A CSV or XLSX file of things"
    assert "422" in post["responses"]


def test_contradictory_bodies_are_refused_when_routes_are_declared(monkeypatch):
    monkeypatch.setattr(spec, "OPERATIONS", [])
    bp = Blueprint("throwaway", __name__)
    with pytest.raises(ValueError, match="body_list"):
        spec.operation(bp, "/x", "POST", tag="T", summary="x", body_list=True)
    with pytest.raises(ValueError, match="not both"):
        spec.operation(bp, "/x", "POST", tag="T", summary="x", body=Thing, multipart={"f": "f"})


def test_the_published_description_still_builds(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/indicators/{indicator_id}/actuals" in document["paths"]


# Spreadsheet headers and cells


def _workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(api, tf, content: bytes, name: str):
    return api.upload(f"/taskforces/{tf.id}/actuals/import", content, name)


HEADER = ["indicator", "period", "value"]
DATA = ["Apprenticeship starts", "2027-01", 1010]


@pytest.mark.parametrize(
    ("rows", "header_row"),
    [
        ([["Monthly MI return"], [], HEADER, DATA], 3),
        ([[None, None, None], [None, None, None], HEADER, DATA], 3),
        ([["Apprenticeships: starts by month", None, "Official"], HEADER, DATA], 2),
        ([["Indicator", "Notes"], ["KPI", "Month", "Actual"], DATA], 2),
    ],
)
def test_a_header_below_row_1_is_named_and_nothing_is_imported(
    api, tf, indicator, rows, header_row
):
    response = _import(api, tf, _workbook(rows), "mi.xlsx")
    assert response.status_code == 422
    error = response.get_json()["error"]
    message = (
        f"The header row must be row 1; row {header_row} looks like the header: "
        "delete the rows above it"
    )
    assert error["rows"] == [{"row": 1, "column": "", "message": message}]
    assert error["message"] == f"Nothing was imported: {message}"
    assert db.session.query(Actual).count() == 0


def test_a_csv_with_a_title_line_names_the_header_row(api, tf, indicator):
    content = b"Monthly MI return,,\nindicator,period,value\nApprenticeship starts,2027-01,1\n"
    rows = _import(api, tf, content, "mi.csv").get_json()["error"]["rows"]
    assert "row 2 looks like the header" in rows[0]["message"]


def test_a_blank_row_1_without_a_header_below_says_row_1_is_blank(api, tf, indicator):
    response = _import(api, tf, b"\nApprenticeship starts,2027-01,1\n", "mi.csv")
    assert response.status_code == 422
    (row,) = response.get_json()["error"]["rows"]
    assert row["row"] == 1 and "row 1 is blank" in row["message"]


def test_a_header_further_down_than_ten_rows_is_not_looked_for(api, tf, indicator):
    rows = [["Notes"]] + [[f"note {n}"] for n in range(10)] + [HEADER, DATA]
    response = _import(api, tf, _workbook(rows), "mi.xlsx")
    assert response.status_code == 422
    messages = [r["message"] for r in response.get_json()["error"]["rows"]]
    assert any("has no indicator column" in m for m in messages), messages


@pytest.mark.parametrize(
    "cell",
    [datetime(2027, 1, 5), clock(12, 0), timedelta(hours=30)],  # noqa: DTZ001
    ids=["date", "time", "duration"],
)
def test_a_value_cell_formatted_as_a_date_or_time_says_so(api, tf, indicator, cell):
    content = _workbook([HEADER, ["Apprenticeship starts", "2027-01", cell]])
    response = _import(api, tf, content, "mi.xlsx")
    assert response.status_code == 422
    assert response.get_json()["error"]["rows"] == [
        {
            "row": 2,
            "column": "value",
            "message": "the value is a date or time, not a number: "
            "format the cell as a number in Excel",
        }
    ]


def test_date_cells_in_the_period_column_are_the_period_they_fall_in(api, tf, indicator):
    content = _workbook(
        [
            HEADER,
            ["Apprenticeship starts", datetime(2027, 1, 31, 23, 59), 1010],  # noqa: DTZ001
            ["Apprenticeship starts", datetime(2027, 2, 1), 1020],  # noqa: DTZ001
        ]
    )
    response = _import(api, tf, content, "mi.xlsx")
    assert response.status_code == 200, response.get_json()
    series = api.get(f"/indicators/{indicator.id}").get_json()["series"]
    assert [(p["period"], p["actual"]) for p in series] == [
        ("2027-01", 1010),
        ("2027-02", 1020),
    ]


def test_a_number_in_the_period_column_says_it_is_a_number(api, tf, indicator):
    content = _workbook([HEADER, ["Apprenticeship starts", 202701, 1]])
    (row,) = _import(api, tf, content, "mi.xlsx").get_json()["error"]["rows"]
    assert row["column"] == "period"
    assert row["message"] == "Give a period like 2027-03 or a date, not the number 202701"


# Pruning the chart cache


def _cached(key: str, days_old: int) -> None:
    db.session.add(
        ChartImage(
            key=key.ljust(64, "0"),
            content=b"<svg/>",
            created_at=datetime.now(UTC) - timedelta(days=days_old),
        )
    )
    db.session.commit()


def test_prune_deletes_charts_drawn_before_the_cutoff_only(app):
    _cached("old", 31)
    _cached("recent", 29)
    assert charts.prune(older_than_days=30) == 1
    db.session.commit()
    assert [c.key.rstrip("0") for c in db.session.query(ChartImage)] == ["recent"]


def test_a_pruned_chart_is_drawn_again_when_asked_for(api, indicator):
    first = api.get(f"/indicators/{indicator.id}/chart.svg")
    db.session.query(ChartImage).update({"created_at": datetime.now(UTC) - timedelta(days=90)})
    db.session.commit()
    assert charts.prune() == 1
    db.session.commit()
    again = api.get(f"/indicators/{indicator.id}/chart.svg")
    assert again.status_code == 200 and again.data == first.data
    assert db.session.query(ChartImage).count() == 1


def test_the_scheduler_runs_housekeeping_nightly_and_it_prunes_charts(app):
    job = {j.id: j for j in build_scheduler(app).get_jobs()}["housekeeping"]
    assert "hour='3'" in str(job.trigger) and "minute='30'" in str(job.trigger)
    _cached("stale", charts.CACHE_DAYS + 1)
    _cached("fresh", 1)
    in_app(app, housekeeping)()
    assert [c.key.rstrip("0") for c in db.session.query(ChartImage)] == ["fresh"]
