"""Webhooks: the outbox row is written with the notification, and the sweep delivers it to a
real HTTP server on loopback, signed, retrying with the reason recorded."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from palermo.errors import Forbidden, Invalid
from palermo.models.base import utcnow
from palermo.models.notifications import NotificationDelivery
from palermo.models.records import Notification
from palermo.notifications import service, webhooks
from palermo.settings import Settings
from tests.notifications.conftest import Desk, Receiver, notify

SRC = Path(__file__).parents[2] / "src" / "palermo"


def hooked(db: Session, settings: Settings, desk: Desk, url: str) -> str:
    issued = service.set_webhook(
        db,
        principal=desk.principal,
        settings=settings,
        agency_code=desk.agency.code,
        url=url,
        now=utcnow(),
    )
    db.commit()
    return issued.secret


def deliveries(db: Session) -> list[NotificationDelivery]:
    db.expire_all()
    return list(db.scalars(select(NotificationDelivery)))


def sweep(sessions: sessionmaker[Session], settings: Settings) -> int:
    with httpx.Client(timeout=5.0) as client:
        return webhooks.deliver_due(sessions, settings, client)


def test_the_outbox_row_is_written_and_rolled_back_with_the_notification(
    db: Session, settings: Settings, home: Desk, other: Desk
) -> None:
    hooked(db, settings, home, "https://hooks.example.org/palermo")
    db.add(Notification(agency_id=home.agency.id, kind="record.hit", message="hit"))
    db.add(Notification(agency_id=other.agency.id, kind="record.hit", message="hit"))
    db.flush()
    [queued] = deliveries(db)  # only the agency with a webhook
    assert (queued.agency_id, queued.status) == (home.agency.id, webhooks.PENDING)

    db.rollback()
    assert deliveries(db) == []
    assert db.scalars(select(Notification)).all() == []


def test_notifications_are_created_through_the_orm_only() -> None:
    """A Core insert into `notifications` would skip the outbox listener."""
    bypass = re.compile(r"(insert\(|table_of\()\s*Notification\b")
    offenders = [p for p in SRC.rglob("*.py") if bypass.search(p.read_text())]
    assert offenders == []


def test_a_delivery_is_signed_and_carries_no_message_text(
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    home: Desk,
    receiver: Receiver,
) -> None:
    secret = hooked(db, settings, home, receiver.url)
    notification = notify(db, home.agency, message="NCB-BE hit record ncb-nl.p1 (Jan de Vries)")

    assert sweep(sessions, settings) == 1
    [(headers, body)] = receiver.posts
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["palermo-signature"], expected)
    document = json.loads(body)
    assert document["id"] == str(notification.id)
    assert document["kind"] == "record.hit"
    assert document["agency"] == "NCB-NL"
    assert document["link"].endswith(f"/notifications?id={notification.id}")
    assert "Jan de Vries" not in body.decode()
    assert "ncb-nl.p1" not in body.decode()
    [done] = deliveries(db)
    assert (done.status, done.attempts, done.last_error) == (webhooks.DELIVERED, 1, None)
    assert sweep(sessions, settings) == 0  # delivered once


def test_failures_are_retried_with_backoff_then_given_up_with_the_reason(
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    home: Desk,
    receiver: Receiver,
) -> None:
    hooked(db, settings, home, receiver.url)
    notify(db, home.agency)
    receiver.status = 503

    assert sweep(sessions, settings) == 1
    [waiting] = deliveries(db)
    assert waiting.status == webhooks.PENDING
    assert waiting.last_error == "the endpoint answered 503"
    assert waiting.next_attempt_at > utcnow()
    assert sweep(sessions, settings) == 0  # not due before its backoff

    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        db.execute(update(NotificationDelivery).values(next_attempt_at=utcnow()))
        db.commit()
        sweep(sessions, settings)
    [failed] = deliveries(db)
    assert failed.status == webhooks.FAILED
    assert failed.last_error == (
        f"gave up after {webhooks.MAX_ATTEMPTS} attempts: the endpoint answered 503"
    )
    assert len(receiver.posts) == webhooks.MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_recorded_and_retried(
    db: Session, sessions: sessionmaker[Session], settings: Settings, home: Desk
) -> None:
    hooked(db, settings, home, "http://127.0.0.1:9/closed")  # discard port: nobody listens
    notify(db, home.agency)
    sweep(sessions, settings)
    [waiting] = deliveries(db)
    assert waiting.status == webhooks.PENDING
    assert waiting.last_error is not None
    assert waiting.last_error.startswith("unreachable: ")


def test_a_removed_webhook_fails_its_pending_deliveries_with_the_reason(
    db: Session, sessions: sessionmaker[Session], settings: Settings, home: Desk
) -> None:
    hooked(db, settings, home, "https://hooks.example.org/palermo")
    notify(db, home.agency)
    service.remove_webhook(db, principal=home.principal, agency_code="NCB-NL")
    db.commit()
    notify(db, home.agency)  # no webhook any more: nothing queued

    for _ in range(webhooks.MAX_ATTEMPTS):
        db.execute(update(NotificationDelivery).values(next_attempt_at=utcnow()))
        db.commit()
        sweep(sessions, settings)
    [failed] = deliveries(db)
    assert failed.status == webhooks.FAILED
    assert failed.last_error is not None
    assert failed.last_error.endswith("the agency has no webhook any more")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.org/x", "must be https://"),
        ("https://user:pw@hooks.example.org/x", "must not carry credentials"),
        ("ftp://127.0.0.1/x", "must be https://"),
        ("hooks.example.org", "full URL"),
    ],
)
def test_a_webhook_is_https_or_loopback(url: str, problem: str) -> None:
    with pytest.raises(Invalid, match=problem):
        service.check_url(url)
    for fine in ("https://hooks.example.org/x", "http://127.0.0.1:8080/x", "http://[::1]/x"):
        assert service.check_url(fine) == fine


def test_only_the_agencys_administrator_configures_or_reads_its_webhook(
    db: Session, settings: Settings, home: Desk, other: Desk
) -> None:
    with pytest.raises(Forbidden):
        hooked(db, settings, other, "https://hooks.example.org/x")  # an officer
    with pytest.raises(Forbidden):
        service.deliveries(db, principal=other.principal, agency_code="NCB-NL")
    hooked(db, settings, home, "https://hooks.example.org/x")
    replaced = hooked(db, settings, home, "https://hooks.example.org/y")
    hook = service.webhook_of(db, principal=home.principal, agency_code="NCB-NL")
    assert hook.url == "https://hooks.example.org/y"
    assert replaced.startswith("whsec_")
    assert replaced.encode() not in hook.sealed_secret


def test_due_is_judged_by_the_clock(db: Session, settings: Settings, home: Desk) -> None:
    hooked(db, settings, home, "https://hooks.example.org/x")
    notify(db, home.agency)
    claimed = webhooks.claim(db, settings, utcnow() - timedelta(seconds=5))
    assert claimed == []  # queued just now: not due five seconds ago


def test_a_webhook_set_or_removed_within_a_transaction_counts_from_then_on(
    db: Session, settings: Settings, home: Desk
) -> None:
    """Which agencies have a webhook is asked once a transaction (a peer's batch notifies
    the same agencies envelope after envelope) — and asked again once one comes or goes."""
    db.add(Notification(agency_id=home.agency.id, kind="record.hit", message="before"))
    db.flush()
    service.set_webhook(
        db,
        principal=home.principal,
        settings=settings,
        agency_code=home.agency.code,
        url="https://hooks.example.org/palermo",
        now=utcnow(),
    )
    db.add(Notification(agency_id=home.agency.id, kind="record.hit", message="hooked"))
    db.flush()
    service.remove_webhook(db, principal=home.principal, agency_code=home.agency.code)
    db.flush()
    db.add(Notification(agency_id=home.agency.id, kind="record.hit", message="after"))
    db.flush()
    queued = [d.notification_id for d in deliveries(db)]
    assert db.scalars(select(Notification.message).where(Notification.id.in_(queued))).all() == [
        "hooked"
    ]
