"""The financial-intelligence pages through the app (no browser): a bank files a report and
sees only its own, a broken file is refused with its problems and leaves nothing; the FIU
asks and the bank answers; the FIU's analyst works the alert queue after a monitoring run,
opens an alert, is told why a dismissal needs a note; an account's page and a trace show
the sums of the ledger; whoever is neither FIU nor reporter is refused."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.exchange import keys
from palermo.exchange.keys import Keyring
from palermo.finintel import service
from palermo.finintel.engine import Backend
from palermo.finintel.typologies import TYPOLOGIES
from palermo.models import AuditEvent
from palermo.models.base import utcnow
from palermo.models.exchange import Message
from palermo.models.finintel import AlertEvent, FinancialReport, MonitoringAlert
from palermo.models.records import Record
from palermo.policy.records import AccessContext
from palermo.settings import Settings
from tests.conftest import audit_actions
from tests.finintel import conftest as finintel_world
from tests.finintel.conftest import Fiu, sample
from tests.web.test_linkage_pages import log_in, sign_in

fiu = finintel_world.fiu  # AE-FIU, two registered banks, a police agency
stored = finintel_world.stored  # and a bank's return in its store

WORK = AccessContext.of("financial_intelligence", "STR 2026/17: the Hassan deposits")
ANALYST, BANK_1, BANK_2, POLICE = "fiu.analyst", "bank1.mlro", "bank2.mlro", "pol.analyst"
REFERENCE = re.compile(r"AE-FIU-\d{4}-000001")


def upload(client: TestClient, csrf: str, content: bytes, name: str = "str.xml"):
    return client.post(
        "/finintel/reports/new",
        data={"format": "goaml", "csrf_token": csrf},
        files={"file": (name, content, "application/xml")},
        follow_redirects=False,
    )


def counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(FinancialReport)) or 0,
        db.scalar(select(func.count()).select_from(Record)) or 0,
    )


@pytest.fixture
def monitored(db: Session, settings: Settings, stored: Fiu) -> Fiu:
    """The small ledger of every typology, imported as a bank's return and monitored."""
    service.monitor(
        db, stored["analyst"], settings, backend=Backend.duckdb, context=WORK, now=utcnow()
    )
    db.commit()
    return stored


def test_a_bank_files_a_report_and_sees_only_its_own(
    client: TestClient, db: Session, fiu: Fiu
) -> None:
    csrf = log_in(client, BANK_1)
    landing = client.get("/finintel", follow_redirects=False)
    assert (landing.status_code, landing.headers["location"]) == (303, "/finintel/reports")
    assert 'href="/finintel"' in client.get("/").text  # the navigation item, available
    assert 'data-testid="no-reports"' in client.get("/finintel/reports").text
    assert 'data-testid="upload-form"' in client.get("/finintel/reports/new").text

    filed = upload(client, csrf, sample("STR"))
    assert filed.status_code == 303, filed.text
    location = filed.headers["location"]
    assert re.fullmatch(r"/finintel/reports/AE-FIU-\d{4}-000001\?filed=1", location)
    page = client.get(location)
    assert page.status_code == 200
    assert 'data-testid="acknowledgement"' in page.text
    reference = REFERENCE.search(page.text)
    assert reference is not None
    ref = reference.group(0)
    assert "STR-2026-0042" in page.text
    assert "Customer conducted multiple cash deposits below threshold" in page.text
    assert "Layla Hassan" in page.text
    assert "120,000.00" in page.text
    assert "/records/" not in page.text  # the FIU's records are not the reporter's to open

    listing = client.get("/finintel/reports").text
    assert listing.count('data-testid="report-row"') == 1
    assert f'data-reference="{ref}"' in listing

    # Another bank sees none of it, and cannot open it.
    log_in(client, BANK_2)
    assert 'data-testid="report-row"' not in client.get("/finintel/reports").text
    assert client.get(f"/finintel/reports/{ref}").status_code == 404


def test_a_broken_report_shows_its_problems_and_keeps_nothing(
    client: TestClient, db: Session, fiu: Fiu
) -> None:
    csrf = log_in(client, BANK_1)
    before = counts(db)
    broken = sample("STR").replace(b"<amount_local>120000.00", b"<amount_local>abc")
    refused = upload(client, csrf, broken)
    assert refused.status_code == 422
    assert 'data-testid="problems"' in refused.text
    paths = re.findall(r'<tr data-testid="problem"><td><code>([^<]+)</code>', refused.text)
    assert any(p.startswith("/report/transaction") and "amount_local" in p for p in paths), paths
    assert "abc" in refused.text  # the value refused
    assert counts(db) == before
    assert 'data-testid="report-row"' not in client.get("/finintel/reports").text
    refusal = db.scalar(select(AuditEvent).where(AuditEvent.action == "finintel.report.submit"))
    assert refusal is not None  # the refusal itself is kept
    assert refusal.outcome == "failure"


def test_the_fiu_asks_and_the_bank_answers(client: TestClient, fiu: Fiu) -> None:
    csrf = log_in(client, BANK_1)
    ref = upload(client, csrf, sample("STR")).headers["location"].split("/")[-1].split("?")[0]

    csrf = sign_in(client, ANALYST, WORK)
    listing = client.get("/finintel/reports").text
    assert "Agency BANK-1" in listing  # the reporter's name
    assert 'data-testid="report-row"' in listing
    assert 'data-testid="report-row"' not in client.get("/finintel/reports?status=closed").text
    page = client.get(f"/finintel/reports/{ref}").text
    assert 'data-testid="status-form"' in page
    assert "/records/" in page  # the FIU opens the report's records
    empty = client.post(
        f"/finintel/reports/{ref}/messages",
        data={"kind": "information_request", "body": "  ", "csrf_token": csrf},
    )
    assert empty.status_code == 422
    assert 'data-testid="message-error"' in empty.text
    asked = client.post(
        f"/finintel/reports/{ref}/messages",
        data={
            "kind": "information_request",
            "body": "Send the account opening documents.",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303

    csrf = log_in(client, BANK_1)
    page = client.get(f"/finintel/reports/{ref}").text
    assert "Send the account opening documents." in page
    assert "Information requested" in page
    replied = client.post(
        f"/finintel/reports/{ref}/messages",
        data={"kind": "reply", "body": "Attached to our next filing.", "csrf_token": csrf},
    )
    assert replied.status_code == 200
    assert replied.text.count('data-testid="message"') == 2
    assert "Under analysis" in replied.text

    csrf = sign_in(client, ANALYST, WORK)
    closed = client.post(
        f"/finintel/reports/{ref}/status", data={"status": "closed", "csrf_token": csrf}
    )
    assert closed.status_code == 200
    assert 'data-testid="done"' in closed.text
    assert ref in client.get("/finintel/reports?status=closed").text


def test_whoever_is_neither_fiu_nor_reporter_is_refused(client: TestClient, fiu: Fiu) -> None:
    log_in(client, POLICE)
    refused = client.get("/finintel", follow_redirects=False)
    assert refused.status_code == 403
    assert "financial intelligence is the work of FIUs and their reporting entities" in (
        refused.text
    )
    assert client.get("/finintel/reports", follow_redirects=False).status_code == 403
    assert client.get("/finintel/alerts", follow_redirects=False).status_code == 403
    log_in(client, BANK_1)
    assert client.get("/finintel/alerts", follow_redirects=False).status_code == 403
    assert client.get("/finintel/trace", follow_redirects=False).status_code == 403


def test_the_analyst_works_the_alert_queue(
    client: TestClient, db: Session, settings: Settings, monitored: Fiu
) -> None:
    csrf = log_in(client, ANALYST)
    asked = client.get("/finintel/alerts", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/context?next=/finintel/alerts")
    csrf = sign_in(client, ANALYST, WORK)
    landing = client.get("/finintel", follow_redirects=False)
    assert landing.headers["location"] == "/finintel/alerts"

    alerts = list(db.scalars(select(MonitoringAlert)))
    queue = client.get("/finintel/alerts").text
    assert queue.count('data-testid="alert-row"') == len(alerts)
    strongest = max(alerts, key=lambda a: a.score)
    first = re.search(r'data-testid="alert-row" data-typology="(\w+)" data-id="([-\w]+)"', queue)
    assert first is not None
    assert first.group(2) == str(strongest.id)
    cycles = client.get("/finintel/alerts?typology=cycle").text
    assert cycles.count('data-testid="alert-row"') == 1
    assert TYPOLOGIES["cycle"] in cycles
    unknown = client.get("/finintel/alerts?status=lost")
    assert unknown.status_code == 422
    assert "unknown status" in unknown.text
    mule = client.get("/finintel/alerts?account=rp-mule").text
    assert 'data-typology="rapid_pass_through"' in mule

    cycle = next(a for a in alerts if a.typology == "cycle")
    page = client.get(f"/finintel/alerts/{cycle.id}").text
    assert "finintel.alert.read" in audit_actions(db)  # the store was consulted
    assert TYPOLOGIES["cycle"] in page
    assert cycle.rule_version in page
    for account in ("cy-0", "cy-1", "cy-2", "cy-3", "cy-4"):
        assert f'href="/finintel/accounts/{account}"' in page
    assert page.count('data-testid="alert-transaction"') == 5
    assert "50,000.00" in page
    assert 'data-testid="form-dismiss"' in page

    refused = client.post(
        f"/finintel/alerts/{cycle.id}/triage", data={"action": "dismiss", "csrf_token": csrf}
    )
    assert refused.status_code == 422
    assert re.search(r'data-testid="error-dismiss">to dismiss an alert, say why', refused.text)
    dismissed = client.post(
        f"/finintel/alerts/{cycle.id}/triage",
        data={"action": "dismiss", "note": "A family's savings moving home", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    page = client.get(dismissed.headers["location"]).text
    assert 'data-action="dismiss"' in page
    assert "A family&#39;s savings moving home" in page
    assert 'data-testid="form-reopen"' in page
    assert 'data-testid="form-dismiss"' not in page
    late = client.post(
        f"/finintel/alerts/{cycle.id}/triage",
        data={"action": "escalate", "note": "x", "reference": "CASE-1", "csrf_token": csrf},
    )
    assert late.status_code == 409
    assert 'data-testid="error-escalate"' in late.text
    nobody = client.post(
        f"/finintel/alerts/{cycle.id}/disseminate",
        data={"recipients": "", "note": "", "csrf_token": csrf},
    )
    assert nobody.status_code == 422
    assert 'data-testid="error-disseminate"' in nobody.text

    # Reopened, the alert goes to the police as an H2 message.
    keys.ensure_hosted_keys(db, Keyring.of(settings).sealer)
    db.commit()
    client.post(
        f"/finintel/alerts/{cycle.id}/triage", data={"action": "reopen", "csrf_token": csrf}
    )
    sent = client.post(
        f"/finintel/alerts/{cycle.id}/disseminate",
        data={"recipients": "ae-pol", "note": "For your investigation", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    db.expire_all()
    assert db.get(MonitoringAlert, cycle.id).status == "disseminated"
    reference = db.scalar(
        select(AlertEvent.reference).where(
            AlertEvent.alert_id == cycle.id, AlertEvent.action == "disseminate"
        )
    )
    assert reference is not None
    message = db.get(Message, uuid.UUID(reference.removeprefix("message ")))
    assert message is not None
    assert message.handling_code == "H2"


def test_an_account_and_a_trace_show_the_ledgers_sums(client: TestClient, monitored: Fiu) -> None:
    sign_in(client, ANALYST, WORK)
    # The mule: four credits of 20,000, each paid on within hours as 19,200.
    page = client.get("/finintel/accounts/rp-mule")
    assert page.status_code == 200, page.text
    assert '<dd data-testid="total-in">80,000.00 EUR</dd>' in page.text
    assert '<dd data-testid="total-out">76,800.00 EUR</dd>' in page.text
    assert '<dd data-testid="total-payments">8</dd>' in page.text
    assert page.text.count('data-testid="day"') == 4  # four days, each in and out
    assert page.text.count('data-in="20000.0" data-out="19200.0"') == 4
    assert page.text.count('data-testid="counterparty"') == 8
    assert page.text.count('data-testid="payment"') == 8
    assert TYPOLOGIES["rapid_pass_through"] in page.text
    assert client.get("/finintel/accounts/nobody").status_code == 404

    # Forward from the ring's first account: 5 % kept at each hop, back where it started.
    trace = client.get(
        "/finintel/trace", params={"origin": "cy-0", "direction": "forward", "hops": 5}
    )
    assert trace.status_code == 200, trace.text
    attributed = re.findall(r'data-testid="attributed">([\d,.]+)<', trace.text)
    assert attributed == ["50,000.00", "47,500.00", "45,125.00", "42,868.75", "40,725.31"]
    assert trace.text.count('data-testid="trace-link"') == 5
    data = re.search(r'<script type="application/json" id="trace-data">(.*?)</script>', trace.text)
    assert data is not None
    diagram = json.loads(data.group(1))
    assert diagram["direction"] == "forward"
    assert [(f["hop"], f["source"], f["target"]) for f in diagram["flows"]] == [
        (1, "cy-0", "cy-1"),
        (2, "cy-1", "cy-2"),
        (3, "cy-2", "cy-3"),
        (4, "cy-3", "cy-4"),
        (5, "cy-4", "cy-0"),
    ]
    assert '<script src="/static/js/finintel.js" defer>' in trace.text

    unknown = client.get("/finintel/trace", params={"origin": "nobody"})
    assert unknown.status_code == 404
    assert 'data-testid="trace-error"' in unknown.text
    assert 'data-testid="trace-form"' in client.get("/finintel/trace").text
