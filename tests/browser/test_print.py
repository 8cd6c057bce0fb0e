"""Printing a page prints its content only, with tables broken between rows."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

#: What a printed page leaves out: the service's navigation, ways to act on the page, and
#: the footer.
NOT_PRINTED = [
    ".govuk-skip-link",
    ".govuk-service-navigation",
    ".govuk-breadcrumbs",
    ".tf-subnav",
    ".govuk-button",
    ".tf-footer",
]


def test_a_printed_page_is_its_content_only(
    page, live_server, secretariat, tf, make_indicator, make_risk
):
    indicator = make_indicator(trajectory={"2027-01": 100}, actuals={"2027-01": 90})
    make_risk(ref="R01", likelihood="High", impact="High")
    page.goto(live_server + "/login")
    page.fill("#email", secretariat.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/taskforces/{tf.id}/performance")

    page.emulate_media(media="screen")
    assert all(page.locator(selector).first.is_visible() for selector in NOT_PRINTED)
    page.emulate_media(media="print")
    assert [s for s in NOT_PRINTED if page.locator(s).first.is_visible()] == []
    assert page.get_by_role("heading", name=tf.name).is_visible()
    assert page.locator("table").first.is_visible()
    # GOV.UK Frontend prints a link's address after it; the service's own are left out.
    link = page.get_by_role("link", name=indicator.name)
    assert link.evaluate("a => getComputedStyle(a, '::after').content") == "none"
    row = page.locator("tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).breakInside") == "avoid"

    page.goto(f"{live_server}/taskforces/{tf.id}/risks/new")
    assert page.locator(".govuk-back-link").is_visible() is False
    assert page.get_by_role("heading", name="Add a risk").is_visible()
