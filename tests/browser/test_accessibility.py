"""Every page a user can reach, checked with axe-core in Chromium: no violations at all.

Each role signs in on the live server to a realistic task force (the demo data, with a
meeting held and two to come, invites in the outbox) and follows the same-origin links from
the home page breadth-first, a couple of pages of each kind, and axe-core checks every page:
the WCAG 2.0, 2.1 and 2.2 A and AA rules plus the best-practice rules `region` (content
outside every landmark) and `empty-table-header`. The sign-in page and the forms to add
things are then submitted empty, because error summaries are where problems hide.

A new page is checked as soon as a link leads to it. The crawl runs on SQLite only: the
markup comes from the templates and the same rows whichever database holds them, and the
pages' queries are tested on both databases elsewhere.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from taskforce.extensions import db

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ["TEST_DATABASE_URL"].startswith("sqlite"),
        reason="the markup does not depend on the database: checked once, on SQLite",
    ),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

#: The WCAG 2.x A and AA rules, and the best-practice rules we hold ourselves to as well.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BEST_PRACTICE = ["region", "empty-table-header"]

#: Pages of one kind (the same path with other ids or queries) share a template, so
#: one of each is checked; a meeting's page and an action's change with their state, so a
#: meeting held and one to come, and the first actions (closed, complete, in progress).
#: And a bound on the pages checked for one role. Every template, not every record.
PER_KIND = {"/meetings/#": 2, "/actions/#": 3}
PER_ROLE = 80

#: Links never followed: downloads and whatever is not a page.
NOT_PAGES = re.compile(r"\.(ics|csv|xlsx|svg|png|pdf|docx|json)$|^/(static|api)/")

#: Pages whose form is submitted empty (so that it answers with its errors): adding things.
EMPTY_FORMS = re.compile(r"/new$|/meetings/schedule$|/actuals/import$|/registers/benefits$")

RUN_AXE = """
async ([tags, extra]) => {
  const rules = axe.getRules(tags)
    .filter(rule => !rule.tags.includes("experimental"))
    .map(rule => rule.ruleId)
    .concat(extra);
  const results = await axe.run(document, {
    runOnly: {type: "rule", values: rules}, resultTypes: ["violations"],
  });
  return {
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")),
    })),
    links: Array.from(document.querySelectorAll("a[href]"), a => a.href),
  };
}
"""


def axe_check(page: Page) -> tuple[list[str], list[str]]:
    """What axe finds on the page as it stands, one line per rule broken; and the page's
    links (in the same round trip)."""
    found = page.evaluate(RUN_AXE, [WCAG_TAGS, BEST_PRACTICE])
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    at {'; '.join(v['targets'])}\n"
        f"    on {page.url}"
        for v in found["violations"]
    ]
    return problems, found["links"]


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context()
    # An init script arrives by the DevTools protocol, so the page's Content Security Policy
    # (which refuses inline script tags) stays on: pages are checked as they are served.
    context.add_init_script(path=AXE)
    return context


def kind_of(url: str) -> str:
    """Pages of one kind, from one template: /taskforces/3/actions?status=open ->
    /taskforces/#/actions."""
    return re.sub(r"\d+", "#", urlsplit(url).path)


@dataclass
class Crawl:
    base: str
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def visit(self, page: Page) -> None:
        """Check every page reachable from the home page, breadth-first."""
        queue, queued, kinds = deque([self.base + "/"]), {self.base + "/"}, Counter()
        while queue and len(self.pages) < PER_ROLE:
            url = queue.popleft()
            response = page.goto(url, wait_until="domcontentloaded")
            assert response is not None
            if not response.headers["content-type"].startswith("text/html"):
                continue
            if not response.ok:
                self.problems.append(f"{url} answered {response.status}")
                continue
            self.pages.append(url)
            problems, links = axe_check(page)
            self.problems += problems
            for href in links:
                href = urldefrag(href).url
                if not href.startswith(self.base + "/") or href in queued:
                    continue
                kind = kind_of(href)
                if NOT_PAGES.search(urlsplit(href).path) or kinds[kind] >= PER_KIND.get(kind, 1):
                    continue
                kinds[kind] += 1
                queued.add(href)
                queue.append(href)

    def submit_empty(self, page: Page, url: str) -> bool:
        """Send the page's form without filling it in, and check the page of errors; say
        whether there was a form to send."""
        page.goto(url, wait_until="domcontentloaded")
        form = page.locator("main form[method=post]:has(input:not([type=hidden]), textarea)")
        if not form.count():  # a reader sees the register, not the form to add to it
            return False
        with page.expect_navigation(wait_until="domcontentloaded"):
            form.first.locator("[type=submit]").first.click()
        if not page.locator(".govuk-error-summary").count():
            self.problems.append(f"{url} sent empty showed no error summary")
        self.pages.append(f"{url} (errors)")
        self.problems += axe_check(page)[0]
        return True


def sign_in(context: BrowserContext, base: str, email: str) -> Page:
    from taskforce.demo.data import DEMO_PASSWORD

    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


@pytest.fixture
def busy_taskforce(app):
    """The demo task force, with a meeting held (attendance, an action from it), two to
    come (invites queued for the next) and everything else the demo loader brings."""
    from taskforce.actions import services as action_services
    from taskforce.audit.services import Actor
    from taskforce.clock import today
    from taskforce.demo.data import load_demo
    from taskforce.meetings import emails as meeting_emails
    from taskforce.meetings import services as meeting_services

    tf = load_demo()
    actor = Actor.system("cli", "tests")
    ten_today = datetime.combine(today(), datetime.min.time()) + timedelta(hours=10)
    where = {"duration_minutes": 90, "location": "Room 1, 70 Whitehall", "actor": actor}
    [held] = meeting_services.schedule_meetings(
        tf, first_start=ten_today - timedelta(weeks=3), count=1, record_history=True, **where
    )
    coming = meeting_services.schedule_meetings(
        tf, first_start=ten_today + timedelta(weeks=3), count=2, **where
    )
    *present, away = tf.members
    meeting_services.record_attendance(
        held,
        [{"member_id": m.id, "status": "attended"} for m in present]
        + [{"member_id": away.id, "status": "apologies"}],
        actor,
    )
    action_services.create_action(
        tf,
        {
            "description": "Report back on the take-up of assessor bursaries",
            "owner_name": "Fiona Gallacher",
            "owner_email": "fiona.gallacher@example.gov.uk",
            "owner_organisation": "Department for Learning",
            "due_date": (ten_today + timedelta(days=10)).date(),
        },
        actor,
        held,
    )
    with app.test_request_context():  # the invites' apologies links are built by url_for
        meeting_emails.send_invites(coming[0])
    db.session.commit()
    return tf


ROLES = {
    "admin": "admin@example.gov.uk",
    "secretariat": "secretariat@example.gov.uk",
    "chair": "chair@example.gov.uk",
    "member": "member@example.gov.uk",
}


def test_every_page_of_every_role_passes_axe(browser, live_server, busy_taskforce):
    started = time.monotonic()
    crawls = {}
    sent_empty = set()  # each form once, by the first role that has it
    for role, email in ROLES.items():
        context = new_context(browser)
        page = sign_in(context, live_server, email)
        crawl = crawls[role] = Crawl(live_server)
        crawl.visit(page)
        for url in [u for u in crawl.pages if EMPTY_FORMS.search(urlsplit(u).path)]:
            if kind_of(url) not in sent_empty and crawl.submit_empty(page, url):
                sent_empty.add(kind_of(url))
        context.close()
    signed_out = Crawl(live_server)
    context = new_context(browser)
    signed_out.submit_empty(context.new_page(), live_server + "/login")
    context.close()

    print(
        f"\naxe checked in {time.monotonic() - started:.0f} s:",
        ", ".join(f"{role} {len(c.pages)} pages" for role, c in crawls.items()),
    )
    # Enough to know the crawl went everywhere: each role's own pages, and forms with errors.
    assert len(crawls["secretariat"].pages) > 40
    assert any("/admin/users/new (errors)" in url for url in crawls["admin"].pages)
    assert len(sent_empty) == 11, sent_empty  # the demo agenda's "Add an item" too
    assert any("/chasing" in url for url in crawls["secretariat"].pages)
    assert any("/registers/decisions" in url for url in crawls["member"].pages)
    problems = [p for c in [*crawls.values(), signed_out] for p in c.problems]
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


def test_axe_finds_what_the_crawl_looks_for(browser, live_server):
    """The check itself: a page with a back link outside any landmark and an empty table
    header fails it, naming both rules, where they are and the page."""
    page = new_context(browser).new_page()
    bad = (
        "<!doctype html><html lang='en'><head><title>Bad</title></head><body>"
        "<a href='/'>Back</a><main><h1>Bad</h1><table><tr><th>Name</th><th></th></tr>"
        "<tr><td>A</td><td><a href='/x'>Change</a></td></tr></table></main></body></html>"
    )
    page.route(
        live_server + "/bad", lambda route: route.fulfill(body=bad, content_type="text/html")
    )
    page.goto(live_server + "/bad")
    found = axe_check(page)[0]
    page.context.close()
    assert sorted(line.split(" ")[0] for line in found) == ["empty-table-header", "region"]
    assert f"on {live_server}/bad" in found[1]
