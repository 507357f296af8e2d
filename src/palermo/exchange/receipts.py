"""The sender hears of its messages' receipts: each recipient's first delivered (to a peer
node), opened, acknowledged and answered, notified in the transaction that records it."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from palermo.models.records import Notification
from palermo.notifications import texts
from palermo.translatable import written


def notify_sender(
    session: Session, *, message_id: uuid.UUID, sender_id: uuid.UUID, recipient: str, kind: str
) -> None:
    """`kind` is a receipt kind (delivered, opened, acknowledged, answered); `sender_id` an
    agency hosted on this node."""
    session.add(
        Notification(
            agency_id=sender_id,
            kind=f"message.{kind}",
            record_id=None,
            message=written(texts.RECEIPT[kind], id=message_id, recipient=recipient),
        )
    )
