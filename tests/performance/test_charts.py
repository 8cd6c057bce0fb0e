"""Trajectory charts: drawn once per set of data, described in words."""

from __future__ import annotations

from html import escape

import matplotlib
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from taskforce.extensions import db
from taskforce.performance import charts
from taskforce.performance.models import ChartImage


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(
        name="Apprenticeship starts",
        trajectory={f"2027-{m:02d}": 1000 + 50 * m for m in range(1, 7)},
        actuals={"2027-01": 1040, "2027-02": 1080},
    )


def test_a_chart_is_drawn_once_until_its_data_changes(api, indicator, monkeypatch):
    drawn = []
    real = charts.draw
    monkeypatch.setattr(charts, "draw", lambda d: drawn.append(1) or real(d))
    first = api.get(f"/indicators/{indicator.id}/chart.svg")
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    assert b"<svg" in first.data and b"Apprenticeship starts" in first.data
    second = api.get(f"/indicators/{indicator.id}/chart.svg")
    assert second.data == first.data
    assert len(drawn) == 1  # the cache answered the second time
    api.post(f"/indicators/{indicator.id}/actuals", [{"period": "2027-03", "value": 1100}])
    third = api.get(f"/indicators/{indicator.id}/chart.svg")
    assert len(drawn) == 2 and third.data != first.data
    png = api.get(f"/indicators/{indicator.id}/chart.png")
    assert png.data.startswith(b"\x89PNG")
    assert db.session.query(ChartImage).count() == 3


def test_the_chart_is_described_in_words(api, indicator):
    response = api.get(f"/indicators/{indicator.id}/chart.svg")
    description = response.headers["X-Chart-Description"]
    assert description == (
        "Apprenticeship starts, monthly, Jan 2027 to Jun 2027. The trajectory goes from "
        "1,050 starts to a target of 1,300 starts in Jun 2027. The latest actual is 1,080 "
        "starts in Feb 2027 against a trajectory of 1,100 starts: amber, improving."
    )


def test_the_indicator_page_shows_the_chart_with_its_text(web, indicator):
    html = web.get(f"/indicators/{indicator.id}").get_data(as_text=True)
    assert f'src="/indicators/{indicator.id}/chart.svg"' in html
    assert "The latest actual is 1,080 starts in Feb 2027" in html
    assert web.get(f"/indicators/{indicator.id}/chart.svg").status_code == 200


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


# Names and units are the secretariat's words: matplotlib must never read them as mathtext,
# where "$...$" is a formula ("$m and $" typeset in italics) and a bad one is an error (a 500).
PLAIN_TEXT = [
    ("Cost in $ and $x^2$", "$"),
    ("Spend in $m and $bn", "\\$"),
    ("Share $\\frac{$ met", "50%"),
    ("Odd _{}^ marks", "$^$"),
]


@pytest.mark.parametrize(("name", "unit"), PLAIN_TEXT)
def test_names_and_units_with_dollars_are_drawn_as_plain_text(api, make_indicator, name, unit):
    indicator = make_indicator(
        name=name,
        unit=unit,
        trajectory={"2027-01": 100, "2027-02": 101},
        actuals={"2027-01": 90},
    )
    svg = api.get(f"/indicators/{indicator.id}/chart.svg")
    assert svg.status_code == 200
    text = svg.get_data(as_text=True)
    assert f">{escape(name)}</text>" in text  # the title as one plain text, as typed
    assert f">{escape(unit)}</text>" in text  # and the unit on the axis
    assert ">Target 101</text>" in text
    png = api.get(f"/indicators/{indicator.id}/chart.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    description = svg.headers["X-Chart-Description"]
    assert description.startswith(f"{name}, monthly, Jan 2027 to Feb 2027.")
    assert f"The latest actual is 90 {unit} in Jan 2027" in description


def test_every_text_on_a_chart_is_plain_text_even_tick_labels_made_while_saving(monkeypatch):
    seen = []

    class Spy(Figure):
        def savefig(self, *args, **kwargs):
            super().savefig(*args, **kwargs)
            seen.extend(self.findobj(Text))

    monkeypatch.setattr(charts, "Figure", Spy)
    with matplotlib.rc_context({"text.parse_math": True}):  # as if something else set it
        for fmt in ("svg", "png"):
            charts.draw(
                {
                    "format": fmt,
                    "name": "$x^2$",
                    "unit": "$",
                    "points": [["Jan 2027", 100.0, 90.0, "red"], ["Feb 2027", 101.0, 95, None]],
                }
            )
    assert len(seen) > 10
    assert [t.get_text() for t in seen if t.get_parse_math()] == []
