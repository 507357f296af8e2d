"""The exchange in headless Chromium: an H3 TLP:AMBER message with an attachment, from
compose to the recipient's acknowledgement and the sender's receipts; forwarding an H2
message, refused until the provider consents; a refused draft that keeps what was typed;
the pages without JavaScript; the peer hit/no-hit form.

The demo's agencies have their keys (its "secure messages" chapter runs `node init`); the
messages these tests send go between agencies the demo's own traffic leaves alone.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import LiveNode
from tests.web.test_browser import log_in

pytestmark = pytest.mark.browser

SENDER = "ncb-pt.officer"  # NCB-PT
RECIPIENT = "ncb-gr.officer"  # NCB-GR
THIRD = "NCB-RO"
H3_NOTE = "Source protection: not to be shared outside NCB-GR's fugitive unit."
THREAD_URL = re.compile(r".*/messages/threads/[0-9a-f-]{36}(#m-[0-9a-f-]{36})?$")


def _unique(subject: str) -> str:
    return f"{subject} [{uuid.uuid4().hex[:6]}]"


def _log_in_as(page: Page, node: LiveNode, username: str) -> None:
    if page.get_by_role("button", name="Log out").count():
        page.get_by_role("button", name="Log out").click()
    page.goto(node.url("/login"))
    log_in(page, node, username)
    expect(page.get_by_test_id("whoami")).to_have_text(username)


def _choose_recipient(page: Page, search: str, code: str) -> None:
    """Search the picker as an officer would (HTMX filters as they type), then tick."""
    page.get_by_role("searchbox", name="Search agencies by code, name or country").fill(search)
    options = page.locator(".picker-options")
    expect(options.locator("legend").first).to_contain_text(search)
    options.locator(f"input[name=recipients][value='{code}']").check()


def _message(page: Page, subject: str) -> Locator:
    """The article of a thread whose subject is `subject`."""
    return page.get_by_test_id("message").filter(
        has=page.get_by_role("heading", name=subject, exact=True)
    )


def _folder_row(page: Page, subject: str) -> Locator:
    return page.get_by_test_id("message-row").filter(has_text=subject)


def _compose(page: Page, node: LiveNode, **fields: Any) -> None:
    page.goto(node.url("/messages/new"))
    for code in fields.pop("recipients"):
        page.check(f"input[name=recipients][value='{code}']")
    page.fill("#subject", fields.pop("subject"))
    page.fill("#body", fields.pop("body", ""))
    page.select_option("#handling_code", fields.pop("handling_code", "H0"))
    page.select_option("#tlp", fields.pop("tlp", "AMBER"))
    if "handling_note" in fields:
        page.fill("#handling_note", fields.pop("handling_note"))
    assert not fields, f"unused fields {fields}"


def test_h3_message_with_attachment_is_read_acknowledged_and_receipted(
    browser_page: Page, live_node: LiveNode, tmp_path: Path
) -> None:
    page, node = browser_page, live_node
    subject = _unique("Fugitive located in Thessaloniki")
    report = b"date,place,observation\n2026-03-02,Thessaloniki port,subject boarding ferry\n"

    # The sender composes: recipient from the directory, H3 with its note, TLP:AMBER, B2.
    _log_in_as(page, node, SENDER)
    page.get_by_role("link", name="Messages").click()
    expect(page).to_have_url(node.url("/messages"))
    page.get_by_role("button", name="New message").click()
    page.wait_for_function("() => window.htmx !== undefined")
    _choose_recipient(page, "Greece", "NCB-GR")
    page.fill("#subject", subject)
    page.fill("#body", "The subject of red notice 2026/118 was seen boarding a ferry.")
    page.select_option("#priority", "urgent")
    page.select_option("#handling_code", "H3")
    page.fill("#handling_note", H3_NOTE)
    page.select_option("#tlp", "AMBER")
    page.select_option("#source", "B")
    page.select_option("#information", "2")
    page.fill("#case_ref", "PT-NCB/2026/0042")
    page.set_input_files(
        "#attachments",
        files=[{"name": "surveillance-log.csv", "mimeType": "text/csv", "buffer": report}],
    )
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page).to_have_url(THREAD_URL)
    sent = _message(page, subject)
    expect(sent.get_by_test_id("h3-banner")).to_contain_text(H3_NOTE)
    expect(sent.get_by_test_id("handling-banner")).to_contain_text("TLP:AMBER")
    expect(sent.get_by_test_id("handling-banner")).to_contain_text("Evaluation B2")
    expect(sent.get_by_test_id("signature")).to_contain_text("Signature verified")
    receipts = sent.get_by_test_id("receipts").locator("tr[data-agency='NCB-GR']")
    expect(receipts.locator("td[data-kind='delivered']")).to_have_attribute("data-state", "done")
    expect(receipts.locator("td[data-kind='opened']")).to_have_attribute("data-state", "pending")

    # The recipient: bold (unread) in the inbox, the H3 banner on the row itself.
    _log_in_as(page, node, RECIPIENT)
    page.goto(node.url("/messages"))
    row = _folder_row(page, subject)
    expect(row).to_have_attribute("data-unread", "true")
    expect(row.locator("a.subject")).to_have_css("font-weight", "700")
    expect(row.get_by_test_id("h3-banner")).to_contain_text(H3_NOTE)
    expect(row.get_by_test_id("priority")).to_have_text("URGENT")
    expect(row.get_by_test_id("tlp")).to_have_text("TLP:AMBER")
    expect(row.get_by_test_id("attachment-count")).to_have_text("1")
    page.get_by_role("checkbox", name="Unread only").check()
    expect(page).to_have_url(re.compile(r".*unread=1"))
    expect(_folder_row(page, subject)).to_have_count(1)

    # The arrival notification leads to the thread.
    page.get_by_role("link", name="Hits and notifications").click()
    notice = page.get_by_test_id("notifications").locator("tr[data-kind='message.received']")
    notice.filter(has_text="URGENT message from NCB-PT").first.get_by_role("link").click()
    expect(page).to_have_url(THREAD_URL)
    received = _message(page, subject)
    expect(received.get_by_test_id("h3-banner")).to_contain_text(H3_NOTE)
    expect(received.get_by_test_id("body")).to_contain_text("boarding a ferry")

    with page.expect_download() as download:
        received.get_by_test_id("attachment").click()
    assert download.value.suggested_filename == "surveillance-log.csv"
    saved = tmp_path / "download.csv"
    download.value.save_as(saved)
    assert saved.read_bytes() == report

    received.get_by_role("button", name="Acknowledge").click()
    expect(page).to_have_url(THREAD_URL)
    expect(_message(page, subject).get_by_test_id("own-receipts")).to_contain_text(
        "Acknowledged by NCB-GR"
    )
    page.goto(node.url("/messages"))
    expect(_folder_row(page, subject)).to_have_attribute("data-unread", "false")

    # The sender sees the three receipts of NCB-GR.
    _log_in_as(page, node, SENDER)
    page.goto(node.url("/messages/sent"))
    _folder_row(page, subject).locator("a.subject").click()
    receipts = (
        _message(page, subject).get_by_test_id("receipts").locator("tr[data-agency='NCB-GR']")
    )
    for kind in ("delivered", "opened", "acknowledged"):
        expect(receipts.locator(f"td[data-kind='{kind}']")).to_have_attribute("data-state", "done")
    expect(receipts.locator("td[data-kind='answered']")).to_have_attribute("data-state", "pending")


def test_forwarding_h2_is_refused_until_the_provider_consents(
    browser_page: Page, live_node: LiveNode
) -> None:
    page, node = browser_page, live_node
    subject = _unique("Cannabis shipment Piraeus")

    _log_in_as(page, node, SENDER)
    _compose(
        page,
        node,
        recipients=["NCB-GR"],
        subject=subject,
        body="Lorry GR-ZKT-4471 expected at Piraeus on Friday.",
        handling_code="H2",
        tlp="AMBER",
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(THREAD_URL)
    thread_url = page.url.split("#")[0]

    # The recipient may not forward: the button is disabled and says why…
    _log_in_as(page, node, RECIPIENT)
    page.goto(thread_url)
    received = _message(page, subject)
    expect(received.get_by_role("button", name="Forward")).to_be_disabled()
    expect(received.get_by_test_id("forward-reason")).to_contain_text(
        "H2 / TLP:AMBER: forwarding needs the recorded consent of the provider, NCB-PT"
    )
    # …and the server refuses it all the same when the form is sent anyway.
    message_id = received.get_attribute("data-message")
    token = page.locator("input[name=csrf_token]").first.input_value()
    refused = page.request.post(
        node.url(f"/messages/{message_id}/forward"),
        form={"csrf_token": token, "recipients": THIRD, "note": "FYI"},
    )
    assert refused.status == 403
    assert "needs the provider&#39;s recorded consent" in refused.text()

    # It asks the provider for consent, in the thread.
    received.get_by_test_id("request-consent").locator("summary").click()
    received.get_by_label("Why it is needed").fill("To alert the Romanian NCB: the driver is RO.")
    received.get_by_role("button", name="Request consent").click()
    expect(page).to_have_url(THREAD_URL)
    request = page.get_by_test_id("message").filter(has_text="Consent requested: forward")
    expect(request).to_contain_text("the driver is RO")

    # The provider grants it: to NCB-GR, to forward.
    _log_in_as(page, node, SENDER)
    page.goto(node.url("/messages"))
    expect(_folder_row(page, "Consent requested: forward")).not_to_have_count(0)
    page.goto(thread_url)
    original = _message(page, subject)
    grant = original.get_by_test_id("grant-consent")
    grant.locator("summary").click()
    grant.get_by_label("Recipient", exact=True).select_option("NCB-GR")
    grant.get_by_label("May", exact=True).select_option("forward")
    grant.get_by_label("Conditions").fill("For the interception only.")
    grant.get_by_role("button", name="Grant consent").click()
    expect(_message(page, subject).get_by_test_id("consents")).to_contain_text(
        "NCB-GR may forward it"
    )

    # Now the recipient forwards it, under the same handling code.
    _log_in_as(page, node, RECIPIENT)
    page.goto(thread_url)
    received = _message(page, subject)
    expect(received.get_by_test_id("forward-reason")).to_have_count(0)
    forward = received.get_by_test_id("forward")
    forward.locator("summary").click()
    forward.locator(f"input[name=recipients][value='{THIRD}']").check()
    forward.get_by_label("Note to the recipients").fill("For action: the driver is yours.")
    forward.get_by_role("button", name="Forward", exact=True).click()
    expect(page).to_have_url(THREAD_URL)
    forwarded = _message(page, f"Fwd: {subject}")
    expect(forwarded.get_by_test_id("recipients")).to_have_text(THIRD)
    expect(forwarded.get_by_test_id("handling-banner")).to_contain_text("H2")
    expect(forwarded.get_by_test_id("body")).to_contain_text("the driver is yours")


def test_a_refused_draft_shows_the_error_and_keeps_what_was_typed(
    browser_page: Page, live_node: LiveNode
) -> None:
    page, node = browser_page, live_node
    body = "Three passports in the names below; please check them against your registers."
    _log_in_as(page, node, SENDER)
    _compose(
        page,
        node,
        recipients=["NCB-GR"],
        subject="Passports to check",
        body=body,
        handling_code="H3",
        tlp="RED",
    )
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page).to_have_url(node.url("/messages/new"))
    expect(page.get_by_test_id("form-error")).to_contain_text("H3 needs the restriction")
    expect(page.locator("#handling_note")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("field-error")).to_contain_text("H3")
    expect(page.locator("#body")).to_have_value(body)
    expect(page.locator("#subject")).to_have_value("Passports to check")
    expect(page.locator("#handling_code")).to_have_value("H3")
    expect(page.locator("#tlp")).to_have_value("RED")
    expect(page.get_by_test_id("picker-selected")).to_contain_text("NCB-GR")

    # Written out, it goes.
    page.fill("#handling_note", "Do not record in national systems.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(THREAD_URL)
    expect(page.get_by_test_id("h3-banner")).to_contain_text("Do not record in national systems.")


def test_compose_and_read_without_javascript(chromium: Any, live_node: LiveNode) -> None:
    context = chromium.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        node = live_node
        _log_in_as(page, node, SENDER)
        page.goto(node.url("/messages/new"))
        page.fill("#subject", "Stolen vehicle on the A1")
        page.fill("#body", "VIN WVWZZZ1KZ6W000001, reported in Porto.")
        # The picker's search without JavaScript: the form comes back filtered, kept.
        page.get_by_role("searchbox", name="Search agencies by code, name or country").fill(
            "Romania"
        )
        page.get_by_role("button", name="Filter").click()
        expect(page.locator(".picker-options legend").first).to_have_text("Romania (RO)")
        expect(page.locator("#subject")).to_have_value("Stolen vehicle on the A1")
        page.check(f"input[name=recipients][value='{THIRD}']")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page).to_have_url(THREAD_URL)
        expect(
            _message(page, "Stolen vehicle on the A1").get_by_test_id("recipients")
        ).to_have_text(THIRD)
        page.goto(node.url("/messages/sent?q=A1"))
        expect(_folder_row(page, "Stolen vehicle on the A1")).to_have_count(1)
    finally:
        context.close()


def test_peer_hit_query_says_why_no_peer_answered(browser_page: Page, live_node: LiveNode) -> None:
    page, node = browser_page, live_node
    _log_in_as(page, node, SENDER)
    page.goto(node.url("/messages/hits"))
    form = page.get_by_test_id("peer-query")
    form.get_by_label("Name").fill("Ivan Petrovich Sidorenko")
    form.get_by_label("Birth date").fill("1971")
    form.get_by_label("Purpose").select_option("criminal_investigation")
    form.get_by_label("Justification").fill("Case PT-NCB/2026/0042")
    page.get_by_role("button", name="Ask the peers").click()
    # The demo is one node: the officer is told so, the form keeps what was typed.
    expect(page.get_by_test_id("peer-error")).to_contain_text("no peers")
    expect(form.get_by_label("Name")).to_have_value("Ivan Petrovich Sidorenko")
