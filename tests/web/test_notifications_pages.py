"""The notifications page: unread marked, filtered by kind, paged, marked read (one or all,
with the CSRF token), and the webhook's deliveries for the agency's administrator."""

from __future__ import annotations

import re

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.notifications import service
from palermo.settings import Settings
from tests.conftest import PASSWORD, Factory
from tests.notifications.conftest import desk, notify


def log_in(client: TestClient, username: str, secret: str | None = None) -> str:
    code = pyotp.TOTP(secret).now() if secret else None
    body = {"username": username, "password": PASSWORD, "totp_code": code}
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def rows(html: str) -> list[str]:
    return re.findall(
        r'data-testid="notification-row" data-kind="([^"]+)" data-unread="(\w+)"', html
    )


def test_unread_rows_filters_and_marking_read(
    client: TestClient, db: Session, factory: Factory
) -> None:
    officer, other = desk(db, factory, "NCB-SE"), desk(db, factory, "NCB-NO")
    hit = notify(db, officer.agency, record_id="ncb-se.p1")
    notify(db, officer.agency, kind="record.review_due", message="Record ncb-se.p2 is due")
    theirs = notify(db, other.agency)
    csrf = log_in(client, officer.user.username)

    page = client.get("/notifications").text
    assert "2 unread notifications" in page
    assert rows(page) == [("record.review_due", "true"), ("record.hit", "true")]
    assert '<option value="record.hit">Hit on a record of yours</option>' in page
    assert rows(client.get("/notifications?kind=record.hit").text) == [("record.hit", "true")]

    refused = client.post("/notifications", data={"read": str(hit.id)}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    marked = client.post(
        "/notifications",
        data={"read": str(hit.id), "csrf_token": csrf, "kind": "record.hit"},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/notifications?kind=record.hit&page=1"
    page = client.get("/notifications").text
    assert rows(page) == [("record.review_due", "true"), ("record.hit", "false")]
    assert "1 unread notification<" in page

    theirs_read = client.post("/notifications", data={"read": str(theirs.id), "csrf_token": csrf})
    assert theirs_read.status_code == 404
    client.post("/notifications", data={"all": "1", "csrf_token": csrf})
    assert rows(client.get("/notifications?unread=1").text) == []
    assert 'data-testid="webhook"' not in page  # an officer does not administer


def test_pages_of_twenty_five(client: TestClient, db: Session, factory: Factory) -> None:
    officer = desk(db, factory, "NCB-DK")
    for n in range(27):
        notify(db, officer.agency, message=f"notification {n}")
    log_in(client, officer.user.username)

    first = client.get("/notifications").text
    assert len(rows(first)) == 25
    assert 'data-testid="next-page"' in first
    second = client.get("/notifications?page=2").text
    assert len(rows(second)) == 2
    assert 'data-testid="previous-page"' in second


def test_the_administrator_sees_the_webhooks_deliveries(
    client: TestClient, db: Session, factory: Factory, settings: Settings, operator: Principal
) -> None:
    agency = factory.agency("NCB-FI", country="FI")
    admin, secret = factory.user("ncb-fi.admin", Role.agency_admin, agency=agency)
    service.set_webhook(
        db,
        principal=operator,
        settings=settings,
        agency_code="NCB-FI",
        url="https://hooks.example.org/fi",
        now=utcnow(),
    )
    db.commit()
    notify(db, agency)
    log_in(client, admin.username, secret)

    page = client.get("/notifications").text
    assert "https://hooks.example.org/fi" in page
    assert re.search(r'data-testid="delivery" data-status="pending"', page)
