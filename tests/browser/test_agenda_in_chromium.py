"""The agenda builder in a real browser: an item added and the agenda reordered from the
keyboard alone, with the focus kept on the item being moved."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_pages_in_chromium import _sign_in_by_keyboard

pytestmark = pytest.mark.browser


def _titles(page) -> list[str]:
    return [
        t.strip()
        for t in page.locator("#agenda-items tbody th strong:first-child").all_inner_texts()
    ]


def test_an_agenda_is_built_and_reordered_with_the_keyboard(
    page, live_server, secretariat, tf, make_meeting
):
    meeting = make_meeting()
    _sign_in_by_keyboard(page, live_server, secretariat.email)
    page.goto(f"{live_server}/meetings/{meeting.id}/agenda")
    page.get_by_role("link", name="Add an item").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#title")
    page.focus("#title")
    page.keyboard.type("Youth guarantee: the pilot")
    page.focus("#duration_minutes")
    page.keyboard.type("25")
    page.get_by_role("button", name="Save the item").press("Enter")
    page.wait_for_selector(".govuk-notification-banner--success")
    assert _titles(page)[-1] == "Youth guarantee: the pilot"

    # Move the new item up twice, by keyboard: the page comes back with its button focused.
    page.get_by_role("button", name=re.compile(r"^Move up\s*: item 5, Youth guarantee")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Move up: item 4, Youth guarantee: the pilot" in focused
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _titles(page) == [
        "Welcome and apologies",
        "Minutes and actions of the last meeting",
        "Youth guarantee: the pilot",
        "Performance report",
        "Any other business",
    ]
    assert "item 3, Youth guarantee" in page.evaluate("document.activeElement.textContent")
    # Start times follow the new order: 10:00, 10:05, 10:15, then 10:40 for the report.
    times = page.locator("#agenda-items tbody tr td:nth-child(2)").all_inner_texts()
    assert [t.strip() for t in times] == ["10:00am", "10:05am", "10:15am", "10:40am", "11:00am"]
    assert page.console_errors == []
