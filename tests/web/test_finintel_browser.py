"""Financial intelligence in headless Chromium: a bank files the goAML sample STR and reads
its acknowledgement; the FIU's analyst opens an alert, dismisses it with a note, traces the
money from one of its accounts and sees the Sankey diagram drawn, without the internet.

The node is a small one of its own (not the demo world, which takes half a minute to
build): an FIU, a bank registered with it, the ledger of every typology imported and
monitored with the `palermo` command (run in this process with typer's runner), and the
app served by uvicorn in a thread of this process."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from palermo.app import create_app
from palermo.cli import app as cli_app
from palermo.settings import Settings
from tests.databases import fresh_database, node_settings
from tests.finintel.conftest import SAMPLES
from tests.finintel.world import Ledger, background, typologies
from tests.web.conftest import STARTUP_TIMEOUT, free_port, node_env

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"
ANALYST, BANK = "fiu.analyst", "bank1.mlro"
JUSTIFICATION = "STR 2026/17: the ring of five accounts"


def _cli(env: dict[str, str], *args: str) -> None:
    # Unset every other PALERMO_* of this process while the command runs.
    scoped: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PALERMO_")}
    scoped.update(env)
    result = CliRunner().invoke(cli_app, list(args), env=scoped)
    if result.exit_code != 0:
        pytest.fail(f"`palermo {' '.join(args)}` exited {result.exit_code}:\n{result.output}")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a node serving an FIU, its bank and a monitored ledger."""
    root = tmp_path_factory.mktemp("finintel-node")
    with fresh_database(root) as database_url:
        env = node_env(database_url)
        env["PALERMO_DATA_DIR"] = str(root / "data")
        _cli(env, "db", "upgrade")
        for code, kind in (("AE-FIU", "fiu"), ("BANK-1", "private_partner")):
            _cli(
                env,
                "agency",
                "add",
                code,
                "--name",
                f"Agency {code}",
                "--kind",
                kind,
                "--country",
                "AE",
            )
        for username, agency, role in ((ANALYST, "AE-FIU", "analyst"), (BANK, "BANK-1", "partner")):
            _cli(
                env,
                "user",
                "add",
                username,
                "--agency",
                agency,
                "--role",
                role,
                "--password",
                PASSWORD,
            )
        _cli(env, "finintel", "register", "BANK-1", "--registration", "101", "--fiu", "AE-FIU")
        ledger = Ledger()
        background(ledger)
        typologies(ledger)
        _cli(
            env,
            "--as",
            ANALYST,
            "finintel",
            "import-transactions",
            str(ledger.write_csv(root / "bank-return.csv")),
            "--map",
            Ledger.MAPPING,
            "--justification",
            JUSTIFICATION,
        )
        _cli(env, "--as", ANALYST, "finintel", "monitor", "--justification", JUSTIFICATION)
        settings = node_settings(root / "data", database_url)
        with _serving(settings) as base_url:
            yield base_url


@contextmanager
def _serving(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in a thread of this process: the same app `palermo serve`
    runs, without an interpreter start and the screening warm-up (20 s here)."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="finintel-node", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start serving")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.peer_client.close()
        app.state.session_factory.kw["bind"].dispose()


def _log_in(page: Page, base_url: str, username: str) -> list[str]:
    """Log in; the errors the page's scripts report from then on (CSP refusals included)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("whoami")).to_have_text(username)
    return errors


def test_a_bank_files_a_report_and_reads_the_acknowledgement(browser_page: Page, node: str) -> None:
    page = browser_page
    _log_in(page, node, BANK)
    page.get_by_role("link", name="Financial intelligence").click()
    expect(page).to_have_url(node + "/finintel/reports")
    expect(page.get_by_test_id("no-reports")).to_be_visible()
    page.get_by_test_id("new-report").click()
    page.get_by_test_id("report-file").set_input_files(str(SAMPLES / "goaml_sample_STR.xml"))
    page.get_by_test_id("report-format").select_option("goaml")
    page.get_by_test_id("submit-report").click()

    acknowledgement = page.get_by_test_id("acknowledgement")
    expect(acknowledgement).to_be_visible()
    expect(acknowledgement).to_contain_text("STR-2026-0042")
    expect(page.get_by_test_id("ack-reference")).to_have_text(re.compile(r"AE-FIU-\d{4}-000001"))
    expect(page.get_by_test_id("report-transaction")).to_have_count(1)
    page.get_by_role("link", name="My reports").click()
    expect(page.get_by_test_id("report-row")).to_have_count(1)


def test_the_analyst_dismisses_an_alert_and_traces_the_money(browser_page: Page, node: str) -> None:
    page = browser_page
    errors = _log_in(page, node, ANALYST)
    page.get_by_role("link", name="Financial intelligence").click()
    expect(page).to_have_url(re.compile(r".*/context\?next=/finintel/alerts$"))
    page.select_option("#purpose", "financial_intelligence")
    page.fill("#justification", JUSTIFICATION)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(node + "/finintel/alerts")

    expect(page.get_by_test_id("alert-row").first).to_be_visible()
    cycle = page.locator('[data-testid="alert-row"][data-typology="cycle"]')
    expect(cycle).to_have_count(1)
    cycle.get_by_test_id("alert-link").click()
    expect(page.get_by_test_id("alert-title")).to_contain_text("Cycle")
    expect(page.get_by_test_id("alert-transaction")).to_have_count(5)

    page.get_by_test_id("dismiss-note").fill("Family savings moving between their own accounts")
    page.get_by_test_id("do-dismiss").click()
    expect(page.get_by_test_id("done")).to_contain_text("dismiss")
    event = page.get_by_test_id("history-event")
    expect(event).to_have_count(1)
    expect(event).to_contain_text("Family savings moving between their own accounts")
    expect(page.get_by_test_id("alert-facts").get_by_test_id("status")).to_have_text("Dismissed")
    expect(page.get_by_test_id("form-reopen")).to_be_visible()

    # Trace forward from the ring's first account: four hops, four bands.
    page.get_by_test_id("alert-accounts").get_by_role("link", name="trace forward").first.click()
    expect(page).to_have_url(re.compile(r".*/finintel/trace\?origin=cy-0&direction=forward$"))
    expect(page.get_by_test_id("trace-flow")).to_have_count(4)
    sankey = page.get_by_test_id("sankey")
    expect(sankey).to_have_attribute("data-ready", "true")
    expect(sankey.locator("svg")).to_have_count(1)
    bands = sankey.get_by_test_id("sankey-band")
    expect(bands).to_have_count(4)
    widths: list[Any] = bands.evaluate_all(
        "els => els.map(e => [e.dataset.source, parseFloat(e.getAttribute('stroke-width'))])"
    )
    assert [source for source, _ in widths] == ["cy-0", "cy-1", "cy-2", "cy-3"]
    assert all(a[1] > b[1] for a, b in pairwise(widths))  # 5 % kept a hop
    expect(sankey.get_by_test_id("sankey-node")).to_have_count(5)
    expect(page.get_by_test_id("sankey-status")).to_contain_text("4 bands between 5 accounts")

    # An account of the diagram opens the account's page.
    sankey.locator('[data-testid="sankey-node"][data-account="cy-2"]').click()
    expect(page.get_by_test_id("account-key")).to_have_text("cy-2")
    expect(page.get_by_test_id("daily-chart")).to_be_visible()
    assert errors == []
