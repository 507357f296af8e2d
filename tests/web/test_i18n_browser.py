"""The workspace in Arabic, in headless Chromium: chosen from the footer's language menu, the
page turns right to left — the side navigation moves to the right of the content, labels are
Arabic — and the choice holds from page to page until English is chosen again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser


def test_arabic_is_right_to_left(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(node.url("/login"))
    log_in(page, node, "ncb-fr.officer")
    expect(page.get_by_test_id("whoami")).to_have_text("ncb-fr.officer")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.get_by_test_id("languages").get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    records = page.locator(".sidenav").get_by_role("link", name="السجلات")
    expect(records).to_be_visible()
    side, main = page.locator(".sidenav").bounding_box(), page.locator("main").bounding_box()
    assert side is not None
    assert main is not None
    assert side["x"] >= main["x"] + main["width"] - 1, "the navigation is not on the right"
    width = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert width <= 1, "the right-to-left page scrolls sideways"

    records.click()  # the choice holds on the next page
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_test_id("languages").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator(".sidenav").get_by_role("link", name="Records")).to_be_visible()
