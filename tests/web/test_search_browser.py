"""The global search in headless Chromium against the demo world: the Dutch police officer
leading Operation Harbour presses "/" from the home page, types, walks the suggestions with
the arrow keys (an ARIA combobox), opens the case with Enter; on the results page filters by
type and moves between results with the keyboard. Declaring a working context brings the
records in. No script error, no CSP refusal, no serious axe-core finding."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_accessibility_browser import BLOCKING, WCAG_21_AA, axe_source, describe
from tests.web.test_browser import enter_code, log_in
from tests.web.test_cases_browser import _watch

pytestmark = pytest.mark.browser

OFFICER = "nl-np.officer"  # Operation Harbour's lead agency


def _enter(page: Page, node: LiveNode, username: str) -> None:
    page.goto(node.url("/login"))
    log_in(page, node, username)
    if node.user(username)["totp_secret"]:
        enter_code(page, pyotp.TOTP(node.totp_secret(username)).now())
    expect(page.get_by_test_id("whoami")).to_have_text(username)


def _serious(page: Page, where: str) -> list[str]:
    """axe-core's serious findings on what search draws: the top bar's box and suggestions,
    and the page's main content."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations = page.evaluate(
        """async (tags) => {
            const scope = {include: [['.global-search'], ['#main']]};
            const result = await axe.run(scope, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        WCAG_21_AA,
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    return [describe(where, blocking)] if blocking else []


def test_suggestions_are_walked_with_the_keyboard_and_enter_opens_one(
    browser_page: Page, live_node: LiveNode, chromium: Any
) -> None:
    page, node = browser_page, live_node
    _enter(page, node, OFFICER)
    errors = _watch(page)
    box = page.locator("#global-search")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")

    page.locator("main").click()  # focus anywhere but a field
    page.keyboard.press("/")
    expect(box).to_be_focused()
    box.press_sequentially("Harbour")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "global-search-listbox")
    options = listbox.get_by_role("option")
    case = listbox.locator('[data-testid="suggestion"][data-kind="case"]').first
    expect(case).to_contain_text("Operation Harbour")
    assert options.count() <= 10  # eight results at most, the context and "all results"
    findings = _serious(page, "the open suggestions")

    # Down to the case (the types come in order: cases before messages), back up, down again.
    position = options.evaluate_all("(all) => all.findIndex(o => o.dataset.kind === 'case')")
    for _ in range(position + 1):
        box.press("ArrowDown")
    expect(case).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", case.get_attribute("id") or "")
    box.press("ArrowDown")
    expect(case).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(case).to_have_attribute("aria-selected", "true")

    # Escape closes the list; typing opens it again.
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("listbox")).to_have_count(0)
    box.press("ArrowDown")  # asks again for the same text
    expect(case).to_be_visible()
    for _ in range(position + 1):
        box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("case-title")).to_contain_text("Operation Harbour")
    assert not errors, errors
    assert not findings, "\n".join(findings)


def test_the_results_page_filters_by_type_and_moves_between_results(
    browser_page: Page, live_node: LiveNode, chromium: Any
) -> None:
    page, node = browser_page, live_node
    _enter(page, node, OFFICER)
    errors = _watch(page)
    box = page.locator("#global-search")
    box.fill("Harbour")
    box.press("Enter")  # nothing chosen: the results page
    expect(page).to_have_url(node.url("/search?q=Harbour"))
    expect(page.get_by_test_id("needs-context")).to_be_visible()
    cases_chip = page.locator('[data-testid="type-chip"][data-kind="case"]')
    expect(cases_chip.get_by_test_id("type-count")).not_to_have_text("0")
    findings = _serious(page, "/search?q=Harbour")

    cases_chip.click()
    expect(page).to_have_url(node.url("/search?q=Harbour&type=case"))
    expect(cases_chip).to_have_attribute("aria-current", "page")
    results = page.get_by_test_id("search-result")
    expect(results.first).to_be_visible()
    kinds = results.evaluate_all("(all) => [...new Set(all.map(r => r.dataset.kind))]")
    assert kinds == ["case"]

    links = page.locator("[data-result-link]")
    page.locator("h1").click()
    page.keyboard.press("ArrowDown")
    expect(links.first).to_be_focused()
    if links.count() > 1:
        page.keyboard.press("j")
        expect(links.nth(1)).to_be_focused()
        page.keyboard.press("k")
        expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}$"))

    # With a working context declared, records are searched too: back to this search.
    page.goto(node.url("/search?q=Harbour"))
    page.get_by_test_id("needs-context").get_by_role("link").click()
    page.fill("#justification", "Operation Harbour, case NL-CO-ES")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(node.url("/search?q=Harbour"))
    expect(page.get_by_test_id("needs-context")).to_have_count(0)
    expect(page.locator('[data-testid="type-chip"][data-kind="record"]')).to_contain_text(
        re.compile(r"\d")
    )
    assert not errors, errors
    assert not findings, "\n".join(findings)
