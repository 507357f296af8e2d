"""An import followed in headless Chromium: an officer uploads FtM JSON lines with their
envelope from the import page, lands on the job's page, which follows the job by itself
until it is done and shows what it wrote, and opens the first record imported; the job is on
the jobs page. Both pages pass axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_accessibility_browser import BLOCKING, describe, run_axe
from tests.web.test_browser import log_in
from tests.web.test_screening_browser import _declare

pytestmark = pytest.mark.browser

PEOPLE = (
    {"id": "harbour-contact-1", "schema": "Person", "properties": {"name": ["Joris Akkerman"]}},
    {"id": "harbour-contact-2", "schema": "Person", "properties": {"name": ["Mila Verbeek"]}},
    {"id": "harbour-boat", "schema": "Vessel", "properties": {"name": ["Zeemeeuw II"]}},
)


def test_an_officer_imports_records_and_follows_the_job_to_its_result(
    browser_page: Page, live_node: LiveNode, tmp_path: Path
) -> None:
    upload = tmp_path / "seized-phone-contacts.jsonl"
    upload.write_text("\n".join(json.dumps(entity) for entity in PEOPLE), encoding="utf-8")
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "ncb-de.officer")
    page.get_by_role("link", name="Import", exact=True).click()  # from the navigation
    expect(page).to_have_url(live_node.url("/imports"))
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe("/imports", blocking)

    form = page.get_by_test_id("import-records")
    form.get_by_label("File").set_input_files(str(upload))
    form.get_by_label("Legal basis").fill("StPO § 483, Ermittlungsverfahren 2026/0417")
    form.get_by_label("Data-subject category of the persons").select_option("contact")
    form.get_by_label("Criminal analysis").check()
    form.get_by_label("Traffic Light Protocol").select_option("AMBER+STRICT")
    form.get_by_role("button", name="Import the records").click()

    status = page.get_by_test_id("job-status")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Records from seized-phone-contacts.jsonl"
    )
    page.wait_for_function("() => window.htmx !== undefined")
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)  # polled
    expect(status.get_by_role("progressbar")).to_have_attribute("value", "1.000")
    created = status.locator("dt", has_text="Records created").locator("xpath=following::dd[1]")
    expect(created).to_have_text("3")
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(page.url, blocking)
    job_path = page.url.removeprefix(live_node.base_url)

    page.goto(live_node.url("/jobs"))
    row = page.get_by_test_id("job").filter(has=page.locator(f'a[href="{job_path}"]'))
    expect(row).to_have_attribute("data-kind", "import")
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("Records created: 3")

    row.get_by_role("link", name="Records from seized-phone-contacts.jsonl").click()
    page.get_by_role("link", name="Open the first record imported").click()
    _declare(page, "criminal_analysis", "Operation Harbour, the seized phone's contacts")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Joris Akkerman")
    expect(page.locator("main")).to_contain_text("StPO § 483, Ermittlungsverfahren 2026/0417")
