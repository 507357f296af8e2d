"""The sender hears of its messages' receipts: each recipient's first delivered (to a peer
node), opened, acknowledged and answered, notified in the transaction that records it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from palermo.db import insert_dicts
from palermo.models.base import table_of
from palermo.models.exchange import MessageReceipt
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


def insert_first(
    session: Session, receipts: Iterable[tuple[uuid.UUID, uuid.UUID, str]], kind: str, at: datetime
) -> None:
    """Receipts known to be the first of their kind — (message, agency, actor) each: a
    message new here, deliveries not yet receipted — straight to the driver."""
    insert_dicts(
        session,
        table_of(MessageReceipt),
        [
            {"message_id": m, "agency_id": a, "kind": kind, "at": at, "actor": actor}
            for m, a, actor in receipts
        ],
    )
