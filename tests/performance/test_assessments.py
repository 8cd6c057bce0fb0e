"""Delivery assessments across dates, and what the dashboard shows of them and of red risks."""

from __future__ import annotations

import re
from html import unescape

import pytest

from taskforce.extensions import db
from taskforce.performance.models import Assessment
from tests.conftest import TF_PRIORITIES, _csrf_from

#: tf's two priorities and a third, so that the grid has three rows.
PRIORITIES = [*TF_PRIORITIES, "Work coach caseloads"]


def _assess(api, tf, title, on, likelihood, **kw):
    return api.post(
        f"/taskforces/{tf.id}/assessments",
        {
            "priority": title,
            "assessed_on": on,
            "degree_of_challenge": "H",
            "quality_of_planning": "AG",
            "capacity_to_drive_progress": "AR",
            "stage_of_delivery": 2,
            "likelihood_of_delivery": likelihood,
            "rationale": "Plans agreed; delivery capacity thin in two regions.",
            **kw,
        },
    )


def test_the_grid_shows_each_priority_across_three_assessment_dates(api, tf, web):
    assert api.patch(f"/taskforces/{tf.id}", {"priorities": PRIORITIES}).status_code == 200
    plan = {
        "2026-12-01": ["AR", "R", "AG"],
        "2027-07-01": ["AG", "AR", "AG"],
        "2027-12-01": ["G", "AR", "G"],
    }
    for on, ratings in plan.items():
        for priority, rating in zip(PRIORITIES, ratings, strict=True):
            assert _assess(api, tf, priority, on, rating).status_code == 201
    items = api.get(f"/taskforces/{tf.id}/assessments").get_json()["items"]
    assert len(items) == 9 and items[0]["assessed_on"] == "2026-12-01"
    html = unescape(web.get(f"/taskforces/{tf.id}/assessments").get_data(as_text=True))
    assert html.index("Dec 2026") < html.index("Jul 2027") < html.index("Dec 2027")
    row = html[html.index("Youth guarantee</th>") :]
    row = row[: row.index("</tr>")]
    tags = re.findall(r'govuk-tag--[a-z]+">\s*([^<]+?)\s*<', row)
    # Each cell: the likelihood, then the detail's challenge, planning and capacity.
    assert tags[::4] == ["Red", "Amber/Red", "Amber/Red"]
    assert tags[1:4] == ["High", "Amber/Green", "Amber/Red"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "Not ours"}, "priority"),
        ({"degree_of_challenge": "X"}, "degree_of_challenge"),
        ({"quality_of_planning": "Amber"}, "quality_of_planning"),
        ({"stage_of_delivery": 5}, "stage_of_delivery"),
        ({"stage_of_delivery": "2"}, "stage_of_delivery"),
        ({"assessed_on": "1999-01-01"}, "assessed_on"),
    ],
)
def test_bad_assessments_are_refused(api, tf, body, field):
    response = _assess(api, tf, PRIORITIES[0], "2027-01-05", "G", **body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.query(Assessment).count() == 0


def test_one_assessment_per_priority_per_date(api, tf):
    assert _assess(api, tf, PRIORITIES[0], "2027-01-05", "G").status_code == 201
    again = _assess(api, tf, PRIORITIES[0], "2027-01-05", "R")
    assert again.status_code == 422 and "assessed_on" in again.get_json()["error"]["fields"]


def test_web_forms_for_assessments_and_risks(web, tf):
    url = f"/taskforces/{tf.id}/assessments/new"
    token = _csrf_from(web.get(url).get_data(as_text=True))
    empty = web.post(url, data={"csrf_token": token})
    assert "Choose the degree of challenge" in unescape(empty.get_data(as_text=True))
    done = web.post(
        url,
        data={
            "csrf_token": token,
            "priority": PRIORITIES[1],
            "assessed_on": ["1", "12", "2026"],
            "degree_of_challenge": "H",
            "quality_of_planning": "AR",
            "capacity_to_drive_progress": "AR",
            "stage_of_delivery": "1",
            "likelihood_of_delivery": "R",
        },
    )
    assert done.status_code == 302
    url = f"/taskforces/{tf.id}/risks/new"
    token = _csrf_from(web.get(url).get_data(as_text=True))
    done = web.post(
        url,
        data={
            "csrf_token": token,
            "ref": "R01",
            "description": "Assessor shortage",
            "likelihood": "High",
            "impact": "Medium",
        },
    )
    assert done.status_code == 302
    html = unescape(web.get(f"/taskforces/{tf.id}/performance").get_data(as_text=True))
    assert "Likelihood of delivery" in html and "Youth guarantee" in html
    assert "Red risks" in html and "R01" in html
