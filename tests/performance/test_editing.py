"""Changing what is recorded: indicators (replanned, retired) and assessments, through the
API and on the web. Old values stay in the history and a change made from an out-of-date
copy is refused, never written over the newer one. The registers' own are in
tests/registers/test_editing.py."""

from __future__ import annotations

import re
from html import unescape

import pytest

from taskforce.audit.models import AuditEvent
from taskforce.extensions import db
from taskforce.performance.models import Indicator
from tests.conftest import TF_PRIORITIES, _csrf_from
from tests.pages import form_fields


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(
        name="Starts", trajectory={"2027-01": 1000, "2027-02": 1100, "2027-03": 1200}
    )


def _events(action: str) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


# Indicators ---------------------------------------------------------------------------


def test_replanning_replaces_the_trajectory_and_the_history_keeps_the_old_plan(api, indicator):
    url = f"/indicators/{indicator.id}"
    version = indicator.version  # read before the change: the row reloads after each request
    changed = api.patch(
        url,
        {
            "version": version,
            "name": "Apprenticeship starts",
            "tolerance_pct": 7.5,
            "trajectory": [
                {"period": "2027-02", "value": 1150},
                {"period": "2027-03", "value": 1200},
                {"period": "2027-04", "value": 1300},
            ],
        },
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["name"] == "Apprenticeship starts" and body["tolerance_pct"] == 7.5
    assert [(p["period"], p["trajectory"]) for p in body["series"]] == [
        ("2027-02", 1150),
        ("2027-03", 1200),
        ("2027-04", 1300),
    ]
    assert body["version"] > version
    (event,) = _events("indicator.updated")
    assert event.changes["trajectory"] == [
        ["2027-01 1000", "2027-02 1100", "2027-03 1200"],
        ["2027-02 1150", "2027-03 1200", "2027-04 1300"],
    ]
    assert event.changes["name"] == ["Starts", "Apprenticeship starts"]
    assert event.changes["tolerance_pct"] == ["5", "7.5"]


def test_a_replan_alone_moves_the_version_on(api, indicator):
    url = f"/indicators/{indicator.id}"
    first = api.patch(url, {"version": 1, "trajectory": [{"period": "2027-01", "value": 1}]})
    assert first.get_json()["version"] == 2
    stale = api.patch(url, {"version": 1, "trajectory": [{"period": "2027-01", "value": 2}]})
    assert stale.status_code == 409
    assert api.get(url).get_json()["series"][0]["trajectory"] == 1


def test_a_stale_change_is_refused_and_changes_nothing(api, indicator):
    url = f"/indicators/{indicator.id}"
    assert api.patch(url, {"version": 1, "unit": "people"}).status_code == 200
    stale = api.patch(url, {"version": 1, "unit": "learners"})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    assert api.get(url).get_json()["unit"] == "people"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"direction": "sideways"}, "direction"),
        ({"priority": "Not one of ours"}, "priority"),
        ({"tolerance_pct": 101}, "tolerance_pct"),
        ({"trajectory": [{"period": "2027-Q1", "value": 5}]}, "trajectory.0.period"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_changes_are_refused_field_by_field(api, indicator, body, field):
    response = api.patch(f"/indicators/{indicator.id}", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert api.get(f"/indicators/{indicator.id}").get_json()["version"] == 1


def test_a_rename_onto_another_indicator_is_refused(api, tf, indicator):
    other = api.post(
        f"/taskforces/{tf.id}/indicators",
        {"name": "Completions", "frequency": "monthly", "direction": "up"},
    ).get_json()
    response = api.patch(f"/indicators/{other['id']}", {"name": "Starts"})
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]


def test_priority_set_and_cleared(api, indicator):
    url = f"/indicators/{indicator.id}"
    assert api.patch(url, {"priority": "Youth guarantee"}).get_json()["priority"] == (
        "Youth guarantee"
    )
    assert api.patch(url, {"priority": None}).get_json()["priority"] is None


def test_frequency_is_fixed_once_actuals_exist(api, indicator):
    url = f"/indicators/{indicator.id}"
    quarterly = [{"period": "2027-Q1", "value": 3300}]
    before_actuals = api.patch(url, {"frequency": "quarterly", "trajectory": quarterly})
    assert before_actuals.status_code == 200, before_actuals.get_json()
    api.post(f"{url}/actuals", [{"period": "2027-Q1", "value": 3000}])
    refused = api.patch(url, {"frequency": "monthly", "trajectory": []})
    assert refused.status_code == 422
    assert "frequency" in refused.get_json()["error"]["fields"]
    assert api.get(url).get_json()["frequency"] == "quarterly"


def test_a_retired_indicator_takes_no_actuals_until_reinstated(api, indicator):
    url = f"/indicators/{indicator.id}"
    retired = api.patch(url, {"retired": True})
    assert retired.status_code == 200 and retired.get_json()["retired_at"]
    refused = api.post(f"{url}/actuals", [{"period": "2027-01", "value": 990}])
    assert refused.status_code == 409
    assert "retired" in refused.get_json()["error"]["message"]
    csv = b"indicator,period,value\nStarts,2027-01,990\n"
    imported = api.upload(f"/taskforces/{indicator.taskforce_id}/actuals/import", csv, "a.csv")
    assert imported.status_code == 422
    assert imported.get_json()["error"]["rows"] == [
        {"row": 2, "column": "indicator", "message": "Starts is retired: reinstate it first"}
    ]
    assert api.patch(url, {"retired": False}).get_json()["retired_at"] is None
    assert api.post(f"{url}/actuals", [{"period": "2027-01", "value": 990}]).status_code == 200


def test_members_cannot_change_indicators(api_for, make_user, tf, indicator):
    outsider = api_for(make_user("member", email="outsider@example.gov.uk"))
    assert outsider.patch(f"/indicators/{indicator.id}", {"unit": "x"}).status_code == 403
    assert db.session.get(Indicator, indicator.id).unit == "starts"


# Assessments ----------------------------------------------------------------------------


def test_an_assessment_is_corrected_but_not_onto_another_date_taken(api, tf):
    def assess(on):
        return api.post(
            f"/taskforces/{tf.id}/assessments",
            {
                "priority": TF_PRIORITIES[0],
                "assessed_on": on,
                "degree_of_challenge": "H",
                "quality_of_planning": "AG",
                "capacity_to_drive_progress": "AR",
                "stage_of_delivery": 2,
                "likelihood_of_delivery": "AR",
            },
        ).get_json()

    first, second = assess("2027-01-05"), assess("2027-03-01")
    corrected = api.patch(f"/assessments/{first['id']}", {"likelihood_of_delivery": "AG"})
    assert corrected.status_code == 200 and corrected.get_json()["likelihood_of_delivery"] == "AG"
    clash = api.patch(f"/assessments/{second['id']}", {"assessed_on": "2027-01-05"})
    assert clash.status_code == 422 and "assessed_on" in clash.get_json()["error"]["fields"]
    assert api.get(f"/assessments/{second['id']}").get_json()["assessed_on"] == "2027-03-01"


# On the web -----------------------------------------------------------------------------


def test_the_edit_page_is_filled_in_and_a_stale_save_is_shown_not_applied(web, api, indicator):
    url = f"/indicators/{indicator.id}/edit"
    page = web.get(url)
    assert page.status_code == 200
    form = form_fields(page.text)
    assert form["name"] == "Starts" and form["version"] == "1"
    assert "2027-02, 1100" in form["trajectory"]

    api.patch(f"/indicators/{indicator.id}", {"source": "Monthly MI return"})  # meanwhile
    mine = {**form, "priority": ""}
    mine["trajectory"] = "2027-01, 1000\n2027-02, 1125\n2027-03, 1200"
    stale = web.post(url, data=mine)
    assert stale.status_code == 409
    assert "Someone else saved a change" in stale.text
    assert "1125" in stale.text  # the user's values are still in the form
    assert db.session.get(Indicator, indicator.id).trajectory[1].value == 1100
    differences = unescape(stale.text[stale.text.index("Where your form differs") :])
    differences = differences[: differences.index("</table>")]
    assert "Source" in differences and "Monthly MI return" in differences
    assert "Trajectory" in differences and "Name" not in differences

    refilled = {
        **mine,
        "source": "Monthly MI return",
        "version": form_fields(stale.text)["version"],
    }
    again = web.post(url, data=refilled)
    assert again.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Indicator, indicator.id)
    assert saved.trajectory[1].value == 1125 and saved.source == "Monthly MI return"
    shown = web.get(f"/indicators/{indicator.id}").text
    assert "Changes to the indicator" in shown and "2027-02 1100" in shown


def test_an_edit_with_a_bad_line_names_the_line(web, indicator):
    url = f"/indicators/{indicator.id}/edit"
    form = {**form_fields(web.get(url).text), "priority": ""}
    response = web.post(url, data={**form, "trajectory": "2027-01, 1000\n2027-Q2, 5"})
    assert response.status_code == 422
    assert "Line 2:" in unescape(response.text)


def test_retiring_on_the_web_moves_the_indicator_off_the_dashboard(web, tf, indicator):
    page = web.get(f"/indicators/{indicator.id}/retire").text
    response = web.post(
        f"/indicators/{indicator.id}/retire",
        data={"csrf_token": _csrf_from(page), "retire": "yes", "version": "1", "confirm": "yes"},
    )
    assert response.status_code == 302
    dashboard = web.get(f"/taskforces/{tf.id}/performance").text
    assert "Retired indicators (1)" in dashboard and "No indicators in use." in dashboard
    page = web.get(f"/indicators/{indicator.id}").text
    assert "Reinstate the indicator" in page and "Record the actuals" not in page


def test_the_dashboard_draws_a_sparkline_for_each_indicator_with_a_series(web, api, tf, indicator):
    api.post(
        f"/indicators/{indicator.id}/actuals",
        [{"period": "2027-01", "value": 990}, {"period": "2027-02", "value": 900}],
    )
    html = web.get(f"/taskforces/{tf.id}/performance").text
    (svg,) = re.findall(r'<svg class="tf-sparkline".*?</svg>', html, re.S)
    assert svg.count("<polyline") == 2
    assert 'fill="#d4351c"' in svg  # the latest actual, 900 against 1100, is red
    assert "style=" not in svg  # the CSP refuses style attributes


# Found in review ----------------------------------------------------------------------------


def test_a_priority_retired_since_it_was_chosen_survives_other_edits(web, api, tf, indicator):
    url = f"/indicators/{indicator.id}"
    api.patch(url, {"priority": "Youth guarantee"})
    api.patch(f"/taskforces/{tf.id}", {"priorities": ["Apprenticeship starts"]})
    unchanged = api.patch(url, {"priority": "Youth guarantee", "unit": "people"})
    assert unchanged.status_code == 200, unchanged.get_json()
    moved = api.patch(url, {"priority": "No such priority"})
    assert moved.status_code == 422

    page = web.get(f"{url}/edit").text
    assert 'value="Youth guarantee" selected' in page
    form = {**form_fields(page), "priority": "Youth guarantee", "owner": "Delivery Unit"}
    assert web.post(f"{url}/edit", data=form).status_code == 302
    assert api.get(url).get_json()["priority"] == "Youth guarantee"


def test_an_assessment_of_a_retired_priority_can_still_be_corrected(web, api, tf):
    created = api.post(
        f"/taskforces/{tf.id}/assessments",
        {
            "priority": "Youth guarantee",
            "assessed_on": "2027-01-05",
            "degree_of_challenge": "H",
            "quality_of_planning": "AG",
            "capacity_to_drive_progress": "AR",
            "stage_of_delivery": 2,
            "likelihood_of_delivery": "AR",
        },
    ).get_json()
    api.patch(f"/taskforces/{tf.id}", {"priorities": ["Apprenticeship starts"]})
    url = f"/assessments/{created['id']}"
    round_trip = api.patch(url, {"priority": "Youth guarantee", "rationale": "Corrected"})
    assert round_trip.status_code == 200, round_trip.get_json()
    form = {
        **form_fields(web.get(url).text),
        "priority": "Youth guarantee",
        "assessed_on": "2027-01-05",
        "stage_of_delivery": "3",
    }
    assert web.post(url, data=form).status_code == 302
    assert api.get(url).get_json()["stage_of_delivery"] == 3


def test_actuals_typed_on_a_page_opened_before_retirement_are_refused_with_a_reason(
    web, api, indicator
):
    url = f"/indicators/{indicator.id}"
    token = _csrf_from(web.get(url).text)
    api.patch(url, {"retired": True})
    response = web.post(url, data={"csrf_token": token, "actuals": "2027-01, 990"})
    assert response.status_code == 422
    assert "is retired" in unescape(response.text)


@pytest.mark.parametrize("name", ["STARTS", " starts ", "Starts  "])
def test_names_that_differ_only_in_case_or_spacing_are_the_same_name(api, tf, indicator, name):
    other = api.post(
        f"/taskforces/{tf.id}/indicators",
        {"name": "Leavers", "frequency": "monthly", "direction": "down"},
    ).get_json()
    assert api.patch(f"/indicators/{other['id']}", {"name": name}).status_code == 422
    again = api.post(
        f"/taskforces/{tf.id}/indicators", {"name": name, "frequency": "monthly", "direction": "up"}
    )
    assert again.status_code == 422
    # The indicator itself may change the case of its own name.
    renamed = api.patch(f"/indicators/{indicator.id}", {"name": "STARTS"})
    assert renamed.status_code == 200


def test_an_edit_form_without_a_trajectory_box_leaves_the_plan_alone(web, api, indicator):
    url = f"/indicators/{indicator.id}/edit"
    form = {**form_fields(web.get(url).text), "priority": "", "owner": "Delivery Unit"}
    del form["trajectory"]
    assert web.post(url, data=form).status_code == 302
    assert len(api.get(f"/indicators/{indicator.id}").get_json()["series"]) == 3


def test_the_conflict_table_lists_only_real_differences(web, api, tf, indicator):
    url = f"/indicators/{indicator.id}/edit"
    form = {**form_fields(web.get(url).text), "priority": ""}
    api.patch(f"/indicators/{indicator.id}", {"owner": "Delivery Unit"})
    stale = web.post(url, data=form)
    assert stale.status_code == 409
    table = unescape(stale.text[stale.text.index("Where your form differs") :])
    table = table[: table.index("</table>")]
    assert re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', table) == [
        "Owner (optional)"
    ]


def test_a_value_stored_under_an_older_rule_does_not_block_other_changes(web, api, indicator):
    from decimal import Decimal

    from taskforce.performance.models import TrajectoryPoint

    point = db.session.query(TrajectoryPoint).filter_by(period="2027-01").one()
    point.value = Decimal("123456789012.123456")  # 18 significant digits: allowed before
    db.session.commit()
    url = f"/indicators/{indicator.id}/edit"
    form = {**form_fields(web.get(url).text), "priority": "", "unit": "learners"}
    assert web.post(url, data=form).status_code == 302
    assert api.get(f"/indicators/{indicator.id}").get_json()["unit"] == "learners"
    new = {"period": "2027-05", "value": "123456789012.123456"}
    refused = api.patch(f"/indicators/{indicator.id}", {"trajectory": [new]})
    assert refused.status_code == 422  # a new value meets today's rule


def test_a_new_frequency_needs_the_trajectory_in_its_periods(api, indicator):
    response = api.patch(f"/indicators/{indicator.id}", {"frequency": "weekly"})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["frequency"]


# Found in the second review --------------------------------------------------------------


def test_recording_actuals_leaves_the_indicator_version_alone(api, indicator):
    url = f"/indicators/{indicator.id}"
    api.post(f"{url}/actuals", [{"period": "2027-01", "value": 990}])
    api.post(f"{url}/actuals", [{"period": "2027-02", "value": 1090}])  # another recorder
    assert api.get(url).get_json()["version"] == 1
    assert api.patch(url, {"version": 1, "owner": "Delivery Unit"}).status_code == 200


def test_a_live_priority_wins_over_a_retired_one_of_the_same_title(web, api, tf, indicator):
    url = f"/indicators/{indicator.id}"
    api.patch(url, {"priority": "Youth guarantee"})
    api.patch(f"/taskforces/{tf.id}", {"priorities": ["Apprenticeship starts"]})
    api.patch(f"/taskforces/{tf.id}", {"priorities": ["Apprenticeship starts", "Youth guarantee"]})
    api.patch(url, {"priority": "Youth guarantee", "unit": "people"})
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).priority.retired_at is None
    page = web.get(f"{url}/edit").text
    assert page.count('value="Youth guarantee"') == 1


def test_retiring_without_a_version_is_refused(web, api, indicator):
    url = f"/indicators/{indicator.id}"
    token = _csrf_from(web.get(url).text)
    response = web.post(
        f"{url}/retire", data={"csrf_token": token, "retire": "yes", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert api.get(url).get_json()["retired_at"] is None
    assert "did not say which version" in unescape(web.get(url).text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e999999999999", "is too large"),
        ("1E-999999999", "has more than 6 decimal places"),
        ("0.000000", None),
        ("9999999999999.999", "has more than 15 significant digits"),
        ("100000000000000", "is too large"),
    ],
)
def test_extreme_values_are_judged_without_arithmetic(web, indicator, value, message):
    url = f"/indicators/{indicator.id}"
    response = web.post(
        url, data={"csrf_token": _csrf_from(web.get(url).text), "actuals": f"2027-01, {value}"}
    )
    if message is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 422
        assert f"Line 1: the value {message}" in unescape(response.text)


def test_switches_are_described_as_not_nullable(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["IndicatorChange"]["properties"]["retired"]["type"] == "boolean"
    assert schemas["RiskChange"]["properties"]["closed"]["type"] == "boolean"
    assert "anyOf" in schemas["RiskChange"]["properties"]["review_on"]  # null empties it


def test_actuals_wait_for_a_retirement_in_progress_and_are_then_refused(app, indicator):
    """PostgreSQL row locks: SQLite has a single writer and needs none."""
    import threading

    from taskforce.audit.services import Actor
    from taskforce.errors import Conflict
    from taskforce.performance import services

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer and ignores FOR UPDATE: nothing to lock")
    retiring, release, outcome = threading.Event(), threading.Event(), {}
    actor = Actor.system("api", "Test")
    indicator_id = indicator.id

    def retire():
        with app.app_context():
            services.update_indicator(
                db.session.get(Indicator, indicator_id), {"retired": True}, actor
            )
            retiring.set()
            release.wait(10)
            db.session.commit()
            db.session.remove()

    def record():
        with app.app_context():
            target = db.session.get(Indicator, indicator_id)
            try:
                services.record_actuals(target, {"2027-01": 990}, actor)
                db.session.commit()
                outcome["result"] = "recorded"
            except Conflict as error:
                outcome["result"] = error.message
            db.session.remove()

    first = threading.Thread(target=retire)
    first.start()
    assert retiring.wait(10)
    second = threading.Thread(target=record)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # queued behind the retirement's lock
    release.set()
    first.join(10)
    second.join(10)
    assert "is retired" in outcome["result"]
    db.session.expire_all()
    assert db.session.get(Indicator, indicator_id).actuals == []
