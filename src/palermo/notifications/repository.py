"""Every query of notifications: a principal reads those of the agencies it acts for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.models.notifications import AgencyWebhook, NotificationDelivery
from palermo.models.records import Notification


@dataclass(frozen=True)
class Unread:
    count: int
    latest_id: uuid.UUID | None  # the newest unread notification: a new one changes it


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    unread_only: bool = False
    notification_id: uuid.UUID | None = None


def _addressed_to(principal: Principal) -> ColumnElement[bool]:
    return Notification.agency_id.in_(principal.acting_agency_ids)


def unread(session: Session, principal: Principal) -> Unread:
    """How many notifications of the principal's agencies nobody there has read yet."""
    mine = _addressed_to(principal), Notification.read_at.is_(None)
    count = session.scalar(select(func.count()).select_from(Notification).where(*mine)) or 0
    latest = session.scalar(
        select(Notification.id)
        .where(*mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(1)
    )
    return Unread(count=count, latest_id=latest)


def listing(
    session: Session, principal: Principal, filters: Filters, *, offset: int = 0, limit: int = 50
) -> Sequence[Notification]:
    """The principal's agencies' notifications, newest first."""
    query = select(Notification).where(_addressed_to(principal))
    if filters.kind:
        query = query.where(Notification.kind == filters.kind)
    if filters.unread_only:
        query = query.where(Notification.read_at.is_(None))
    if filters.notification_id:
        query = query.where(Notification.id == filters.notification_id)
    order = Notification.created_at.desc(), Notification.id.desc()
    return session.scalars(query.order_by(*order).offset(offset).limit(limit)).all()


def kinds(session: Session, principal: Principal) -> list[str]:
    """The kinds of notification the principal's agencies have received."""
    query = select(Notification.kind).where(_addressed_to(principal)).distinct()
    return sorted(session.scalars(query))


def notification(
    session: Session, principal: Principal, notification_id: uuid.UUID
) -> Notification:
    """One of the principal's agencies' notifications; another agency's is not found."""
    found = session.scalar(
        select(Notification).where(Notification.id == notification_id, _addressed_to(principal))
    )
    if found is None:
        raise NotFound(f"no notification {notification_id}")
    return found


def webhook(session: Session, agency_id: uuid.UUID) -> AgencyWebhook | None:
    return session.scalar(select(AgencyWebhook).where(AgencyWebhook.agency_id == agency_id))


def deliveries(
    session: Session, agency_id: uuid.UUID, *, limit: int = 20
) -> Sequence[tuple[NotificationDelivery, str]]:
    """The agency's latest webhook deliveries, each with its notification's kind."""
    return session.execute(
        select(NotificationDelivery, Notification.kind)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .where(NotificationDelivery.agency_id == agency_id)
        .order_by(NotificationDelivery.created_at.desc())
        .limit(limit)
    ).all()
