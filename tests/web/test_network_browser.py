"""The link chart in headless Chromium: a Europol analyst draws the network around a Dutch
suspect, expands a node, finds a path, recolours by country, resizes by degree, narrows the
date window, reads the timeline and exports a PNG."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

ANALYST = "europol.analyst"
SEED = "nl-np.cocaine-person-013"  # Sander de Groot, whose phone reaches other countries


def _count(page: Page, selector: str) -> int:
    return int(page.evaluate(f"window.linkChart.$({selector!r}).length"))


def test_an_analyst_works_the_link_chart(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, ANALYST)
    page.get_by_role("link", name="Networks").click()
    expect(page).to_have_url(re.compile(r".*/context\?next=/network$"))
    page.select_option("#purpose", "criminal_analysis")
    page.fill("#justification", "AP Cola: who brokers between the cells")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(node.url("/network"))

    page.get_by_test_id("seed-input").fill(SEED)
    page.get_by_role("button", name="Draw").click()
    chart = page.get_by_test_id("chart")
    expect(chart).to_have_attribute("data-ready", "true", timeout=30_000)
    first = _count(page, "node")
    assert first >= 3
    assert page.evaluate(f"window.linkChart.$id({SEED!r}).data('label')") == "Sander de Groot"

    # Select a neighbour, read its details, expand it: the chart grows.
    neighbour = page.evaluate(
        f"window.linkChart.$id({SEED!r}).neighborhood('node')"
        f".filter(n => n.data('degree') > 1 && n.id() !== {SEED!r})[0].id()"
    )
    page.evaluate(f"window.linkChart.$id({neighbour!r}).emit('tap')")
    details = page.get_by_test_id("details")
    expect(details.get_by_role("heading")).to_be_visible()
    details.get_by_test_id("expand").click()
    expect(page.get_by_test_id("chart-status")).to_contain_text("Expanded", timeout=30_000)
    assert _count(page, "node") > first

    # A path from the seed to a node two hops away is found and highlighted.
    target = page.evaluate(
        f"""(() => {{
            const cy = window.linkChart, seed = cy.$id({SEED!r});
            const near = seed.closedNeighborhood('node');
            const far = near.neighborhood('node').difference(near);
            return far.length ? far[0].id() : near.difference(seed)[0].id();
        }})()"""
    )
    page.get_by_test_id("path-from").fill(SEED)
    page.get_by_test_id("path-to").fill(target)
    page.get_by_test_id("find-path").click()
    expect(page.get_by_test_id("chart-status")).to_contain_text("Path:", timeout=30_000)
    assert _count(page, "node.on-path") >= 2
    assert _count(page, "edge.on-path") >= 1

    # Colour by country: nodes of one country share a colour.
    page.get_by_test_id("colour-by").select_option("country")
    colours = page.evaluate(
        "(() => { const seen = {}; window.linkChart.nodes().forEach(n => {"
        " const c = n.data('country') || '';"
        " (seen[c] = seen[c] || new Set()).add(n.data('colour'));"
        " }); return Object.values(seen).map(s => s.size); })()"
    )
    assert colours
    assert all(size == 1 for size in colours)

    # Size by degree: the best-tied node is drawn largest.
    page.get_by_test_id("size-by").select_option("degree")
    largest = page.evaluate(
        "window.linkChart.nodes().max(n => n.data('degree')).ele.data('size')"
        " === window.linkChart.nodes().max(n => n.data('size')).value"
    )
    assert largest is True

    # Repeated evidence between two nodes is one tie, drawn thicker.
    assert page.evaluate("window.linkChart.edges().max(e => e.data('count')).value") > 1

    # The timeline shows every dated piece of evidence; a date window dims what falls
    # outside it, and a tie whose dated evidence all falls outside.
    dated = int(
        page.evaluate(
            "window.linkChart.edges().reduce((n, e) =>"
            " n + e.data('evidence').filter(x => x.time).length, 0)"
        )
    )
    marks = page.get_by_test_id("timeline-mark")
    expect(marks).to_have_count(dated)
    assert dated > 0
    page.get_by_test_id("since").fill("2025-01-01")
    page.get_by_test_id("since").dispatch_event("change")
    out = page.locator("#timeline .mark.out")
    expect(out).not_to_have_count(0)
    assert out.count() < dated
    assert _count(page, "edge.outside") > 0
    marks.first.click()
    assert _count(page, "edge:selected") == 1

    # Exports: a PNG of the chart, GraphML of the same scope.
    with page.expect_download() as download:
        page.get_by_test_id("export-png").click()
    assert download.value.suggested_filename == "link-chart.png"
    href = page.get_by_test_id("export-graphml").get_attribute("href")
    assert href is not None
    assert href.startswith(f"/network/export?format=graphml&seed={SEED}")
    assert "since=2025-01-01" in href  # the file holds what the chart holds
