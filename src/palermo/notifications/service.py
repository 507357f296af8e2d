"""Reading notifications, marking them read, and an agency's webhook.

Notifications are addressed to an agency, not to a person (`notifications.agency_id`), and
so is their read mark: when one officer reads a hit notification, the agency has been told,
and it no longer counts as unread for anyone there."""

from __future__ import annotations

import ipaddress
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, record
from palermo.errors import Invalid, NotFound
from palermo.identity import service as identity
from palermo.identity.principal import Principal
from palermo.models.notifications import AgencyWebhook, NotificationDelivery
from palermo.models.records import Notification
from palermo.notifications import repository
from palermo.notifications.webhooks import seal_secret
from palermo.policy.administration import require_agency_admin
from palermo.settings import Settings
from palermo.translatable import N_

MAX_URL = 2000


def mark_read(
    session: Session, *, principal: Principal, notification_id: uuid.UUID, now: datetime
) -> bool:
    """Mark one of the principal's agencies' notifications read (for the whole agency).
    True if it was unread."""
    notification = repository.notification(session, principal, notification_id)
    if notification.read_at is not None:
        return False
    notification.read_at = now
    return True


def mark_all_read(
    session: Session, *, principal: Principal, now: datetime, kind: str | None = None
) -> int:
    """Mark every unread notification of the principal's agencies read (of one kind, if
    given). Returns how many were."""
    query = update(Notification).where(
        Notification.agency_id.in_(principal.acting_agency_ids), Notification.read_at.is_(None)
    )
    if kind:
        query = query.where(Notification.kind == kind)
    result = session.execute(query.values(read_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


# Webhooks ----------------------------------------------------------------------------------
def check_url(url: str) -> str:
    """HTTPS, or plain HTTP to this machine (a local relay, tests): notifications never
    travel in clear over a network."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or not parts.hostname:
        raise Invalid(
            N_("give the webhook's full URL (at most %(max_url)s characters)"), max_url=MAX_URL
        )
    if parts.username or parts.password:
        raise Invalid(
            N_("the webhook URL must not carry credentials; the signature proves the sender")
        )
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and _loopback(parts.hostname):
        return url
    raise Invalid(
        N_("the webhook URL must be https:// (plain http only to 127.0.0.1 or localhost)")
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class IssuedWebhook:
    webhook: AgencyWebhook
    secret: str  # shown once; only its sealed form is stored


def set_webhook(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    agency_code: str,
    url: str,
    now: datetime,
) -> IssuedWebhook:
    """Register (or replace) the agency's webhook with a new shared secret."""
    agency = identity.get_agency(session, agency_code)
    require_agency_admin(principal, agency.id, act="configure its webhook")
    url = check_url(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    hook = repository.webhook(session, agency.id)
    if hook is None:
        hook = AgencyWebhook(agency_id=agency.id, created_at=now)
        session.add(hook)
    hook.url, hook.created_by, hook.created_at = url, principal.username, now
    hook.sealed_secret = seal_secret(settings, agency.id, secret)
    session.flush()
    record(
        session,
        action="notifications.webhook_set",
        operation=Operation.administration,
        principal=principal,
        object_ids=[agency.id],
        detail={"url": url},
    )
    return IssuedWebhook(webhook=hook, secret=secret)


def webhook_of(session: Session, *, principal: Principal, agency_code: str) -> AgencyWebhook:
    agency = identity.get_agency(session, agency_code)
    require_agency_admin(principal, agency.id, act="see its webhook")
    hook = repository.webhook(session, agency.id)
    if hook is None:
        raise NotFound(N_("%(code)s has no webhook"), code=agency.code)
    return hook


def remove_webhook(session: Session, *, principal: Principal, agency_code: str) -> None:
    """Stop pushing the agency's notifications; pending deliveries fail with the reason."""
    hook = webhook_of(session, principal=principal, agency_code=agency_code)
    session.delete(hook)
    record(
        session,
        action="notifications.webhook_remove",
        operation=Operation.administration,
        principal=principal,
        object_ids=[hook.agency_id],
    )


def deliveries(
    session: Session, *, principal: Principal, agency_code: str, limit: int = 20
) -> list[tuple[NotificationDelivery, str]]:
    """The agency's latest deliveries with their outcome, for its administrator."""
    agency = identity.get_agency(session, agency_code)
    require_agency_admin(principal, agency.id, act="see its webhook deliveries")
    return list(repository.deliveries(session, agency.id, limit=limit))
