"""Every CSV and Excel download, as the person downloading it gets it, against a snapshot.

Everything here goes through HTTP: the data is entered through the JSON API and the files
are downloaded from the pages' own URLs by a signed-in secretariat user, so these tests do
not depend on how the app is arranged inside. Each download becomes readable text
(tests/readable.py: for CSV the file's lines, for Excel each cell's value, type and number
format) and is compared with the file of the same name in
__snapshots__/test_export_snapshots/. After a deliberate change, rewrite them with
`pytest tests/test_export_snapshots.py --snapshot-update` and review the diff.

Dates in the data are fixed and never today, so that the only values of the day (the date
in the file name, a risk closed today, the "Last updated" moment) become placeholders.
Datetimes in the wire format of a CSV keep their precision; a time of the run is replaced.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import member
from tests.readable import csv_download, xlsx_download

FORMATS = ["csv", "xlsx"]


def today():
    return datetime.now(ZoneInfo("Europe/London")).date()


@pytest.fixture(autouse=True)
def _uk_time(app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "Europe/London")


@pytest.fixture
def board(make_taskforce, secretariat):
    return make_taskforce(
        by=secretariat,
        name="Skills and Work Task Force",
        code="SW",
        priorities=["More apprenticeship starts", "Fewer vacancies in social care"],
        members=[member("Nia Roberts", "nia.roberts@example.gov.uk", "minister", is_chair=True)],
    )


def created(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def changed(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def download(web, url: str, fmt: str) -> str:
    response = web.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    day = today()
    if fmt == "csv":
        return csv_download(response, day)
    return xlsx_download(response, day)


# --- The action tracker -------------------------------------------------------------------


@pytest.fixture
def actions(api, board, make_taskforce, secretariat) -> None:
    """Actions in every state, with due dates long past or far off (never today)."""

    def allocate(description, owner_name, owner_email, due, tf=board, organisation="DfE"):
        return created(
            api.post(
                "/actions",
                {
                    "taskforce_id": tf.id,
                    "description": description,
                    "owner_name": owner_name,
                    "owner_email": owner_email,
                    "owner_organisation": organisation,
                    "due_date": due,
                },
            )
        )

    allocate("Draft the employer survey", "Ana Lopes", "ana.lopes@example.gov.uk", "2025-01-15")
    started = allocate(
        "=SUM(A1:A3) looks like a formula", "Siân Llŷr", "sian@example.gov.uk", "2090-06-30"
    )
    changed(api.patch(f"/actions/{started['id']}", {"status": "in_progress"}))
    done = allocate(
        "Cost the apprenticeship pilot, with options",
        "Ben Clarke",
        "ben@example.gov.uk",
        "2025-02-03",
    )
    changed(api.patch(f"/actions/{done['id']}", {"status": "complete"}))
    closed = allocate(
        "Map the regional colleges", "Ana Lopes", "ana.lopes@example.gov.uk", "2025-03-03"
    )
    changed(api.patch(f"/actions/{closed['id']}", {"status": "closed"}))
    dropped = allocate("Write to every college", "Ben Clarke", "ben@example.gov.uk", "2025-04-01")
    changed(api.patch(f"/actions/{dropped['id']}", {"status": "dropped", "comment": "Overtaken"}))
    other = make_taskforce(by=secretariat, name="Housing Task Force", code="HT")
    allocate("Count the empty homes", "Cara Nwosu", "cara@example.gov.uk", "2025-05-06", tf=other)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_tracker_download_lists_each_action_of_the_task_force(
    web, board, actions, fmt, snapshot_text
):
    url = f"/taskforces/{board.id}/actions/export.{fmt}"
    assert download(web, url, fmt) == snapshot_text


def test_the_tracker_download_across_task_forces_holds_only_what_the_filters_select(
    web, actions, snapshot_text
):
    assert download(web, "/actions/export.csv?overdue=y", "csv") == snapshot_text


# --- Performance data and registers -------------------------------------------------------


@pytest.fixture
def indicators(api, board) -> None:
    starts = created(
        api.post(
            f"/taskforces/{board.id}/indicators",
            {
                "name": "Apprenticeship starts",
                "unit": "starts",
                "frequency": "monthly",
                "direction": "up",
                "tolerance_pct": 5,
                "source": "DfE management information",
                "owner": "Ana Lopes",
                "priority": "More apprenticeship starts",
                "trajectory": [
                    {"period": "2025-01", "value": 1000},
                    {"period": "2025-02", "value": 1100},
                    {"period": "2025-03", "value": 1200},
                    {"period": "2025-04", "value": 1300},
                ],
            },
        )
    )
    api.post(
        f"/indicators/{starts['id']}/actuals",
        [
            {"period": "2025-01", "value": 1000},
            {"period": "2025-02", "value": "1050.5"},
            {"period": "2025-03", "value": 1000},
        ],
    )
    vacancies = created(
        api.post(
            f"/taskforces/{board.id}/indicators",
            {
                "name": "@Vacancies in social care",
                "unit": "%",
                "frequency": "quarterly",
                "direction": "down",
                "priority": "Fewer vacancies in social care",
                "trajectory": [{"period": "2025-Q1", "value": "9.5"}],
            },
        )
    )
    api.post(f"/indicators/{vacancies['id']}/actuals", [{"period": "2025-Q1", "value": "9.1"}])
    retired = created(
        api.post(
            f"/taskforces/{board.id}/indicators",
            {"name": "Old measure", "frequency": "weekly", "direction": "up"},
        )
    )
    api.post(f"/indicators/{retired['id']}/actuals", [{"period": "2025-W05", "value": 3}])
    changed(api.patch(f"/indicators/{retired['id']}", {"retired": True}))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_indicators_download_has_a_row_per_period_with_its_rag_and_trend(
    web, board, indicators, fmt, snapshot_text
):
    url = f"/taskforces/{board.id}/export/indicators.{fmt}"
    assert download(web, url, fmt) == snapshot_text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_assessments_download_has_one_row_per_priority_and_date(
    web, api, board, fmt, snapshot_text
):
    for priority, day, rating in (
        ("More apprenticeship starts", "2025-01-31", "AG"),
        ("More apprenticeship starts", "2025-04-30", "AR"),
        ("Fewer vacancies in social care", "2025-01-31", "R"),
    ):
        created(
            api.post(
                f"/taskforces/{board.id}/assessments",
                {
                    "priority": priority,
                    "assessed_on": day,
                    "degree_of_challenge": "H",
                    "quality_of_planning": "AG",
                    "capacity_to_drive_progress": "G",
                    "stage_of_delivery": 2,
                    "likelihood_of_delivery": rating,
                    "rationale": "Recruitment is behind plan.\nEmployers report shortages.",
                },
            )
        )
    url = f"/taskforces/{board.id}/export/assessments.{fmt}"
    assert download(web, url, fmt) == snapshot_text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_risk_register_download_lists_open_risks_then_closed_ones(
    web, api, board, fmt, snapshot_text
):
    closed = created(
        api.post(
            f"/taskforces/{board.id}/risks",
            {"ref": "R1", "description": "Pilot slips", "likelihood": "Low", "impact": "Low"},
        )
    )
    changed(api.patch(f"/risks/{closed['id']}", {"closed": True}))
    created(
        api.post(
            f"/taskforces/{board.id}/risks",
            {
                "ref": "R2",
                "description": "+Employers do not take part",
                "likelihood": "High",
                "impact": "Medium",
                "impact_statement": "Fewer starts than planned",
                "mitigation": "Ministerial letters to the largest employers",
                "owner": "Ana Lopes",
                "review_on": "2025-06-30",
                "trend": "rising",
            },
        )
    )
    url = f"/taskforces/{board.id}/export/risks.{fmt}"
    assert download(web, url, fmt) == snapshot_text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_benefits_download_keeps_baselines_and_targets_as_typed(
    web, api, board, fmt, snapshot_text
):
    created(
        api.post(
            f"/taskforces/{board.id}/benefits",
            {
                "benefit": "More people in skilled work",
                "measure": "Starts completed",
                "baseline": "12,000",
                "target": "15,000 by 2027",
                "realised": "-",
                "owner": "Ana Lopes",
            },
        )
    )
    url = f"/taskforces/{board.id}/export/benefits.{fmt}"
    assert download(web, url, fmt) == snapshot_text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_milestones_download_names_each_status(web, api, board, fmt, snapshot_text):
    for activity, starts, ends, status in (
        ("Launch the pilot", "2025-01-06", "2025-03-31", "complete"),
        ("Evaluate the pilot", None, "2025-09-30", "at_risk"),
    ):
        created(
            api.post(
                f"/taskforces/{board.id}/milestones",
                {
                    "activity": activity,
                    "starts_on": starts,
                    "ends_on": ends,
                    "status": status,
                    "owner": "Ben Clarke",
                },
            )
        )
    url = f"/taskforces/{board.id}/export/milestones.{fmt}"
    assert download(web, url, fmt) == snapshot_text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_decisions_download_gives_the_meeting_each_was_taken_at(
    web, api, board, fmt, snapshot_text
):
    [meeting] = created(
        api.post(
            f"/taskforces/{board.id}/schedule",
            {"first_start": "2025-01-14T10:00:00", "count": 1, "record_history": True},
        )
    )["items"]
    created(
        api.post(
            f"/taskforces/{board.id}/decisions",
            {
                "decided_on": "2025-01-14",
                "text": "Agreed the pilot",
                "meeting_id": meeting["id"],
            },
        )
    )
    created(
        api.post(
            f"/taskforces/{board.id}/decisions",
            {"decided_on": "2025-02-03", "text": "Agreed by correspondence: the survey goes out"},
        )
    )
    url = f"/taskforces/{board.id}/export/decisions.{fmt}"
    assert download(web, url, fmt) == snapshot_text
