"""A request for mutual legal assistance in headless Chromium against the demo world: the
Dutch central authority's officer drafts it with the wizard — the live check (HTMX, no inline
script) shows the legal bases that apply as the requested state and the offence are chosen,
and dual criminality — saves and sends it. The Colombian central authority's officer finds it
in its queue, acknowledges it, assigns it to the Colombian police and answers; the Dutch
officer then reads the answer's conditions and the whole timeline. No script error, no CSP
refusal."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in
from tests.web.test_cases_browser import _watch

pytestmark = pytest.mark.browser

REQUESTING = "nl-airs.officer"
REQUESTED = "co-fgn.officer"


def _draft(page: Page, proceedings: str) -> None:
    page.get_by_role("link", name="Judicial requests", exact=True).click()
    page.get_by_test_id("draft-request").click()
    expect(page.get_by_test_id("check-problem")).to_be_visible()  # nothing to weigh yet

    page.get_by_test_id("draft-kind").select_option("mla")
    page.get_by_test_id("draft-requested").select_option("CO-FGN")
    page.get_by_test_id("draft-offences").select_option(["0601"])
    check = page.get_by_test_id("check")
    # The live check, fetched as step 1 changed: the bases that apply, the most specific first.
    untoc = check.locator('[data-testid="basis"][data-treaty="UNTOC"]')
    expect(untoc).to_have_attribute("data-applies", "true")
    expect(check.locator('[data-testid="basis"][data-applies="true"]').first).to_have_attribute(
        "data-treaty", "UN1988"
    )
    expect(check.locator('[data-testid="basis"][data-treaty="EIO"]')).to_have_attribute(
        "data-applies", "false"
    )
    expect(check.get_by_test_id("dual-criminality")).to_have_attribute("data-holds", "true")
    expect(check.locator('[data-testid="conduct-row"][data-code="0601"]')).to_contain_text(
        "Opiumwet"
    )
    expect(page.get_by_test_id("draft-treaty")).to_have_value("UN1988")  # the first applicable
    page.get_by_test_id("draft-treaty").select_option("UNTOC")

    page.get_by_test_id("draft-requesting-authority").fill(
        "Landelijk Parket, Openbaar Ministerie, Rotterdam"
    )
    page.get_by_test_id("draft-proceedings").fill(proceedings)
    page.get_by_test_id("draft-facts").fill(
        "Cocaine shipped in banana containers from Turbo to Rotterdam, paid to an exporter."
    )
    page.get_by_test_id("draft-assistance").fill("Hearing of the exporter's manager as a witness.")
    page.get_by_test_id("draft-purpose").fill("Evidence for the trial in Rotterdam")
    page.get_by_test_id("measure-taking_evidence").check()
    page.get_by_test_id("draft-persons").fill("Julián Restrepo Ochoa; CO; Turbo")
    page.get_by_test_id("do-draft").click()
    expect(page.get_by_test_id("done")).to_contain_text("Draft saved")
    expect(page.get_by_test_id("status").first).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("send-missing")).to_have_count(0)  # it says all it must


def test_a_request_is_drafted_with_the_wizard_sent_acknowledged_and_answered(
    browser_page: Page, live_node: LiveNode, chromium: Any
) -> None:
    page, node = browser_page, live_node
    proceedings = f"Investigation 'Harbour {uuid.uuid4().hex[:6]}' into cocaine imports"
    page.goto(node.url("/login"))
    log_in(page, node, REQUESTING)
    expect(page.get_by_test_id("whoami")).to_have_text(REQUESTING)
    errors = _watch(page)

    _draft(page, proceedings)
    reference = page.get_by_test_id("request-reference").inner_text()
    page.get_by_test_id("do-send").click()
    expect(page.get_by_test_id("done")).to_have_text("Request sent.")
    expect(page.get_by_test_id("status").first).to_have_attribute("data-status", "sent")
    expect(page.get_by_test_id("legal-basis")).to_have_attribute("data-treaty", "UNTOC")
    request_url = page.url.split("?")[0]

    context = chromium.new_context()
    context.set_default_timeout(10_000)
    try:
        other = context.new_page()
        other_errors = _watch(other)
        other.goto(node.url("/login"))
        log_in(other, node, REQUESTED)
        expect(other.get_by_test_id("whoami")).to_have_text(REQUESTED)
        other.get_by_role("link", name="Judicial requests", exact=True).click()
        row = other.locator(f'[data-testid="request-row"][data-reference="{reference}"]')
        expect(row.get_by_test_id("side")).to_have_attribute("data-side", "requested")
        row.get_by_test_id("request-link").click()
        expect(other.get_by_test_id("request-reference")).to_have_text(reference)
        expect(other.get_by_test_id("form-send")).to_have_count(0)  # the requester's alone

        other.get_by_test_id("do-acknowledge").click()
        expect(other.get_by_test_id("done")).to_have_text("Receipt acknowledged.")
        other.get_by_test_id("assign-agency").select_option("CO-DIJIN")
        other.get_by_test_id("do-assign").click()
        expect(other.get_by_test_id("done")).to_have_text("Assigned for execution.")
        answer = other.get_by_test_id("form-answer")
        answer.locator("summary").click()
        answer.get_by_test_id("answer-summary").fill("The manager's statement, heard on 3 March")
        answer.get_by_test_id("answer-confidentiality").fill("Not to be disclosed to the exporter")
        answer.get_by_test_id("do-answer").click()
        expect(other.get_by_test_id("done")).to_have_text("Answer given.")
        expect(other.get_by_test_id("status").first).to_have_attribute("data-status", "answered")
        assert other_errors == []
    finally:
        context.close()

    page.goto(request_url)
    expect(page.get_by_test_id("status").first).to_have_attribute("data-status", "answered")
    expect(page.get_by_test_id("confidentiality")).to_have_text(
        "Not to be disclosed to the exporter"
    )
    expect(page.get_by_test_id("speciality")).to_contain_text("Only for the proceedings named")
    steps = page.get_by_test_id("timeline").get_by_test_id("event")
    expect(steps).to_have_count(5)
    for index, step in enumerate(("draft", "send", "acknowledge", "assign", "answer")):
        expect(steps.nth(index)).to_have_attribute("data-step", step)
    expect(steps.nth(3)).to_contain_text("to CO-DIJIN")
    expect(steps.last.get_by_test_id("event-summary")).to_have_text(
        "CO-FGN answered: Assigned → Answered"
    )
    assert errors == [], errors
