"""Asset recovery in headless Chromium against the demo world: the Dutch police's officer opens
the register, is warned of the measures about to lapse — the Dubai apartment's freezing,
recognised in the UAE — opens the Rotterdam villa's file (its timeline and its ownership
through a company) and sees the recovery statistics drawn, without the internet; Spain's
Ministry of Justice finds the flat in Estepona that the Dutch seizure order asks it to act on,
opens the order and recognises it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

OFFICER = "nl-np.officer"
VILLA = "Villa, Kralingse Plaslaan 12, Rotterdam"
DUBAI = "Apartment 2304, Marina Gate, Dubai"
CENTRAL_AUTHORITY = "es-mj.officer"
ESTEPONA = "Holiday flat, Urbanización Las Lomas 7, Estepona"
SEIZURE = "RC 25/2988 (beslag, buitenland)"


def test_an_officer_works_the_asset_register(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, OFFICER)
    expect(page.get_by_test_id("whoami")).to_have_text(OFFICER)
    # From here on, what the pages' scripts report (a CSP refusal of vega's eval included).
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.get_by_role("link", name="Assets", exact=True).click()
    expect(page).to_have_url(node.url("/assets"))
    expect(page.get_by_test_id("asset-row").first).to_be_visible()
    callout = page.get_by_test_id("expiring-callout")
    expect(callout).to_be_visible()
    expect(callout).to_contain_text(DUBAI)

    # The dashboard: the Dubai apartment's freezing, recognised in the UAE, still in force.
    callout.get_by_test_id("expiring-link").click()
    expect(page).to_have_url(node.url("/assets/expiring"))
    dubai = page.get_by_test_id("expiring-row").filter(has_text=DUBAI)
    expect(dubai).to_have_count(1)
    expect(dubai).to_have_attribute("data-lapsed", "false")
    expect(dubai).to_contain_text("AE: recognised")
    expect(dubai.get_by_test_id("days-left")).to_have_text(re.compile(r"^in \d+ days?$"))

    # The villa: its steps in order, the last under management, and who holds it.
    page.get_by_role("link", name="Register").click()
    page.get_by_test_id("filter-q").fill("Kralingse")
    page.get_by_role("button", name="Filter").click()
    villa = page.get_by_test_id("asset-row").filter(has_text=VILLA)
    expect(villa).to_have_count(1)
    villa.get_by_test_id("asset-link").click()
    expect(page.get_by_test_id("asset-description")).to_have_text(VILLA)
    steps = page.get_by_test_id("timeline").get_by_test_id("step")
    expect(steps.first).to_have_attribute("data-to", "identified")
    expect(steps.last).to_have_attribute("data-to", "under_management")
    assert steps.count() >= 4
    chain = page.get_by_test_id("ownership")
    company = chain.locator('[data-testid="holder"][data-depth="1"]').filter(has_text="Company")
    expect(company.first).to_be_visible()
    # Someone holds the company in turn: a holder one level down, nested in its item.
    expect(company.locator('[data-testid="holder"][data-depth="2"]').first).to_be_visible()
    expect(page.get_by_test_id("cost").first).to_be_visible()
    expect(page.get_by_test_id("net")).to_contain_text("EUR")
    expect(page.get_by_test_id("form-transition")).to_be_visible()

    # The statistics: every chart drawn by vega-embed, the tables beside them.
    page.get_by_test_id("tab-statistics").click()
    expect(page).to_have_url(node.url("/assets/statistics"))
    expect(page.get_by_test_id("totals-row").first).to_be_visible()
    for chart in ("stages", "countries", "offences", "stays"):
        holder = page.get_by_test_id(f"chart-{chart}")
        expect(holder).to_have_attribute("data-ready", "true")
        expect(holder).to_have_class(re.compile(r"\bvega-embed\b"))
        expect(holder.locator("svg.marks")).to_have_count(1)
    bars = page.get_by_test_id("chart-stages").locator("svg.marks path[role='graphics-symbol']")
    assert bars.count() >= 1
    assert errors == []


def test_a_central_authority_recognises_an_order(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, CENTRAL_AUTHORITY)
    expect(page.get_by_test_id("whoami")).to_have_text(CENTRAL_AUTHORITY)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The flat is disclosed to Spain by the request: from its file, to the order.
    page.get_by_role("link", name="Assets", exact=True).click()
    page.get_by_test_id("filter-q").fill("Estepona")
    page.get_by_role("button", name="Filter").click()
    flat = page.get_by_test_id("asset-row").filter(has_text=ESTEPONA)
    expect(flat).to_have_count(1)
    flat.get_by_test_id("asset-link").click()
    expect(page.get_by_test_id("asset-description")).to_have_text(ESTEPONA)
    order = page.get_by_test_id("order").filter(has_text=SEIZURE)
    expect(order.get_by_test_id("recognition")).to_have_attribute("data-status", "requested")
    order.get_by_test_id("order-link").click()

    expect(page).to_have_url(re.compile(r"/assets/orders/[-0-9a-f]+$"))
    expect(page.get_by_test_id("order-reference")).to_have_text(SEIZURE)
    expect(page.get_by_test_id("covered-asset").filter(has_text=ESTEPONA)).to_have_count(1)
    spain = page.locator('[data-testid="recognition"][data-country="ES"]')
    expect(spain).to_have_attribute("data-status", "requested")
    form = spain.get_by_test_id("form-decision")
    expect(form).to_be_visible()
    form.get_by_test_id("decision-authority").fill("Audiencia Nacional, Juzgado Central nº 5")
    form.get_by_test_id("do-recognise").click()

    expect(page.get_by_test_id("done")).to_have_text("Decision recorded.")
    expect(spain).to_have_attribute("data-status", "recognised")
    expect(spain.get_by_test_id("recognition-authority")).to_have_text(
        "Audiencia Nacional, Juzgado Central nº 5"
    )
    expect(page.get_by_test_id("form-decision")).to_have_count(0)
    assert errors == []
