"""Long work followed in headless Chromium: a manifest uploaded for batch screening shows on
the jobs page, whose progress bar the page brings up to date by itself until the job is
done; its page gives the result. The jobs page passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_accessibility_browser import BLOCKING, describe, run_axe
from tests.web.test_browser import log_in
from tests.web.test_screening_browser import MANIFEST

pytestmark = pytest.mark.browser


def test_an_officer_follows_a_batch_screening_to_its_hits(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "ncb-de.officer")
    page.goto(live_node.url("/screening/batch"))
    page.select_option("#purpose", "border_management")
    page.fill("#justification", "Flight LH402 passenger manifest")
    page.get_by_role("button", name="Continue").click()
    page.set_input_files("input[name=file]", str(MANIFEST))
    page.get_by_role("button", name="Screen the file").click()
    expect(page.get_by_test_id("job-status")).to_be_visible()
    job_path = page.url.removeprefix(live_node.base_url)  # /screening/batch/{id}

    page.goto(live_node.url("/jobs"))
    page.wait_for_function("() => window.htmx !== undefined")
    row = page.get_by_test_id("job").filter(has=page.locator(f'a[href="{job_path}"]'))
    bar = row.get_by_role("progressbar", name="Progress of Batch screening of manifest.csv")
    expect(row).to_have_attribute("data-status", "done", timeout=30_000)  # polled until done
    expect(bar).to_have_attribute("value", "1.000")
    expect(row).to_contain_text("Lines: 6")
    expect(page.get_by_role("status").filter(has_text="finished")).to_be_visible()
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe("/jobs", blocking)

    row.get_by_role("link", name="Batch screening of manifest.csv").click()
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "done")
    expect(status).to_contain_text("6 of 6 lines screened")
    with page.expect_download() as download:
        status.get_by_role("button", name="Download the hits (CSV)").click()
    hits = Path(download.value.path()).read_text()
    assert "Ivan Petrovich Sidorenko" in hits
