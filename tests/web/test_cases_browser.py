"""A case in headless Chromium against the demo world: the Dutch police's officer opens a
case, admits the BKA, sets it a task and reads the timeline; plans an action day in the
Netherlands and Germany, starts it and reports a seizure, and the totals show it. The BKA's
officer finds the case among its own, opens it and reports an arrest in Germany — and the
lead's board, left open, shows it without a reload (HTMX polls it), without a script error
or a CSP refusal. An officer uploads a file as evidence through the workspace's form, sees it
listed with its SHA-256, and downloads it through the integrity check that logs the access."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

LEAD = "nl-np.officer"
MEMBER = "de-bka.officer"
POLL = 15_000  # ms: the board refreshes every 10 s


def _watch(page: Page) -> list[str]:
    """What the page's scripts report from now on (a CSP refusal included)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _open_case(page: Page, title: str) -> None:
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_test_id("open-case").click()
    page.get_by_test_id("open-title").fill(title)
    page.get_by_test_id("open-summary").fill("Cocaine in banana containers, Rotterdam–Hamburg")
    page.get_by_test_id("open-offences").select_option(["0601"])
    page.get_by_test_id("open-legal-basis").fill("Wetboek van Strafvordering art. 126")
    page.get_by_test_id("do-open").click()
    expect(page.get_by_test_id("done")).to_have_text("Case opened.")
    expect(page.get_by_test_id("case-title")).to_have_text(title)


def _admit_and_task(page: Page) -> None:
    admit = page.get_by_test_id("form-member")
    admit.locator("summary").click()
    admit.get_by_test_id("member-agency").fill("DE-BKA")
    admit.get_by_test_id("member-legal-basis").fill("JIT agreement NL-DE 2026")
    admit.get_by_test_id("do-member").click()
    expect(page.get_by_test_id("done")).to_have_text("Agency admitted.")
    member = page.locator('[data-testid="member"][data-agency="DE-BKA"]')
    expect(member).to_have_attribute("data-role", "participant")

    task = page.get_by_test_id("form-task")
    task.locator("summary").click()
    task.get_by_test_id("task-title-input").fill("Identify the Hamburg consignee")
    task.get_by_test_id("task-agency").select_option("DE-BKA")
    task.get_by_test_id("do-task").click()
    expect(page.get_by_test_id("done")).to_have_text("Task set.")
    expect(page.locator('[data-testid="task"][data-agency="DE-BKA"]')).to_contain_text(
        "Identify the Hamburg consignee"
    )
    timeline = page.get_by_test_id("timeline").get_by_test_id("event-summary")
    expect(timeline.first).to_contain_text("NL-NP opened the case as lead")
    expect(timeline.filter(has_text="DE-BKA joined as participant")).to_have_count(1)
    expect(timeline.last).to_have_text("task #1 for DE-BKA: Identify the Hamburg consignee")


def _plan_and_start(page: Page) -> str:
    page.get_by_test_id("plan-action-day").click()
    page.get_by_test_id("plan-name").fill("Day one")
    for agency, zone in (("NL-NP", "Europe/Amsterdam"), ("DE-BKA", "Europe/Berlin")):
        row = page.locator(f'[data-testid="plan-row"][data-agency="{agency}"]')
        expect(row.get_by_test_id("plan-acts")).to_be_checked()
        row.get_by_test_id("plan-timezone").fill(zone)
    page.get_by_test_id("do-plan").click()
    expect(page.get_by_test_id("done")).to_have_text("Action day planned.")
    expect(page.get_by_test_id("board")).to_have_attribute("data-status", "planned")
    expect(page.get_by_test_id("clock").first).to_have_text(re.compile(r"^in \d+ (d|h|min)"))
    page.get_by_test_id("do-start").click()
    expect(page.get_by_test_id("done")).to_have_text("Action day started.")
    expect(page.get_by_test_id("board")).to_have_attribute("data-status", "live")
    return page.url.split("?")[0]


def _report(page: Page, country: str, kind: str, **fields: str) -> None:
    form = page.get_by_test_id("form-result")
    form.get_by_test_id("result-country").select_option(country)
    form.get_by_test_id("result-kind").select_option(kind)
    for name, value in fields.items():
        form.get_by_test_id(f"result-{name}").fill(value)
    form.get_by_test_id("do-result").click()
    expect(page.get_by_test_id("done")).to_have_text("Result reported.")


def _total(page: Page, kind: str) -> Any:
    return page.get_by_test_id("totals-total").locator(f'[data-kind="{kind}"]')


def test_a_lead_and_a_member_work_a_case(
    browser_page: Page, live_node: LiveNode, chromium: Any
) -> None:
    page, node = browser_page, live_node
    title = f"Operation Lantern {uuid.uuid4().hex[:6]}"
    page.goto(node.url("/login"))
    log_in(page, node, LEAD)
    expect(page.get_by_test_id("whoami")).to_have_text(LEAD)
    errors = _watch(page)

    _open_case(page, title)
    _admit_and_task(page)
    board = _plan_and_start(page)
    _report(page, "NL", "seizure", quantity="12.5", unit="kg", item="cocaine")
    expect(_total(page, "quantities")).to_have_text("12.5 kg cocaine")
    nl = page.locator('[data-testid="totals-row"][data-country="NL"]')
    expect(nl.locator('[data-kind="quantities"]')).to_have_text("12.5 kg cocaine")
    expect(page.get_by_test_id("result").first).to_contain_text("Seizures: 12.5 kg cocaine")
    expect(_total(page, "arrests")).to_have_text("0")

    # The BKA's officer, in a browser of its own, while the lead's board stays open.
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    try:
        other = context.new_page()
        other_errors = _watch(other)
        other.goto(node.url("/login"))
        log_in(other, node, MEMBER)
        expect(other.get_by_test_id("whoami")).to_have_text(MEMBER)
        other.get_by_role("link", name="Cases", exact=True).click()
        row = other.get_by_test_id("case-row").filter(has_text=title)
        expect(row.get_by_test_id("role")).to_have_attribute("data-role", "participant")
        row.get_by_test_id("case-link").click()
        expect(other.get_by_test_id("case-title")).to_have_text(title)
        expect(other.get_by_test_id("form-member")).to_have_count(0)  # the lead's alone
        expect(other.get_by_test_id("form-task-update")).to_have_count(1)  # its task
        other.get_by_test_id("action-day-link").click()
        expect(other).to_have_url(board)
        expect(other.get_by_test_id("form-start")).to_have_count(0)
        _report(other, "DE", "arrest", quantity="2")
        expect(_total(other, "arrests")).to_have_text("2")
        assert other_errors == []
    finally:
        context.close()

    # The lead's page was not reloaded: the board's live part refreshed itself.
    expect(_total(page, "arrests")).to_have_text("2", timeout=POLL)
    expect(page.get_by_test_id("result").first).to_have_attribute("data-country", "DE")
    page.get_by_test_id("report-link").click()
    expect(page.locator('[data-testid="report-part"][data-country="ALL"]')).to_contain_text("12.5")
    assert errors == []


def test_an_officer_adds_a_file_as_evidence_and_downloads_it_checked(
    browser_page: Page, live_node: LiveNode, tmp_path: Path
) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, LEAD)
    errors = _watch(page)
    _open_case(page, f"Operation Ledger {uuid.uuid4().hex[:6]}")
    content = b"%PDF-1.7\nExtraction report, Samsung SM-G991B, IMEI 356938035643809\n"
    upload = tmp_path / "extraction.pdf"
    upload.write_bytes(content)
    collected = datetime.now(UTC) - timedelta(days=1)

    form = page.get_by_test_id("form-evidence-digital")
    form.locator("summary").click()
    form.get_by_test_id("evidence-file").set_input_files(str(upload))
    form.get_by_test_id("evidence-title").fill("Extraction report of the seized phone")
    form.get_by_test_id("evidence-collected-at").fill(collected.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_test_id("evidence-collected-place").fill("Port of Rotterdam, terminal ECT Delta")
    form.get_by_test_id("do-evidence-digital").click()
    expect(page.get_by_test_id("done")).to_have_text("Evidence item added.")
    row = page.get_by_test_id("evidence-item")
    expect(row).to_have_count(1)
    digest = hashlib.sha256(content).hexdigest()
    expect(row.get_by_test_id("evidence-sha256")).to_have_attribute("data-sha256", digest)

    row.get_by_test_id("evidence-link").click()
    expect(page.get_by_test_id("integrity")).to_have_attribute("data-state", "intact")
    expect(page.get_by_test_id("item-sha256")).to_have_text(digest)
    with page.expect_download() as downloading:
        page.get_by_test_id("evidence-download").click()
    assert Path(downloading.value.path()).read_bytes() == content
    page.reload()
    expect(page.locator('[data-testid="custody-line"][data-kind="accessed"]')).to_have_count(1)
    assert errors == []
