"""Finding one's way: breadcrumbs start at "Task forces"."""

from __future__ import annotations

import re
from html import unescape


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
