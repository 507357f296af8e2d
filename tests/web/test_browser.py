"""The web log-in, driven in headless Chromium against a real node serving the demo world.

Each test logs in as a different demo user, so that failure counters and the single use of
TOTP codes (one per 30-second step and user) never leak from one test into another.
"""

from __future__ import annotations

import re
import time

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode

pytestmark = pytest.mark.browser


def log_in(page: Page, node: LiveNode, username: str, password: str | None = None) -> None:
    """Fill and send the password form of the log-in page the browser is on."""
    expect(page.locator("#username")).to_be_visible()
    page.fill("#username", username)
    page.fill("#password", node.password if password is None else password)
    page.get_by_role("button", name="Log in").click()


def enter_code(page: Page, code: str) -> None:
    page.fill("#code", code)
    page.get_by_role("button", name="Verify").click()


def wrong_code(secret: str) -> str:
    """A 6-digit code that the server cannot accept now (it allows ±1 step of drift)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + drift * totp.interval) for drift in range(-2, 3)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in valid)


def api_me(node: LiveNode, token: str) -> httpx.Response:
    return httpx.get(
        node.url("/api/me"),
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=10.0,
    )


def test_officer_logs_in_sees_agency_and_logs_out(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, "ncb-fr.officer")

    expect(page).to_have_url(node.url("/"))
    expect(page.get_by_test_id("whoami")).to_have_text("ncb-fr.officer")

    page.get_by_role("link", name="My agency").click()
    expect(page).to_have_url(node.url("/agency"))
    expect(page.get_by_test_id("agency-code")).to_have_text("NCB-FR")

    session_cookie = next(
        c["value"] for c in page.context.cookies() if c["name"] == "palermo_session"
    )
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(node.url("/login"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_have_count(0)

    page.goto(node.url("/"))
    expect(page).to_have_url(node.url("/login"))
    expect(page.get_by_test_id("whoami")).to_have_count(0)

    # Logging out ended the session on the server, not only in this browser.
    replayed = httpx.get(
        node.url("/api/me"), cookies={"palermo_session": session_cookie}, trust_env=False
    )
    assert replayed.status_code == 401, replayed.text


def test_wrong_password_shows_error_and_stays_on_login(
    browser_page: Page, live_node: LiveNode
) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login"))
    log_in(page, node, "ncb-de.officer", password="not-the-demo-password")

    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("wrong username or password")
    expect(page).to_have_url(node.url("/login"))
    expect(page.locator("#username")).to_have_value("ncb-de.officer")
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"] == "palermo_session"]

    # Still anonymous: the home page sends the browser back to the log-in.
    page.goto(node.url("/"))
    expect(page).to_have_url(node.url("/login"))


def test_supervisor_needs_the_right_one_time_code(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    secret = node.totp_secret("interpol.supervisor")
    page.goto(node.url("/login"))
    log_in(page, node, "interpol.supervisor")

    expect(page).to_have_url(re.compile(re.escape(node.url("/login/mfa")) + r"(\?.*)?$"))
    expect(page.get_by_test_id("whoami")).to_have_count(0)

    # Half logged in is not logged in.
    page.goto(node.url("/"))
    expect(page).to_have_url(re.compile(re.escape(node.url("/login/mfa")) + r"(\?.*)?$"))

    enter_code(page, wrong_code(secret))
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("wrong one-time code")
    expect(page).to_have_url(re.compile(re.escape(node.url("/login/mfa")) + r"(\?.*)?$"))
    expect(page.get_by_test_id("whoami")).to_have_count(0)

    enter_code(page, pyotp.TOTP(secret).now())
    expect(page).to_have_url(node.url("/"))
    expect(page.get_by_test_id("whoami")).to_have_text("interpol.supervisor")


def test_protected_page_redirects_to_login_and_back(
    browser_page: Page, live_node: LiveNode
) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/agency"))
    expect(page).to_have_url(node.url("/login?next=/agency"))

    log_in(page, node, "ncb-it.officer")
    expect(page).to_have_url(node.url("/agency"))
    expect(page.get_by_test_id("whoami")).to_have_text("ncb-it.officer")
    expect(page.get_by_test_id("agency-code")).to_have_text("NCB-IT")


def test_protected_page_survives_the_mfa_step(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/account"))
    expect(page).to_have_url(node.url("/login?next=/account"))

    log_in(page, node, "ncb-nl.admin")
    expect(page).to_have_url(node.url("/login/mfa?next=/account"))
    enter_code(page, pyotp.TOTP(node.totp_secret("ncb-nl.admin")).now())

    expect(page).to_have_url(node.url("/account"))
    expect(page.get_by_test_id("whoami")).to_have_text("ncb-nl.admin")
    expect(page.get_by_role("heading", name="Personal API tokens")).to_be_visible()


def test_api_token_created_used_and_revoked(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.goto(node.url("/login?next=/account"))
    log_in(page, node, "ncb-es.officer")
    expect(page).to_have_url(node.url("/account"))

    name = "browser test token"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Valid for (days)").fill("7")
    page.get_by_role("button", name="Create token").click()

    shown = page.get_by_test_id("new-token")
    expect(shown).to_have_text(re.compile(r"^plm_\S{20,}$"))
    token = shown.inner_text().strip()

    me = api_me(node, token)
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "ncb-es.officer"
    assert me.json()["channel"] == "token"

    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(node.url("/account"))
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    revoked_row = page.get_by_role("row").filter(has_text=name)
    expect(revoked_row).to_contain_text("revoked")
    expect(revoked_row.get_by_role("button", name="Revoke")).to_have_count(0)

    after = api_me(node, token)
    assert after.status_code == 401, after.text


def test_the_ui_makes_no_request_beyond_the_node(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))

    page.goto(node.url("/login"))
    log_in(page, node, "europol.officer")
    expect(page).to_have_url(node.url("/"))
    for path in ("/agency", "/account"):
        page.goto(node.url(path))
        expect(page.get_by_test_id("whoami")).to_have_text("europol.officer")
    page.wait_for_load_state("networkidle")

    # The vendored assets were fetched from the node and actually work.
    assert any(url.endswith(".css") for url in requested), requested
    assert any("/static/vendor/htmx" in url for url in requested), requested
    assert page.evaluate("typeof window.htmx") == "object"

    outside = [url for url in requested if not url.startswith(node.base_url + "/")]
    assert outside == [], f"requests beyond {node.base_url}: {outside}"
    # Leaving a page aborts what it still loads (the notifications' event stream stays open
    # until then; on a busy machine a script may still be coming): not a failure of the node.
    # A refused or unreachable request is.
    assert [f for f in failed if not f.endswith("net::ERR_ABORTED")] == []
