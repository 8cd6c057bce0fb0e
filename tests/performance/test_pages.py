"""The performance pages: dashboard, adding an indicator, recording and importing actuals."""

from __future__ import annotations

import io
from html import unescape

import pytest

from taskforce.extensions import db
from taskforce.performance.models import Actual, Indicator
from tests.conftest import _csrf_from, login


def _add(web, tf, **fields):
    url = f"/taskforces/{tf.id}/indicators/new"
    data = {
        "csrf_token": _csrf_from(web.get(url).get_data(as_text=True)),
        "name": "Apprenticeship starts",
        "unit": "starts",
        "frequency": "monthly",
        "direction": "up",
        "tolerance_pct": "5",
        "priority": "",
        "trajectory": "2027-01, 1000\n2027-02\t1100\n\n2027-03, 1 200\n",
        **fields,
    }
    return web.post(url, data=data)


def test_add_an_indicator_record_actuals_and_see_the_dashboard(web, tf):
    response = _add(web, tf)
    assert response.status_code == 302, response.get_data(as_text=True)
    indicator = db.session.query(Indicator).one()
    assert [(p.period, p.value) for p in indicator.trajectory] == [
        ("2027-01", 1000),
        ("2027-02", 1100),
        ("2027-03", 1200),
    ]
    page = web.get(f"/indicators/{indicator.id}").get_data(as_text=True)
    recorded = web.post(
        f"/indicators/{indicator.id}",
        data={"csrf_token": _csrf_from(page), "actuals": "2027-01, 1010\n2027-02, 1050"},
    )
    assert recorded.status_code == 302
    html = unescape(web.get(f"/taskforces/{tf.id}/performance").get_data(as_text=True))
    assert "Apprenticeship starts" in html and "Feb 2027" in html
    assert "Amber: within tolerance" in html and "Improving" in html
    assert "4.5% worse than trajectory" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"trajectory": "2027-01 1000"}, "Line 1: write a period and a value"),
        ({"trajectory": "2027-01, lots"}, "is not a number"),
        ({"trajectory": "2027-Q1, 5"}, "Line 1: 2027-Q1 is a quarter"),
        ({"frequency": ""}, "Choose how often it is reported"),
        ({"tolerance_pct": "500"}, "Give a percentage from 0 to 100"),
        ({"name": ""}, "Enter the name"),
    ],
)
def test_bad_indicators_are_explained(web, tf, fields, message):
    response = _add(web, tf, **fields)
    html = unescape(response.get_data(as_text=True))
    assert "There is a problem" in html and message in html
    assert db.session.query(Indicator).count() == 0


def test_bad_actuals_on_the_page_change_nothing(web, tf):
    _add(web, tf)
    indicator = db.session.query(Indicator).one()
    page = web.get(f"/indicators/{indicator.id}").get_data(as_text=True)
    response = web.post(
        f"/indicators/{indicator.id}",
        data={"csrf_token": _csrf_from(page), "actuals": "2027-01, 5\n2027-W02, 6"},
    )
    assert response.status_code == 422
    assert "Line 2: 2027-W02 is a week" in unescape(response.get_data(as_text=True))
    assert db.session.query(Actual).count() == 0


def test_import_page_lists_bad_rows_then_imports_the_fixed_file(web, tf):
    _add(web, tf)
    url = f"/taskforces/{tf.id}/actuals/import"
    token = _csrf_from(web.get(url).get_data(as_text=True))
    bad = b"indicator,period,value\nApprenticeship starts,2027-01,10\nNope,2027-02,11\n"
    response = web.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(bad), "mi.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "Rows to correct" in html and "no indicator called 'Nope'" in html
    assert db.session.query(Actual).count() == 0
    good = bad.replace(b"Nope", b"Apprenticeship starts")
    response = web.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(good), "mi.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.query(Actual).count() == 2


def test_members_see_the_dashboard_but_cannot_add(client, make_user, tf, make_taskforce):
    from tests.conftest import member

    tom = make_user("member", email="tom@example.gov.uk")
    mine = make_taskforce(members=[member("Tom", "tom@example.gov.uk")], code="TM")
    login(client, tom)
    assert client.get(f"/taskforces/{mine.id}/performance").status_code == 200
    assert client.get(f"/taskforces/{mine.id}/indicators/new").status_code == 403
    assert client.get(f"/taskforces/{tf.id}/performance").status_code == 403


def test_variance_is_in_words_that_follow_the_direction(web, tf, make_indicator):
    caseload = make_indicator(
        name="Average caseload",
        direction="down",
        trajectory={"2027-01": 100, "2027-02": 100},
        actuals={"2027-01": "96.9", "2027-02": "107.4"},
    )
    dashboard = unescape(web.get(f"/taskforces/{tf.id}/performance").get_data(as_text=True))
    assert "7.4% worse than trajectory" in dashboard and "+7.4%" not in dashboard
    page = unescape(web.get(f"/indicators/{caseload.id}").get_data(as_text=True))
    assert "3.1% better than trajectory" in page and "7.4% worse than trajectory" in page
    # The downloads keep the signed number.
    exported = web.get(f"/taskforces/{tf.id}/export/indicators.csv").get_data(as_text=True)
    assert ",7.4," in exported and ",-3.1," in exported


@pytest.mark.parametrize("page", ["indicators/new", "assessments/new", "risks/new"])
def test_pages_to_add_things_warn_of_no_conflict(web, tf, page):
    html = web.get(f"/taskforces/{tf.id}/{page}").get_data(as_text=True)
    assert "Someone else saved a change" not in html
