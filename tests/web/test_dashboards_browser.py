"""The role dashboards in headless Chromium against the demo world: a demo user of each role
logs in (with the one-time code where the role needs one), declares a working context and
finds the demo's items in the panel of the role — the officer's urgent message and tasks, the
analyst's links, cases and alerts, the reviewer's diffusion and request, the auditor's
anomalies, the administrator's expiring token and grant, the bank's report. Each dashboard
passes axe-core's WCAG 2.1 AA checks and fits a desktop and a tablet screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_accessibility_browser import (
    BLOCKING,
    DESKTOP,
    TABLET,
    describe,
    enter,
    horizontal_overflow,
    run_axe,
)

pytestmark = pytest.mark.browser


def arrive(page: Page, node: LiveNode, username: str, role_panel: str) -> Locator:
    """Log in, declare a context, and check the dashboard's layout and accessibility; the
    panel of the role."""
    enter(page, node, username)
    for viewport in (DESKTOP, TABLET):
        page.set_viewport_size(viewport)
        assert horizontal_overflow(page) is None, f"{username} at {viewport}"
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(f"{username}'s dashboard", blocking)
    panel = page.get_by_test_id(f"panel-{role_panel}")
    expect(panel).to_be_visible()
    return panel


def items(panel: Locator, section: str) -> Locator:
    return panel.get_by_test_id(f"section-{section}").get_by_test_id("item")


def test_an_officer_finds_the_urgent_message_and_the_tasks(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    panel = arrive(page, live_node, "ncb-co.officer", "officer")
    expect(items(panel, "messages").first).to_contain_text(
        "Courier of the cocaine network expected at Madrid-Barajas"
    )
    expect(items(panel, "hits").first).to_be_visible()
    expect(panel.get_by_test_id("section-tasks")).to_contain_text("Confirm identity")

    panel.get_by_test_id("section-tasks").get_by_test_id("see-all").click()
    expect(page).to_have_url(live_node.url("/tasks"))
    expect(page.get_by_test_id("task").first).to_contain_text("Confirm identity")


def test_analysts_find_links_to_review_cases_and_alerts(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    panel = arrive(page, live_node, "europol.analyst", "analyst")
    expect(items(panel, "links").first).to_contain_text("↔")
    expect(panel.get_by_test_id("section-cases")).to_contain_text("Operation Harbour")

    page.context.clear_cookies()
    panel = arrive(page, live_node, "nl-fiu.analyst", "analyst")
    first = items(panel, "alerts").first
    expect(first).to_be_visible()
    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/finintel/alerts/[0-9a-f-]{36}$"))


def test_a_reviewer_finds_the_diffusion_and_the_request_to_act_on(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    panel = arrive(page, live_node, "ncb-es.supervisor", "reviewer")
    expect(panel.get_by_test_id("section-requests")).to_contain_text("CO-FGN/R/2026/0002")
    diffusion = items(panel, "notices").filter(has_text="Whereabouts of")
    expect(diffusion).to_have_count(1)
    diffusion.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/notices/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_contain_text("Whereabouts of")


def test_an_auditor_finds_the_refusals_and_failed_log_ins(
    browser_page: Page, live_node: LiveNode
) -> None:
    panel = arrive(browser_page, live_node, "ncb-es.auditor", "auditor")
    anomalies = panel.get_by_test_id("anomaly")
    expect(anomalies.and_(panel.locator('[data-rule="denial_burst"]'))).to_contain_text(
        "ncb-es.officer"
    )
    expect(anomalies.and_(panel.locator('[data-rule="login_failures"]'))).to_contain_text(
        "ncb-es.analyst"
    )
    expect(panel.get_by_test_id("section-log")).to_contain_text("Latest signed head")


def test_an_administrator_finds_the_expiring_token_and_the_grant(
    browser_page: Page, live_node: LiveNode
) -> None:
    panel = arrive(browser_page, live_node, "ncb-es.admin", "administrator")
    expect(items(panel, "tokens")).to_contain_text(["Case-management connector"])
    expect(items(panel, "grants").first).to_contain_text("NCB-ES → EUROPOL")
    expect(panel.get_by_test_id("section-users")).to_contain_text("ncb-es.analyst")


def test_a_bank_follows_its_report(browser_page: Page, live_node: LiveNode) -> None:
    panel = arrive(browser_page, live_node, "ae-gmb.compliance", "partner")
    expect(items(panel, "reports").first).to_contain_text("GMB-STR-2026-0480")
    expect(browser_page.get_by_test_id("panel-officer")).to_have_count(0)
