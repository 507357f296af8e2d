"""Linkage in headless Chromium: a Europol analyst opens the review queue, compares the pair
whose decision is worth most, confirms it and is shown the next pair.

The demo world's Europol analysts have linked the persons around the groups (a cross-match
for criminal analysis); a world built without that run gets one now, through the API as an
analyst's own tools would ask for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from palermo.records.envelope import Purpose
from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

ANALYST = "europol.analyst"  # sees 70 Person records of the demo for investigations
CROSS_MATCH = Purpose.criminal_analysis  # the demo's run
INVESTIGATION = Purpose.criminal_investigation  # a run made by this test
JUSTIFICATION = "AP Cola: who is who"
RUN_TIMEOUT = 180.0


def _wait_for(client: httpx.Client, run_id: str) -> dict[str, object]:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        found = client.get(f"/api/link/runs/{run_id}").json()
        if found["status"] not in ("queued", "running"):
            return dict(found)
        time.sleep(0.5)
    pytest.fail(f"linkage run {run_id} did not finish within {RUN_TIMEOUT:.0f} s")


@pytest.fixture(scope="module")
def reviewed_purpose(live_node: LiveNode) -> Iterator[Purpose]:
    """The purpose of Europol's run to review: the demo's, or that of a run made now."""
    with httpx.Client(base_url=live_node.base_url, trust_env=False, timeout=10.0) as client:
        body = {"username": ANALYST, "password": live_node.password}
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        context = {"X-Purpose": CROSS_MATCH.value, "X-Justification": JUSTIFICATION}
        demo = client.get("/api/link/pairs", params={"status": "proposed"}, headers=context)
        if demo.status_code == 200 and len(demo.json()) >= 2:
            yield CROSS_MATCH
            return
        assert demo.status_code == 404, demo.text  # no run yet
        submitted = client.post(
            "/api/link/runs",
            json={"purpose": INVESTIGATION.value, "justification": JUSTIFICATION},
            headers={"X-CSRF-Token": response.json()["csrf_token"]},
        )
        assert submitted.status_code == 202, submitted.text
        done = _wait_for(client, submitted.json()["id"])
        assert done["status"] == "done", done
        yield INVESTIGATION


def _sides(page: Page) -> tuple[str | None, str | None]:
    """The ids of the two records the comparison shows."""
    return (
        page.get_by_test_id("side-left").locator("[data-record]").get_attribute("data-record"),
        page.get_by_test_id("side-right").locator("[data-record]").get_attribute("data-record"),
    )


def test_an_analyst_confirms_the_pair_worth_most_and_is_shown_the_next(
    browser_page: Page, live_node: LiveNode, reviewed_purpose: Purpose
) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, ANALYST)
    page.get_by_role("link", name="Linkage").click()
    expect(page).to_have_url(re.compile(r".*/context\?next=/linkage$"))
    page.select_option("#purpose", reviewed_purpose.value)
    page.fill("#justification", JUSTIFICATION)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(node.url("/linkage"))
    expect(page.get_by_test_id("run-by")).to_have_text(ANALYST)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    first = page.get_by_test_id("queue-row").first
    pair = (first.get_attribute("data-left"), first.get_attribute("data-right"))
    first.get_by_role("link", name="Compare").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two records")
    assert _sides(page) == pair
    page.get_by_label("Note").fill("Same man: the passport numbers differ by two transposed digits")
    page.get_by_role("button", name="Confirm", exact=True).click()

    expect(page.get_by_test_id("saved")).to_contain_text("Judgement saved (confirmed)")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two records")
    following = _sides(page)
    assert following != pair
    assert None not in following

    page.get_by_role("link", name="← Review queue").click()
    page.get_by_role("link", name="Confirmed", exact=True).click()
    confirmed = page.get_by_test_id("judged-row").filter(has_text=str(pair[0]))
    expect(confirmed.filter(has_text=str(pair[1]))).to_have_count(1)
