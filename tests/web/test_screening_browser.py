"""Screening in headless Chromium: instant explained hits, hit-only cards with a request for
details, and a manifest screened as a batch job."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import palermo.demo
from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

MANIFEST = Path(palermo.demo.__file__).parent / "lists" / "manifest.csv"


def _declare(page: Page, purpose: str, justification: str) -> None:
    page.select_option("#purpose", purpose)
    page.fill("#justification", justification)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => window.htmx !== undefined")  # instant results need it


def test_officer_screens_a_name_in_cyrillic_and_sees_why_it_matched(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "ncb-de.officer")
    page.goto(live_node.url("/screening"))
    _declare(page, "border_management", "Frankfurt arrivals, flight SU2314")
    expect(page).to_have_url(live_node.url("/screening"))

    page.locator("#name").press_sequentially("Иван Сидоренко")  # results come while typing
    card = page.get_by_test_id("hit").first
    expect(card).to_contain_text("Ivan Petrovich Sidorenko")
    expect(card).to_contain_text("ALERT")
    card.get_by_text("Why this matched").click()
    expect(card).to_contain_text("name 'Иван Сидоренко'")
    expect(card).to_contain_text("palermo-name-v1")

    page.fill("#name", "")
    page.locator("#name").press_sequentially("Nobody Atallinlist")
    expect(page.get_by_test_id("hit-count")).to_have_text("No hit.")


def test_bank_sees_only_hits_and_asks_the_owner_for_details(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "nl-hanze.compliance")
    page.goto(live_node.url("/screening"))
    _declare(page, "financial_intelligence", "Customer onboarding KYC-2026-0207")

    page.locator("#name").press_sequentially("Jose Ramon Sanchez Munoz")
    card = page.get_by_test_id("hit-only").first
    expect(card).to_contain_text("OFAC")
    assert "SÁNCHEZ" not in page.content()  # a bank learns the reference and owner only
    assert "1960" not in page.content()
    card.get_by_role("button", name="Request details from OFAC").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Request sent to OFAC")


def test_officer_screens_a_manifest_as_a_batch(browser_page: Page, live_node: LiveNode) -> None:
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "ncb-de.officer")
    page.goto(live_node.url("/screening/batch"))
    _declare(page, "border_management", "Flight LH400 passenger manifest")
    page.set_input_files("input[name=file]", str(MANIFEST))
    page.get_by_role("button", name="Screen the file").click()

    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "done")
    expect(status).to_contain_text("6 of 6 lines screened")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the hits (CSV)").click()
    hits = Path(download.value.path()).read_text()
    assert "Ivan Petrovich Sidorenko" in hits
    assert "Marie Dupont" not in hits
