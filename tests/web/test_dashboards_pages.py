"""The role dashboards on the home page, against the demo world: each role's panel lists
what its user needs and may see — and nothing of another agency's; a user with several roles
gets one panel per role, the review queues first.

Every user who must pass MFA logs in once in this module (a one-time code is accepted once)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import cast

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from palermo.app import create_app
from palermo.db import session_factory, unit_of_work
from palermo.demo.builder import DEMO_PASSWORD, DemoWorld
from palermo.identity import service
from palermo.identity.credentials import Credentials
from palermo.identity.principal import operator_principal
from palermo.identity.repository import hosted_agency_ids
from palermo.identity.roles import Role
from palermo.models.audit import AuditEvent
from palermo.models.finintel import MonitoringAlert
from palermo.models.identity import Agency
from palermo.settings import Settings
from tests.demo.conftest import Built, built

SEED = 7
PURPOSE = {"purpose": "criminal_investigation", "justification": "Dashboard review"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Built]:
    with built(tmp_path_factory, settings, seed=SEED) as demo:
        yield demo


@pytest.fixture(scope="module")
def app(world: Built) -> FastAPI:
    return create_app(world.settings, sessions=session_factory(world.engine))


def totp_secret(username: str) -> str:
    """The demo's seed for the user (`palermo demo code` gives the same)."""
    return DemoWorld.totp_secret_for(cast(DemoWorld, SimpleNamespace(seed=SEED)), username)


def sign_in(
    app: FastAPI, username: str, *, mfa: bool = False, context: bool = True, secret: str = ""
) -> TestClient:
    client = TestClient(app)
    body = {"username": username, "password": DEMO_PASSWORD}
    if mfa:
        body["totp_code"] = pyotp.TOTP(secret or totp_secret(username)).now()
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 200, response.text
    if context:
        declared = client.post(
            "/context",
            data={**PURPOSE, "next": "/", "csrf_token": response.json()["csrf_token"]},
            follow_redirects=False,
        )
        assert declared.status_code == 303, declared.text
    return client


def home(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200, page.text
    return page.text


def panels(html: str) -> list[str]:
    return re.findall(r'data-testid="panel-([a-z]+)"', html)


def section(html: str, key: str) -> str:
    """The HTML of one section of a panel."""
    found = re.search(rf'<section [^>]*data-testid="section-{key}".*?</section>', html, re.S)
    assert found, f"no section {key}"
    return found.group(0)


def total(html: str, key: str) -> int:
    found = re.search(rf'data-testid="section-{key}" data-total="(\d+)"', html)
    assert found, f"no section {key}"
    return int(found.group(1))


def test_an_officer_sees_the_tasks_hits_and_urgent_messages_of_the_bureau(app: FastAPI) -> None:
    html = home(sign_in(app, "ncb-co.officer"))
    assert panels(html) == ["officer"]
    tasks = section(html, "tasks")
    assert "Confirm identity" in tasks
    assert 'href="/tasks"' in tasks
    hits = section(html, "hits")
    assert "Luis Fernando Arango Benítez" in hits
    assert 'data-testid="flag">Unread' in hits
    messages = section(html, "messages")
    assert "Courier of the cocaine network expected at Madrid-Barajas" in messages
    assert 'href="/messages?unread=1"' in messages

    full = sign_in(app, "ncb-co.officer").get("/tasks").text
    assert full.count('data-testid="task"') == total(html, "tasks")

    other = home(sign_in(app, "ncb-fr.officer"))
    assert panels(other) == ["officer"]
    for theirs in ("Courier of the cocaine network", "Luis Fernando Arango", "Confirm identity"):
        assert theirs not in other


def test_an_analyst_reviews_links_and_cases_and_an_fius_analyst_its_alerts(
    app: FastAPI, world: Built
) -> None:
    undeclared = home(sign_in(app, "europol.analyst", context=False))
    assert 'data-testid="needs-context"' in section(undeclared, "links")
    assert "section-alerts" not in undeclared  # Europol is no FIU

    html = home(sign_in(app, "europol.analyst"))
    assert panels(html) == ["analyst"]
    links = section(html, "links")
    assert total(html, "links") > 0
    assert 'href="/linkage/compare?left=' in links
    assert "Operation Harbour" in section(html, "cases")

    fiu = home(sign_in(app, "nl-fiu.analyst"))
    with unit_of_work(session_factory(world.engine)) as db:
        waiting = db.scalar(
            select(func.count())
            .select_from(MonitoringAlert)
            .join(Agency, Agency.id == MonitoringAlert.agency_id)
            .where(Agency.code == "NL-FIU", MonitoringAlert.status.in_(["new", "in_review"]))
        )
    assert waiting
    assert total(fiu, "alerts") == waiting
    assert section(fiu, "alerts").count('href="/finintel/alerts/') == min(waiting, 8)
    assert "section-links" not in fiu  # the FIU has no linkage run


def test_a_supervisor_reviews_the_bureaus_diffusion_and_its_requests(app: FastAPI) -> None:
    html = home(sign_in(app, "ncb-es.supervisor", mfa=True))
    assert panels(html) == ["reviewer"]
    assert "Whereabouts of Francisco Javier Jiménez García" in section(html, "notices")
    assert "CO-FGN/R/2026/0002" in section(html, "requests")

    requester = home(sign_in(app, "ncb-es.officer"))
    assert "panel-reviewer" not in requester  # four eyes: the requester reviews nothing
    french = home(sign_in(app, "ncb-fr.supervisor", mfa=True))
    assert "Whereabouts of Francisco Javier" not in french
    assert "CO-FGN/R/2026/0002" not in french


def test_an_auditor_sees_the_anomalies_of_the_agency_and_the_reading_is_logged(
    app: FastAPI, world: Built
) -> None:
    html = home(sign_in(app, "ncb-es.auditor", mfa=True))
    assert panels(html) == ["auditor"]
    rows = set(re.findall(r'data-rule="([a-z_]+)" data-actor="([^"]+)"', html))
    assert ("denial_burst", "ncb-es.officer") in rows
    assert ("login_failures", "ncb-es.analyst") in rows
    log = section(html, "log")
    assert 'data-testid="log-size"' in log
    with unit_of_work(session_factory(world.engine)) as db:
        reads = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "audit.read", AuditEvent.actor == "ncb-es.auditor"
            )
        ).all()
    assert len(reads) == 1

    french = home(sign_in(app, "ncb-fr.auditor", mfa=True))
    assert "ncb-es." not in section(french, "anomalies")


def test_an_agency_admin_sees_its_users_grants_and_expiring_tokens(app: FastAPI) -> None:
    html = home(sign_in(app, "ncb-es.admin", mfa=True, context=False))
    assert panels(html) == ["administrator"]
    assert total(html, "users") == 5
    assert "NCB-ES → EUROPOL" in section(html, "grants")
    assert 'data-testid="flag">Expires soon' in section(html, "grants")
    assert "ncb-es.analyst · Case-management connector" in section(html, "tokens")

    french = home(sign_in(app, "ncb-fr.admin", mfa=True, context=False))
    assert "ncb-es." not in french
    assert total(french, "tokens") == 0


def test_a_partner_follows_its_reports_and_sees_nothing_else(app: FastAPI) -> None:
    html = home(sign_in(app, "ae-gmb.compliance", context=False))
    assert panels(html) == ["partner"]
    reports = section(html, "reports")
    assert "GMB-STR-2026-0480" in reports
    assert 'href="/finintel/reports/AE-FIU-' in reports
    assert total(html, "fiu") >= 1
    for elsewhere in ('href="/cases', 'href="/notices', 'href="/judicial', 'href="/linkage'):
        assert elsewhere not in html


def test_several_roles_give_several_panels_the_review_queues_first(
    app: FastAPI, world: Built
) -> None:
    settings = world.settings
    with unit_of_work(session_factory(world.engine)) as db:
        created = service.create_user(
            db,
            principal=operator_principal(hosted_agency_ids(db)),
            settings=settings,
            credentials=Credentials(settings),
            username="ncb-es.chief",
            display_name="Jefa de la Oficina",
            agency_code="NCB-ES",
            roles=[Role.officer, Role.auditor, Role.supervisor],
            password=DEMO_PASSWORD,
        )
        secret = created.totp_secret
    assert secret is not None
    html = home(sign_in(app, "ncb-es.chief", mfa=True, secret=secret))
    assert panels(html) == ["reviewer", "officer", "auditor"]
    assert html.count("<h1") == 1
