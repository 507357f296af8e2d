"""Webhook delivery of notifications.

**The outbox.** Every notification of an agency with a webhook gets a delivery row in the
flush that inserts the notification — a `before_flush` listener on every `Session`, so no
capability has to remember it and none can forget it: the row commits, or rolls back, with
the notification. (A Core `insert()` into `notifications` would bypass the listener; the
code creates notifications through the ORM only, and a test checks it.)

**The payload** carries the notification's id, kind, title, time, agency and a link into
the workspace — never its message: messages name records, people and handling notes, and
what leaves the node for a third-party endpoint must not escape the handling rules that the
workspace applies. Whoever follows the link reads the notification under policy.

**Delivery** is a sweep (`palermo notifications deliver`): due rows are claimed under a lease
in one short transaction, posted with no transaction open, and their outcomes recorded in
another — delivered, or back to pending with the reason and an exponential backoff, or
failed for good after `MAX_ATTEMPTS` with the last reason. Each body is signed with
HMAC-SHA256 under the agency's shared secret (`Palermo-Signature: sha256=<hex>`); the body
carries `sent_at` (reject stale ones) and the notification id (deliveries may repeat after a
crash between posting and recording: deduplicate by id)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from palermo.db import SessionFactory, unit_of_work
from palermo.exchange.crypto import sealer_for
from palermo.exchange.outbox import backoff
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.notifications import AgencyWebhook, NotificationDelivery
from palermo.models.records import Notification
from palermo.notifications.kinds import title_of
from palermo.settings import Settings

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SIGNATURE_HEADER = "Palermo-Signature"
MAX_ATTEMPTS = 10  # about seventeen minutes of retries at the default backoff
BATCH = 100
LEASE = timedelta(seconds=60)  # a claim a crashed sweep left behind is retried after this
BASE_BACKOFF, MAX_BACKOFF = 2.0, 600.0
TIMEOUT_SECONDS = 10.0
_HOOKED = "palermo.webhooks.hooked"  # session.info: (transaction, {agency id: hooked})


@event.listens_for(Session, "before_flush")
def _queue_deliveries(session: Session, _context: object, _instances: object) -> None:
    """The outbox row of each new notification whose agency has a webhook."""
    if any(isinstance(o, AgencyWebhook) for o in (*session.new, *session.deleted)):
        session.info.pop(_HOOKED, None)  # an agency's webhook comes or goes
    new = [n for n in session.new if isinstance(n, Notification)]
    if not new:
        return
    hooked = _hooked(session, {n.agency_id for n in new})
    now = utcnow()
    for notification in new:
        if notification.agency_id not in hooked:
            continue
        session.add(
            NotificationDelivery(
                notification=notification,
                agency_id=notification.agency_id,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def _hooked(session: Session, agency_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these agencies have a webhook, asked once a transaction for each: a peer's
    batch flushes a notification for the same agencies envelope after envelope."""
    transaction = session.get_transaction()
    cached = session.info.get(_HOOKED)
    if cached is None or cached[0] is not transaction:
        cached = session.info[_HOOKED] = (transaction, {})
    known: dict[uuid.UUID, bool] = cached[1]
    asked = agency_ids - known.keys()
    if asked:
        with session.no_autoflush:
            found = set(
                session.scalars(
                    select(AgencyWebhook.agency_id).where(AgencyWebhook.agency_id.in_(asked))
                )
            )
        known.update((a, a in found) for a in asked)
    return {a for a in agency_ids if known[a]}


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def seal_secret(settings: Settings, agency_id: uuid.UUID, secret: str) -> bytes:
    return sealer_for(settings.secret_key).seal(f"webhook:{agency_id}", secret.encode())


def _open_secret(settings: Settings, hook: AgencyWebhook) -> str:
    return (
        sealer_for(settings.secret_key)
        .open(f"webhook:{hook.agency_id}", hook.sealed_secret)
        .decode()
    )


def payload(notification: Notification, agency_code: str, settings: Settings) -> dict[str, Any]:
    """What the webhook receives: no message text (see the module's docstring)."""
    base = (settings.node_url or "").rstrip("/")
    return {
        "id": str(notification.id),
        "kind": notification.kind,
        "title": title_of(notification.kind),
        "agency": agency_code,
        "created_at": notification.created_at.isoformat(),
        "link": f"{base}/notifications?id={notification.id}",
    }


@dataclass(frozen=True)
class Claimed:
    notification_id: uuid.UUID
    attempts: int
    url: str | None  # None: the agency removed its webhook meanwhile
    secret: str
    document: dict[str, Any]


def claim(session: Session, settings: Settings, now: datetime) -> list[Claimed]:
    """Take due deliveries under a lease (PostgreSQL: rows another sweep holds are skipped)."""
    query = (
        select(NotificationDelivery)
        .where(NotificationDelivery.status == PENDING, NotificationDelivery.next_attempt_at <= now)
        .order_by(NotificationDelivery.next_attempt_at)
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = session.scalars(query).all()
    if not due:
        return []
    ids = [d.notification_id for d in due]
    notifications = {
        n.id: n for n in session.scalars(select(Notification).where(Notification.id.in_(ids)))
    }
    agencies = {d.agency_id for d in due}
    hooks = {
        h.agency_id: h
        for h in session.scalars(select(AgencyWebhook).where(AgencyWebhook.agency_id.in_(agencies)))
    }
    codes = dict(
        session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(agencies))).all()
    )
    claimed = []
    for delivery in due:
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        hook = hooks.get(delivery.agency_id)
        notification = notifications[delivery.notification_id]
        claimed.append(
            Claimed(
                notification_id=delivery.notification_id,
                attempts=delivery.attempts,
                url=hook.url if hook else None,
                secret=_open_secret(settings, hook) if hook else "",
                document=payload(notification, codes[delivery.agency_id], settings),
            )
        )
    return claimed


def post(client: httpx.Client, item: Claimed, now: datetime) -> str | None:
    """Send one notification; None when the endpoint took it, else why not."""
    if item.url is None:
        return "the agency has no webhook any more"
    body = json.dumps({**item.document, "sent_at": now.isoformat()}, sort_keys=True).encode()
    headers = {"content-type": "application/json", SIGNATURE_HEADER: sign(item.secret, body)}
    try:
        response = client.post(item.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return f"unreachable: {type(error).__name__}: {error}"
    if response.is_success:
        return None
    return f"the endpoint answered {response.status_code}"


def record_outcomes(
    session: Session, outcomes: dict[uuid.UUID, str | None], *, now: datetime
) -> None:
    rows = session.scalars(
        select(NotificationDelivery).where(NotificationDelivery.notification_id.in_(outcomes))
    )
    for delivery in rows:
        reason = outcomes[delivery.notification_id]
        delivery.last_error = reason
        if reason is None:
            delivery.status, delivery.finished_at = DELIVERED, now
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.finished_at = FAILED, now
            delivery.last_error = f"gave up after {delivery.attempts} attempts: {reason}"
        else:
            wait = backoff(delivery.attempts, base=BASE_BACKOFF, ceiling=MAX_BACKOFF)
            delivery.next_attempt_at = now + wait


def deliver_due(sessions: SessionFactory, settings: Settings, client: httpx.Client) -> int:
    """One sweep: claim, post (no transaction open meanwhile), record. Returns how many
    deliveries were attempted."""
    with unit_of_work(sessions) as session:
        claimed = claim(session, settings, utcnow())
    if not claimed:
        return 0
    outcomes = {item.notification_id: post(client, item, utcnow()) for item in claimed}
    with unit_of_work(sessions) as session:
        record_outcomes(session, outcomes, now=utcnow())
    return len(claimed)


def keep_delivering(
    sessions: SessionFactory, settings: Settings, *, every: float, stop: threading.Event
) -> None:
    """Sweep until `stop` is set: at once while batches come full, else every `every` s."""
    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        while not stop.is_set():
            try:
                if deliver_due(sessions, settings, client) >= BATCH:
                    continue
            except Exception:
                log.exception("webhook delivery sweep failed; retrying")
            stop.wait(every)
