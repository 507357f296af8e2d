"""The statistics page in headless Chromium against the demo world, without the internet:
every chart is drawn by vega-embed — the world map from the vendored TopoJSON too —, with
no script error nor CSP refusal. Spain's UDYCO sees the screenings and action-day results of
its cases, the Dutch police the assets it recovers: between the two, every chart is drawn."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from palermo.web.statistics import DOWNLOADS
from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

CHARTS = {
    "records-by-offence",
    "records-map",
    "cases-by-offence",
    "cases-by-country",
    "notices",
    "screening",
    "operation-results",
    "assets-stages",
    "assets-countries",
    "response-times",
}


def drawn_charts(page: Page, node: LiveNode, username: str) -> set[str]:
    """Log in, open the statistics; every chart's name once it is drawn."""
    page.goto(node.url("/login"))
    log_in(page, node, username)
    expect(page.get_by_test_id("whoami")).to_have_text(username)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.get_by_role("link", name="Statistics", exact=True).click()
    expect(page).to_have_url(node.url("/statistics"))
    page.wait_for_load_state("load")  # the URL changes before the new page is read
    holders = page.locator("[data-chart]")
    expect(holders.first).to_be_attached()
    names = set(holders.evaluate_all("all => all.map(h => h.dataset.chart)"))
    for name in names:
        holder = page.get_by_test_id(f"chart-{name}")
        expect(holder).to_have_attribute("data-ready", "true")
        expect(holder.locator("svg.marks")).to_have_count(1)
        assert holder.locator("svg.marks path").count() >= 1, name
    if "records-map" in names:
        # 177 countries of Natural Earth's 1:110m map drawn, some of them shaded.
        shapes = page.get_by_test_id("chart-records-map").locator("svg.marks path")
        assert shapes.count() > 177
    for name in DOWNLOADS:
        link = page.get_by_test_id(f"download-{name}")
        if link.count():
            expect(link).to_have_attribute("href", f"/statistics/{name}.csv")
    assert errors == []
    return names


def test_every_chart_is_drawn(browser_page: Page, live_node: LiveNode, chromium: Any) -> None:
    spanish = drawn_charts(browser_page, live_node, "es-udyco.officer")
    assert {"screening", "operation-results", "records-map"} <= spanish
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    try:
        dutch = drawn_charts(context.new_page(), live_node, "nl-np.officer")
    finally:
        context.close()
    assert {"assets-stages", "assets-countries"} <= dutch
    assert spanish | dutch == CHARTS
