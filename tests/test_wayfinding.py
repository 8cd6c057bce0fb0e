"""Finding one's way: breadcrumbs start at "Task forces", and the tracker's counts and the
dashboard's red risks lead to what they count."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from taskforce.clock import today
from taskforce.extensions import db


def breadcrumbs(html: str) -> list[tuple[str, str | None]]:
    """Each crumb's text and address (None for the current page)."""
    trail = re.search(r'<ol class="govuk-breadcrumbs__list">(.*?)</ol>', html, re.S)
    assert trail, "no breadcrumbs"
    crumbs = re.findall(
        r'<li class="govuk-breadcrumbs__list-item"( aria-current="page")?>\s*'
        r'(?:<a class="govuk-breadcrumbs__link" href="([^"]*)">)?([^<]*)',
        trail.group(1),
    )
    return [(unescape(text.strip()), None if current else href) for current, href, text in crumbs]


def test_action_and_indicator_pages_start_at_task_forces(web, tf, make_action, make_indicator):
    action = make_action()
    indicator = make_indicator(name="Apprenticeship starts")
    top = [("Task forces", "/"), (tf.name, f"/taskforces/{tf.id}")]
    html = web.get(f"/actions/{action.id}").get_data(as_text=True)
    assert breadcrumbs(html) == [
        *top,
        ("Actions", f"/taskforces/{tf.id}/actions"),
        (action.reference, None),
    ]
    html = web.get(f"/indicators/{indicator.id}").get_data(as_text=True)
    assert breadcrumbs(html) == [
        *top,
        ("Performance", f"/taskforces/{tf.id}/performance"),
        ("Apprenticeship starts", None),
    ]


def count_links(html: str) -> dict[str, str]:
    """The tracker's counts that are links: what each counts, and where it leads."""
    block = re.search(r'<div class="tf-counts">(.*?)</div>', html, re.S)
    assert block, "no counts"
    return {
        words: unescape(href)
        for href, words in re.findall(
            r'<a class="govuk-link" href="([^"]+)"><span[^>]*>\d+</span> ([^<]+)</a>',
            block.group(1),
        )
    }


@pytest.fixture
def four_actions(tf, make_action, secretariat):
    """Ana's two, one overdue and one complete; Ben's two, one overdue and one in progress."""
    from taskforce.actions import services
    from taskforce.audit.services import Actor

    late = today() - timedelta(days=3)
    make_action("ana@example.gov.uk", late, "Ana Lopes")
    done = make_action("ana@example.gov.uk", owner_name="Ana Lopes")
    make_action("ben@example.gov.uk", late, "Ben Clarke")
    going = make_action("ben@example.gov.uk", owner_name="Ben Clarke")
    actor = Actor(user=secretariat, via="web")
    services.update_action(done, {"status": "complete"}, actor)
    services.update_action(going, {"status": "in_progress"}, actor)
    db.session.commit()


def test_tracker_counts_link_to_the_actions_they_count(web, tf, four_actions):
    tracker = f"/taskforces/{tf.id}/actions"
    links = count_links(web.get(tracker).get_data(as_text=True))
    assert links == {
        "outstanding": f"{tracker}?status=open&status=in_progress",
        "overdue": f"{tracker}?overdue=y",
        "complete, awaiting closure": f"{tracker}?status=complete",
    }
    # Each leads to as many actions as it counted.
    for words, count in [("outstanding", 3), ("overdue", 2), ("complete, awaiting closure", 1)]:
        listed = web.get(links[words]).get_data(as_text=True)
        assert f"{count} action{'s' if count > 1 else ''}" in listed, words


def test_tracker_counts_keep_the_other_filters_and_zero_is_no_link(web, tf, four_actions):
    tracker = f"/taskforces/{tf.id}/actions"
    html = web.get(f"{tracker}?owner=ana&status=open&status=complete").get_data(as_text=True)
    assert count_links(html) == {
        "outstanding": f"{tracker}?status=open&owner=ana",
        "overdue": f"{tracker}?status=open&status=complete&overdue=y&owner=ana",
        "complete, awaiting closure": f"{tracker}?status=complete&owner=ana",
    }
    html = web.get(f"{tracker}?owner=ben").get_data(as_text=True)
    assert "complete, awaiting closure" not in count_links(html)
    assert '<span class="tf-count__number">0</span> complete, awaiting closure' in html


def test_an_owners_counts_stay_with_the_owner(web, tf, four_actions):
    html = web.get("/actions/owner?owner_email=ben@example.gov.uk").get_data(as_text=True)
    assert count_links(html)["overdue"] == "/actions/owner?overdue=y&owner_email=ben@example.gov.uk"


def test_dashboard_red_risks_link_to_their_row_in_the_register(web, tf, make_risk):
    red = make_risk(ref="R01", likelihood="High", impact="High")
    make_risk(ref="R02")  # amber: not on the dashboard
    html = web.get(f"/taskforces/{tf.id}/performance").get_data(as_text=True)
    register = f"/taskforces/{tf.id}/risks"
    assert re.findall(r'href="([^"]*/risks[^"]*)"><strong>(R\d+)</strong>', html) == [
        (f"{register}#risk-{red.id}", "R01")
    ]
    assert f'id="risk-{red.id}"' in web.get(register).get_data(as_text=True)
