"""The notifications API: the list, the unread count, marking read, the webhook."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.identity.roles import Role
from palermo.models.identity import WebSession
from tests.conftest import PASSWORD, Factory
from tests.notifications.conftest import Desk, notify


def test_list_count_and_mark_read(
    client: TestClient, db: Session, factory: Factory, home: Desk, other: Desk
) -> None:
    mine = factory.bearer(home.user)
    first = notify(db, home.agency, record_id="ncb-nl.p1")
    notify(db, home.agency, kind="record.review_due")
    theirs = notify(db, other.agency)

    listed = client.get("/api/notifications", headers=mine).json()
    assert [n["kind"] for n in listed] == ["record.review_due", "record.hit"]
    assert listed[1] == {
        "id": str(first.id),
        "kind": "record.hit",
        "record_id": "ncb-nl.p1",
        "message": first.message,
        "created_at": listed[1]["created_at"],
        "read_at": None,
    }
    unread = client.get("/api/notifications/unread", headers=mine).json()
    assert unread == {
        "count": 2,
        "latest_id": listed[0]["id"],
        "label": "2 unread notifications",
    }

    marked = client.post(f"/api/notifications/{first.id}/read", headers=mine)
    assert marked.json() == {"marked": 1, "unread": 1}
    refused = client.post(f"/api/notifications/{theirs.id}/read", headers=mine)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert client.get("/api/notifications?unread=true", headers=mine).json()[0]["kind"] == (
        "record.review_due"
    )
    assert client.post("/api/notifications/read-all", headers=mine).json() == {
        "marked": 1,
        "unread": 0,
    }
    theirs_now = client.get("/api/notifications/unread", headers=factory.bearer(other.user))
    assert theirs_now.json()["count"] == 1


def test_asking_for_news_does_not_keep_a_browser_session_alive(
    client: TestClient, db: Session, factory: Factory
) -> None:
    user, _ = factory.user("ncb-fr.officer", Role.officer)
    login = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert login.status_code == 200

    def last_seen() -> object:
        db.expire_all()
        return db.scalar(select(WebSession.last_seen_at).where(WebSession.user_id == user.id))

    before = last_seen()
    assert client.get("/api/notifications/unread").json()["count"] == 0
    assert last_seen() == before
    client.get("/api/notifications")  # reading the list is activity
    assert last_seen() != before


def test_an_agency_admin_sets_reads_and_removes_the_webhook(
    client: TestClient, factory: Factory, home: Desk, other: Desk
) -> None:
    admin = factory.bearer(home.user)
    body = {"url": "https://hooks.example.org/palermo"}
    officer = client.put(
        "/api/notifications/webhook", json=body, headers=factory.bearer(other.user)
    )
    assert officer.status_code == 403

    issued = client.put("/api/notifications/webhook", json=body, headers=admin)
    assert issued.status_code == 200, issued.text
    assert issued.json()["secret"].startswith("whsec_")
    shown = client.get("/api/notifications/webhook", headers=admin).json()
    assert shown["url"] == body["url"]
    assert "secret" not in shown
    assert client.get("/api/notifications/webhook/deliveries", headers=admin).json() == []
    plain = client.put(
        "/api/notifications/webhook", json={"url": "http://example.org/"}, headers=admin
    )
    assert plain.status_code == 422

    assert client.delete("/api/notifications/webhook", headers=admin).status_code == 204
    assert client.get("/api/notifications/webhook", headers=admin).status_code == 404
