"""WCAG 2.1 AA in headless Chromium against the demo world: axe-core on the main pages of the
workspace, the layout at a desktop and a tablet viewport, and the keyboard's way in.

axe-core (tests/web/vendor/axe.min.js, MPL-2.0) is a test tool, not shipped with the package.
It is injected with `page.evaluate`: the DevTools protocol evaluates it outside the pages'
Content-Security-Policy (`script-src 'self'`), which refuses inline script tags, so the pages
are checked under the very policy they are served with.

A violation of impact "serious" or "critical" fails the test; "moderate" and "minor" ones are
advice. Each user's pages are visited in one browser session (one log-in each), and all of a
journey's findings are reported together, by page, before the test fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import enter_code, log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = frozenset({"serious", "critical"})
DESKTOP = ViewportSize(width=1280, height=800)
TABLET = ViewportSize(width=768, height=1024)
JUSTIFICATION = "Case 2026/0417 – accessibility review"


@dataclass(frozen=True)
class Visit:
    """A page to check: a path, or the first link matching `follow` on the page before."""

    path: str = ""
    follow: str = ""
    # Something to wait for before checking (content that htmx or a script brings).
    ready: str = ""
    # A name to type into the screening form before checking its live results.
    screen: str = ""

    def __str__(self) -> str:
        return self.path or f"first {self.follow}"


# One journey per demo user: the pages that user's work goes through. The demo world is
# deterministic (seed 7), so every link followed here exists.
JOURNEYS: dict[str, list[Visit]] = {
    # Dutch police: Operation Harbour's lead agency (messages, the case, assets).
    "nl-np.analyst": [
        Visit("/"),
        Visit("/records?q=Mosquera"),
        Visit(follow='#results a[href^="/records/"]'),
        Visit("/screening", screen="Иван Сидоренко", ready='[data-testid="hit-count"]'),
        Visit("/messages"),
        Visit(follow='main a[href^="/messages/threads/"]'),
        Visit("/notices"),
        Visit(follow='[data-testid="notice-row"] a[href^="/notices/"]'),
        Visit("/network"),
        Visit("/assets"),
        Visit(follow='main a[data-testid="asset-link"]'),
        Visit("/assets/statistics"),
        Visit("/cases"),
        Visit(follow='main a[data-testid="case-link"]'),
        Visit("/notifications"),
        Visit("/agency"),
        Visit("/account"),
        Visit("/search?q=Mosquera"),
        Visit("/jobs"),
        Visit("/imports"),
        Visit("/statistics"),
    ],
    # The Dutch central authority: the requests queue, a request, response times.
    "nl-airs.analyst": [
        Visit("/judicial"),
        Visit(follow='main a[data-testid="request-link"]'),
        Visit("/judicial/statistics"),
    ],
    # The Dutch FIU: alerts and reports.
    "nl-fiu.analyst": [
        Visit("/finintel"),
        Visit(follow='main a[data-testid="alert-link"]'),
        Visit("/finintel/reports"),
        Visit(follow='[data-testid="report-row"] a[href^="/finintel/reports/"]'),
        Visit("/imports"),
        Visit("/jobs"),
        Visit(follow='[data-kind="import"] a[href^="/jobs/import/"]'),  # the return's import
    ],
    # Europol ran the demo's linkage: its review queue and a comparison.
    "europol.analyst": [
        Visit("/linkage"),
        Visit(follow='main a[href^="/linkage/compare"], main a[href^="/linkage/entities/"]'),
    ],
    # An auditor logs in with a one-time code and reads the audit log.
    "ncb-nl.auditor": [
        Visit("/audit"),
    ],
}

# The main pages, for the layout checks at both viewports (as nl-np.analyst).
LAYOUT_PAGES = [
    "/",
    "/records?q=Mosquera",
    "/screening",
    "/messages",
    "/notices",
    "/network",
    "/assets",
    "/assets/statistics",
    "/cases",
    "/notifications",
    "/agency",
    "/account",
    "/search?q=Mosquera",
    "/jobs",
    "/imports",
]
# In Arabic the page reads right to left: still no sideways scrolling, nothing unlabelled.
RIGHT_TO_LEFT_PAGES = ["/", "/records?q=Mosquera", "/notices", "/cases", "/assets"]


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        WCAG_21_AA,
    )
    assert isinstance(result, list)
    return result


def describe(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {target}" for target in v["targets"][:8])
        if len(v["targets"]) > 8:
            lines.append(f"      … and {len(v['targets']) - 8} more")
    return "\n".join(lines)


def horizontal_overflow(page: Page) -> str | None:
    """None if the page does not scroll sideways, else what sticks out."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if widths[0] <= widths[1] + 1:
        return None
    culprits = page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth + 1;
            const out = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                const placed = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
                if (box.width && (box.right > limit || box.left < -1) && out.length < 5
                    && (placed || !el.closest('.overflow-auto'))) {
                    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                             + (el.className && typeof el.className === 'string'
                                ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
                }
            }
            return out;
        }"""
    )
    return f"scrollWidth {widths[0]} > clientWidth {widths[1]} (sticking out: {culprits})"


def settle(page: Page) -> None:
    """Wait for what scripts draw after load: the charts of the statistics pages."""
    page.wait_for_load_state("load")
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-ready", "true")


def enter(page: Page, node: LiveNode, username: str) -> None:
    """Log in (with the one-time code if the user has one) and declare a working context."""
    page.goto(node.url("/login"))
    log_in(page, node, username)
    if node.user(username)["totp_secret"]:
        expect(page).to_have_url(re.compile(r"/login/mfa"))
        enter_code(page, pyotp.TOTP(node.totp_secret(username)).now())
    expect(page.get_by_test_id("whoami")).to_have_text(username)
    page.goto(node.url("/context?next=/"))
    page.fill("#justification", JUSTIFICATION)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(node.url("/"))


@pytest.fixture
def desktop_page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_login_and_one_time_code_pages_have_no_serious_violations(
    desktop_page: Page, live_node: LiveNode
) -> None:
    page, node = desktop_page, live_node
    findings = []
    page.goto(node.url("/login"))
    if blocking := [v for v in run_axe(page) if v["impact"] in BLOCKING]:
        findings.append(describe("/login", blocking))
    # A failed attempt shows the error on the form: still labelled, still legible.
    log_in(page, node, "ncb-nl.supervisor", password="not-the-demo-password")
    expect(page.locator("[role=alert], .error").first).to_be_visible()
    if blocking := [v for v in run_axe(page) if v["impact"] in BLOCKING]:
        findings.append(describe("/login after a wrong password", blocking))
    log_in(page, node, "ncb-nl.supervisor")
    expect(page).to_have_url(re.compile(r"/login/mfa"))
    if blocking := [v for v in run_axe(page) if v["impact"] in BLOCKING]:
        findings.append(describe("/login/mfa", blocking))
    assert not findings, "axe-core found serious violations:\n" + "\n".join(findings)


@pytest.mark.parametrize("username", list(JOURNEYS))
def test_the_main_pages_have_no_serious_violations(
    desktop_page: Page, live_node: LiveNode, username: str
) -> None:
    page, node = desktop_page, live_node
    enter(page, node, username)
    findings: list[str] = []
    visited: list[str] = []
    for visit in JOURNEYS[username]:
        if visit.follow:
            link = page.locator(visit.follow).first
            expect(link).to_be_attached()
            href = link.get_attribute("href")
            assert href, f"{visit} on {page.url} has no href"
            page.goto(node.url(href))
        else:
            response = page.goto(node.url(visit.path))
            assert response is not None, f"{visit.path}: no response"
            assert response.ok, f"{visit.path} answered {response.status}"
        path = page.url.removeprefix(node.base_url)
        assert not path.startswith(("/login", "/context")), f"{visit} led to {path}"
        if visit.screen:
            page.locator("#name").press_sequentially(visit.screen)
        if visit.ready:
            expect(page.locator(visit.ready).first).to_be_visible()
        settle(page)
        visited.append(path)
        if blocking := [v for v in run_axe(page) if v["impact"] in BLOCKING]:
            findings.append(describe(f"{path} (as {username})", blocking))
        if overflow := horizontal_overflow(page):
            findings.append(f"{path} (as {username}) scrolls sideways at 1280×800: {overflow}")
    assert len(visited) == len(JOURNEYS[username])
    assert not findings, "Accessibility problems:\n" + "\n".join(findings)


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop-1280x800", "tablet-768x1024"])
def test_the_main_pages_fit_the_screen_without_sideways_scrolling(
    chromium: Browser, live_node: LiveNode, viewport: ViewportSize
) -> None:
    """Wide tables scroll inside their own container; the page itself never does. On the
    tablet, where more tables scroll, axe-core checks the pages again (a scrolling table
    must be reachable by keyboard), and again in Arabic, right to left."""
    context = chromium.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    tablet = viewport == TABLET
    try:
        page = context.new_page()
        enter(page, live_node, "nl-np.analyst")
        problems = []
        for path in LAYOUT_PAGES:
            page.goto(live_node.url(path))
            settle(page)
            if overflow := horizontal_overflow(page):
                problems.append(f"{path}: {overflow}")
            if tablet and (blocking := [v for v in run_axe(page) if v["impact"] in BLOCKING]):
                problems.append(describe(path, blocking))
        page.goto(live_node.url("/language/ar?next=/"))
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        for path in RIGHT_TO_LEFT_PAGES:
            page.goto(live_node.url(path))
            settle(page)
            if overflow := horizontal_overflow(page):
                problems.append(f"{path} in Arabic: {overflow}")
            if tablet and (blocking := [v for v in run_axe(page) if v["impact"] in BLOCKING]):
                problems.append(describe(f"{path} in Arabic", blocking))
        page.goto(live_node.url("/language/en?next=/"))
        # On a tablet the navigation sits above the content and stays usable.
        page.goto(live_node.url("/"))
        expect(page.locator(".sidenav").get_by_role("link", name="Records")).to_be_visible()
        assert not problems, f"Pages scroll sideways at {viewport}:\n" + "\n".join(problems)
    finally:
        context.close()


def focused(page: Page) -> dict[str, Any]:
    info = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName.toLowerCase(), id: el.id, text: el.textContent.trim(),
                cls: el.className, inNav: !!el.closest('.sidenav nav'),
                visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
                         && box.left < innerWidth && box.top < innerHeight,
                ring: style.outlineStyle !== 'none' || style.boxShadow !== 'none',
            };
        }"""
    )
    assert isinstance(info, dict)
    return info


def test_the_keyboard_skips_to_the_content_and_reaches_the_navigation(
    desktop_page: Page, live_node: LiveNode
) -> None:
    page, node = desktop_page, live_node
    page.goto(node.url("/login"))
    # The log-in form takes the focus at once (autofocus): the user types the name.
    assert focused(page)["id"] == "username"

    enter(page, node, "nl-np.officer")
    page.goto(node.url("/cases"))
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["cls"] == "skip-link", f"the first tab stop is {skip}, not the skip link"
    assert skip["visible"], "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    expect(page).to_have_url(node.url("/cases#main"))
    assert focused(page)["id"] == "main", "following the skip link does not move focus to main"
    page.keyboard.press("Tab")
    after = page.evaluate("() => !!document.activeElement.closest('main')")
    assert after, f"the tab after the skip link leaves main: {focused(page)}"

    # From the top, Tab reaches every link of the navigation, in order, each with a focus ring.
    page.goto(node.url("/cases"))
    nav_links = page.locator(".sidenav nav a")
    expected = [text.strip() for text in nav_links.all_inner_texts()]
    assert "Cases" in expected
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop["inNav"]:
            assert stop["ring"], f"{stop['text']} shows no focus indicator"
            reached.append(stop["text"])
        elif reached:
            break
    assert reached == expected, f"Tab reached {reached} of the navigation {expected}"
    # The current page is marked for assistive technology.
    expect(page.locator(".sidenav").get_by_role("link", name="Cases")).to_have_attribute(
        "aria-current", "page"
    )
