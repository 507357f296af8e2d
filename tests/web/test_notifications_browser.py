"""The notification badge in headless Chromium against the demo world: it shows the Dutch
police officer's unread count, goes up without a reload when the Spanish police send the
agency a message (server-sent events), and comes down when the officer marks the new
notification read on the notifications page (htmx, with the CSRF token). No script error,
no CSP refusal, no serious axe-core finding on the page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_accessibility_browser import BLOCKING, WCAG_21_AA, axe_source, describe
from tests.web.test_browser import log_in
from tests.web.test_cases_browser import _watch

pytestmark = pytest.mark.browser

OFFICER = "nl-np.officer"
SENDER = "es-udyco.officer"
# The stream checks every few seconds; this bounds the wait for the badge to change.
LIVE_TIMEOUT = 20_000


@contextmanager
def _api(node: LiveNode, username: str) -> Iterator[tuple[httpx.Client, str]]:
    """A logged-in session of `username` on the JSON API, and its CSRF token."""
    with httpx.Client(base_url=node.base_url, trust_env=False, timeout=10.0) as client:
        body = {"username": username, "password": node.password}
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        yield client, response.json()["csrf_token"]


def _serious(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const scope = {include: [['#main'], ['[data-testid="notification-bell"]']]};
            const result = await axe.run(scope, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        WCAG_21_AA,
    )
    return [v for v in violations if v["impact"] in BLOCKING]


def test_the_badge_counts_live_and_marking_read_brings_it_down(
    browser_page: Page, live_node: LiveNode
) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, OFFICER)
    expect(page.get_by_test_id("whoami")).to_have_text(OFFICER)
    errors = _watch(page)

    with _api(node, OFFICER) as (client, _):
        unread = client.get("/api/notifications/unread").json()["count"]
    assert unread > 0  # the demo's messages, hits and expiring orders
    badge = page.get_by_test_id("unread-count")
    expect(badge).to_have_attribute("data-count", str(unread))
    expect(badge).to_contain_text(f"{unread} unread notifications")

    subject = f"Container at Algeciras {uuid.uuid4().hex[:6]}"
    with _api(node, SENDER) as (client, csrf):
        sent = client.post(
            "/api/messages",
            json={"recipients": ["NL-NP"], "subject": subject, "body": "Seal EC-44120 broken."},
            headers={"X-CSRF-Token": csrf},
        )
        assert sent.status_code == 201, sent.text
    expect(badge).to_have_attribute("data-count", str(unread + 1), timeout=LIVE_TIMEOUT)
    expect(badge).to_contain_text(f"{unread + 1} unread notifications")

    page.get_by_test_id("notification-bell").click()
    expect(page).to_have_url(node.url("/notifications"))
    newest = page.get_by_test_id("notification-row").first
    expect(newest).to_have_attribute("data-kind", "message.received")
    expect(newest).to_have_attribute("data-unread", "true")
    assert _serious(page) == [], describe("/notifications", _serious(page))

    newest.get_by_test_id("mark-read").click()
    newest = page.get_by_test_id("notification-row").first
    expect(newest).to_have_attribute("data-unread", "false")
    expect(badge).to_have_attribute("data-count", str(unread))
    expect(page.get_by_test_id("unread-summary")).to_have_text(f"{unread} unread notifications")

    page.get_by_test_id("filter-kind").select_option("message.received")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(node.url("/notifications?kind=message.received"))
    page.wait_for_load_state("load")  # the URL changes before the new page is read
    kinds = page.get_by_test_id("notification-row").evaluate_all(
        "rows => [...new Set(rows.map(r => r.dataset.kind))]"
    )
    assert kinds == ["message.received"]
    assert errors == []
