"""Tables of the notification webhooks: an agency's webhook, and the delivery of each of its
notifications (the outbox, written in the transaction that creates the notification)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from palermo.models.base import Base, CreatedMixin, IdMixin
from palermo.models.records import Notification


class AgencyWebhook(IdMixin, CreatedMixin, Base):
    """Where an agency wants its notifications pushed: an HTTPS URL and the shared secret
    that signs every delivery (sealed under the node secret, like agency keys)."""

    __tablename__ = "agency_webhooks"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    sealed_secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(128))


class NotificationDelivery(CreatedMixin, Base):
    """One notification to push to its agency's webhook: pending (with its next attempt,
    claimed under a lease) until delivered or failed, always with the reason."""

    __tablename__ = "notification_deliveries"

    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]
    # Written in the flush that inserts the notification: the relationship orders the inserts.
    notification: Mapped[Notification] = relationship(lazy="raise")
