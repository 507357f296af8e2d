"""Notices in headless Chromium: an NCB officer drafts a Red Notice while the automatic
checks answer as they type, then submits it; the secretariat reviews and publishes one from
its queue; the public extract lists a published notice to anyone, without a log-in.

Requests the officer does not type in a browser go through the API, as an NCB's own system
would send them; the subjects' names are made up by each test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.notices.conftest import REVIEW, red_request, unique_name
from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

OFFICER = "ncb-de.officer"  # NCB-DE
SECRETARIAT = "interpol.supervisor"  # a reviewer at the secretariat
NOTICE_URL = re.compile(r".*/notices/[0-9a-f-]{36}$")
THRESHOLD = "a Red Notice for prosecution needs at least 24 months"


@dataclass
class ApiSession:
    """A logged-in session on the live node, used through the JSON API."""

    client: httpx.Client
    csrf: str

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers={"X-CSRF-Token": self.csrf})
        assert response.status_code in (200, 201), response.text
        return dict(response.json())


def _api_session(node: LiveNode, username: str, code: str | None = None) -> Iterator[ApiSession]:
    with httpx.Client(base_url=node.base_url, trust_env=False, timeout=10.0) as client:
        body = {"username": username, "password": node.password, "totp_code": code}
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        yield ApiSession(client, response.json()["csrf_token"])


@pytest.fixture(scope="module")
def officer(live_node: LiveNode) -> Iterator[ApiSession]:
    yield from _api_session(live_node, OFFICER)


@pytest.fixture(scope="module")
def secretariat(live_node: LiveNode) -> Iterator[ApiSession]:
    """The supervisor logs in once for the module. With the code of the next 30-second step:
    the server allows a step of drift, and the current step's code may already have been
    spent by another test's log-in (a code is good once)."""
    totp = pyotp.TOTP(live_node.totp_secret(SECRETARIAT))
    yield from _api_session(live_node, SECRETARIAT, totp.at(time.time() + totp.interval))


def _submitted(officer: ApiSession, name: str) -> str:
    """A Red Notice request for `name`, drafted and submitted by NCB-DE's officer."""
    payload = red_request(name).model_dump(mode="json", by_alias=True)
    notice_id = str(officer.post("/api/notices", payload)["id"])
    officer.post(f"/api/notices/{notice_id}/submit", {})
    return notice_id


def _declare_context(page: Page) -> None:
    """The notices show personal data: the officer declares why they consult them."""
    expect(page).to_have_url(re.compile(r".*/context\?next="))
    page.select_option("#purpose", "criminal_investigation")
    page.fill("#justification", "Case DE-BKA/2026/0113")
    page.get_by_role("button", name="Continue").click()


def test_an_officer_drafts_a_red_notice_checked_as_they_type_then_submits_it(
    browser_page: Page, live_node: LiveNode
) -> None:
    page, node = browser_page, live_node
    name = unique_name()
    first, last = name.split()
    page.goto(node.url("/login"))
    log_in(page, node, OFFICER)
    page.get_by_role("link", name="Notices").click()
    _declare_context(page)
    expect(page).to_have_url(node.url("/notices"))
    page.get_by_role("button", name="New request").click()
    page.get_by_role("link", name="Red Notice", exact=True).click()
    page.wait_for_function("() => window.htmx !== undefined")

    page.get_by_label("Title").fill(f"Wanted for prosecution: {name}")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Date of birth").fill("1979-04-11")
    page.get_by_label("Nationality").fill("DE")
    page.get_by_label("Summary of facts").fill("Organised the import of 400 kg of cocaine.")
    page.get_by_role("combobox", name="Sought for").select_option("prosecution")
    page.get_by_label("Offence (ICCS code)").select_option("0601")
    page.get_by_label("National law provision").fill("BtMG § 30a")
    page.get_by_label("Charge, as in the warrant").fill("Handeltreiben mit Betäubungsmitteln")
    page.get_by_label("Judicial decision").select_option("arrest_warrant")
    page.get_by_label("Warrant or judgment reference").fill("AG Hamburg 163 Gs 1142/26")
    page.get_by_label("Date of the warrant or judgment").fill("2026-03-02")
    page.get_by_label("Issuing judicial authority").fill("Amtsgericht Hamburg")
    page.get_by_label("The matter is").select_option("ordinary_crime")

    # Below the threshold: the finding appears beside the penalty, the button counts it…
    penalty = page.get_by_label("Maximum penalty (months)")
    penalty.fill("12")
    beside = page.get_by_test_id("findings-p_max_penalty_months")
    expect(beside.locator(".finding-error")).to_contain_text(THRESHOLD)
    expect(page.get_by_test_id("error-count")).to_have_text("(1 error remains)")
    # …and goes once the penalty qualifies.
    penalty.fill("60")
    expect(beside).to_be_empty()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Every automatic check passes")
    expect(page.get_by_test_id("error-count")).to_be_empty()

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(NOTICE_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Wanted for prosecution: {name}")
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    expect(page.get_by_test_id("particulars")).to_contain_text("60 months")

    page.get_by_role("button", name="Submit for review", exact=True).click()
    expect(page).to_have_url(NOTICE_URL)
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.get_by_test_id("event").last).to_contain_text("Draft → Submitted")


def test_the_secretariat_takes_a_request_from_its_queue_and_publishes_it(
    browser_page: Page, live_node: LiveNode, officer: ApiSession, secretariat: ApiSession
) -> None:
    page, node = browser_page, live_node
    name = unique_name()
    _submitted(officer, name)
    session = secretariat.client.cookies["palermo_session"]
    page.context.add_cookies([{"name": "palermo_session", "value": session, "url": node.base_url}])

    page.goto(node.url("/notices?tab=queue"))
    _declare_context(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    page.get_by_test_id("notice-row").filter(has_text=name).get_by_role("link").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    page.get_by_role("button", name="Take for review").click()

    checklist = page.get_by_test_id("checklist")
    checklist.get_by_role("group", name=re.compile("^Article 3")).get_by_label("Yes").check()
    checklist.get_by_label("Article 3 reasoning").fill(REVIEW.art3_reasoning)
    checklist.get_by_role("group", name=re.compile("^Article 2")).get_by_label("Yes").check()
    checklist.get_by_label("Article 2 reasoning").fill(REVIEW.art2_reasoning)
    checklist.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(NOTICE_URL)
    expect(page.get_by_test_id("status")).to_have_text("Published")
    expect(page.get_by_test_id("entity-id")).to_have_text(re.compile(r"^\d{4}/\d{5}$"))
    expect(page.get_by_test_id("review")).to_contain_text("Ordinary-law drug trafficking")
    steps = page.get_by_test_id("event")
    expect(steps).to_have_count(4)
    for row, (action, status) in zip(
        steps.all(),
        [
            ("create", "Draft"),
            ("submit", "Draft → Submitted"),
            ("claim", "Submitted → In review"),
            ("publish", "In review → Published"),
        ],
        strict=True,
    ):
        expect(row).to_have_attribute("data-action", action)
        expect(row).to_contain_text(status)


def test_the_public_extract_lists_a_published_notice_without_log_in(
    browser_page: Page, live_node: LiveNode, officer: ApiSession, secretariat: ApiSession
) -> None:
    page, node = browser_page, live_node
    name = unique_name()
    first, last = name.split()
    notice_id = _submitted(officer, name)
    secretariat.post(f"/api/notices/{notice_id}/claim", {})
    published = secretariat.post(
        f"/api/notices/{notice_id}/publish", {"review": REVIEW.model_dump(mode="json")}
    )

    page.goto(node.url("/public/notices"))
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    rows = page.get_by_test_id("public-notice")
    expect(rows.filter(has_text=last)).to_have_count(1)

    page.get_by_label("Family name").fill(last)
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(first)
    rows.get_by_role("link", name=published["entity_id"]).click()
    expect(page.get_by_test_id("public-detail")).to_contain_text("1979/04/11")
    expect(page.get_by_test_id("arrest-warrants")).to_contain_text(
        "Trafficking in narcotics in significant quantities"
    )
