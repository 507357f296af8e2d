"""The intelligence workspace in headless Chromium: working context, record pages with their
handling banners, hit-only cards, what stays hidden, and the auditor's view."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import enter_code, log_in

pytestmark = pytest.mark.browser

FULL = "co-dijin.cocaine-person-003"  # shared with NCB-NL in full
HIT = "es-udyco.cocaine-person-022"  # shared with NCB-NL as hit/no-hit only
HIDDEN = "es-udyco.cocaine-person-019"  # the broker: TLP:RED, not shared with NCB-NL


def test_officer_declares_a_context_then_consults_records(
    browser_page: Page, live_node: LiveNode
) -> None:
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "ncb-nl.officer")
    page.goto(live_node.url(f"/records/{FULL}"))
    # No consultation without purpose and justification.
    expect(page).to_have_url(live_node.url(f"/context?next=/records/{FULL}"))
    page.select_option("#purpose", "criminal_investigation")
    page.fill("#justification", "Case 2026/0417 – Operation Tide")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(live_node.url(f"/records/{FULL}"))
    banner = page.get_by_test_id("handling-banner")
    expect(banner).to_contain_text("TLP:")
    expect(banner).to_contain_text("Evaluation")
    caption = page.locator("h1").inner_text().rsplit(" ", 1)[0]  # "<name> Person"
    expect(page.get_by_text("Case 2026/0417 – Operation Tide")).to_be_visible()

    surname = caption.split()[-1]
    page.goto(live_node.url("/records"))
    page.fill("#q", surname)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("result-count")).to_be_visible()
    expect(page.get_by_role("link", name=caption)).to_be_visible()

    page.goto(live_node.url(f"/records/{HIT}"))
    card = page.get_by_test_id("hit-card")
    expect(card).to_contain_text("ES-UDYCO")
    expect(card).to_contain_text("hit/no-hit")
    assert "García" not in page.content()  # nothing of the record beyond its reference

    response = page.goto(live_node.url(f"/records/{HIDDEN}"))
    assert response is not None
    assert response.status == 404


def test_auditor_reads_the_log(browser_page: Page, live_node: LiveNode) -> None:
    page = browser_page
    page.goto(live_node.url("/login"))
    log_in(page, live_node, "europol.auditor")
    enter_code(page, pyotp.TOTP(live_node.totp_secret("europol.auditor")).now())
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page).to_have_url(live_node.url("/audit"))
    size = int(page.get_by_test_id("tree-size").inner_text())
    assert size > 100  # the demo world's creation alone is hundreds of entries
    # The newest first: the auditor's own readings of the log (the dashboard's among them),
    # then the log-in.
    newest = page.locator("table.audit tbody tr")
    expect(newest.first).to_contain_text("audit.read")
    expect(newest.filter(has_text="auth.login").first).to_contain_text("europol.auditor")
