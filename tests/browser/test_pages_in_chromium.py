"""Behaviour that lives in the browser: keyboard use, GOV.UK scripts under the CSP."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, member

pytestmark = pytest.mark.browser


def _sign_in_by_keyboard(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.focus("#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")


def test_empty_sign_in_focuses_the_error_summary_and_links_to_fields(page, live_server):
    page.goto(live_server + "/login")
    page.focus("#email")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-error-summary")
    # GOV.UK Frontend's script moves focus to the summary: proof it ran under our CSP.
    # A CSS :focus selector, not wait_for_function: Playwright's polling would eval() a string,
    # which our CSP (rightly) refuses.
    page.wait_for_selector(".govuk-error-summary:focus")
    page.click(".govuk-error-summary a[href='#email']")
    assert page.evaluate("document.activeElement.id") == "email"
    # The form comes back as a 422, which Chromium logs; nothing else may be.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
    ]


def test_secretariat_signs_in_and_edits_by_keyboard(page, live_server, make_user, make_taskforce):
    user = make_user("secretariat")
    tf = make_taskforce(by=user, members=[member("Lena Ashby", "lena@example.gov.uk")])
    _sign_in_by_keyboard(page, live_server, user.email)
    page.get_by_role("link", name=tf.name, exact=True).click()
    page.get_by_role("link", name="Edit terms of reference").click()
    # The character count is drawn by GOV.UK's script.
    status = page.wait_for_selector(".govuk-character-count__status", state="attached")
    assert "characters remaining" in status.text_content()
    page.fill("#purpose", "A **new** purpose.")
    page.focus("#purpose")
    page.keyboard.press("Tab")  # priorities
    page.get_by_role("button", name="Save changes").press("Enter")
    page.wait_for_selector(".govuk-notification-banner--success")
    assert page.locator(".tf-prose strong").inner_text() == "new"
    assert "version 2" in page.locator(".govuk-caption-l").inner_text()
    assert page.console_errors == []


def test_sign_out_button_works_from_the_navigation(page, live_server, make_user):
    user = make_user("member")
    _sign_in_by_keyboard(page, live_server, user.email)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/login")
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/login")


def test_an_actions_description_counts_its_characters_as_they_are_typed(
    page, live_server, make_user, make_taskforce
):
    user = make_user("secretariat")
    tf = make_taskforce(by=user)
    _sign_in_by_keyboard(page, live_server, user.email)
    page.goto(f"{live_server}/taskforces/{tf.id}/actions/new")
    page.fill("#description", "x" * 1990)
    page.wait_for_selector(".govuk-character-count__status:has-text('10 characters remaining')")
    page.fill("#description", "x" * 2003)
    page.wait_for_selector(".govuk-character-count__status:has-text('3 characters too many')")
    assert page.console_errors == []
