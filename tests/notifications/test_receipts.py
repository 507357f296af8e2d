"""Receipts notify the sender: opened, acknowledged and answered, each once per recipient.
(Delivery on the sender's own node happens as it sends and is not notified; delivery to a
peer node is, when the courier records it.)"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.exchange import messages, reading
from palermo.exchange.keys import Keyring
from palermo.exchange.messages import Draft
from palermo.models.base import utcnow
from palermo.models.records import Notification
from palermo.settings import Settings
from tests.conftest import Factory
from tests.exchange.conftest import Desk, Peer, make_desk
from tests.exchange.test_federation import envelope, receive


def draft(**fields: object) -> Draft:
    defaults: dict[str, object] = {
        "recipients": ["NCB-FR"],
        "subject": "Consignment via Rotterdam",
        "body": "Container arrives on Tuesday",
        "max_attachment_bytes": 1024,
        "today": utcnow().date(),
    }
    return Draft.of(**(defaults | fields))  # type: ignore[arg-type]


def test_the_sender_hears_of_each_receipt_once(
    db: Session, factory: Factory, settings: Settings
) -> None:
    keyring = Keyring.of(settings)
    germany, france = make_desk(db, factory, "NCB-DE"), make_desk(db, factory, "NCB-FR")
    sent = messages.send(db, keyring, principal=germany.principal, draft=draft(), now=utcnow())
    db.commit()

    for _ in range(2):  # opened twice: one receipt
        reading.view(db, keyring, principal=france.principal, message_id=sent.id, now=utcnow())
    reading.acknowledge(db, keyring, principal=france.principal, message_id=sent.id, now=utcnow())
    reply = draft(recipients=["NCB-DE"], subject="Re: consignment", in_reply_to=sent.id)
    messages.send(db, keyring, principal=france.principal, draft=reply, now=utcnow())
    db.commit()

    told = db.scalars(
        select(Notification)
        .where(Notification.agency_id == germany.agency.id)
        .order_by(Notification.created_at)
    ).all()
    assert sorted(n.kind for n in told) == [
        "message.acknowledged",
        "message.answered",
        "message.opened",
        "message.received",  # the reply itself
    ]
    opened = next(n for n in told if n.kind == "message.opened")
    assert opened.message == f"Your message [{sent.id}] was opened by NCB-FR"
    assert "Consignment" not in " ".join(n.message for n in told)  # subjects stay sealed


def test_a_receipt_from_a_peer_notifies_the_sender_here(
    db: Session, keyring: Keyring, peer: Peer, desks: dict[str, Desk]
) -> None:
    france = desks["NCB-FR"]
    to_spain = draft(recipients=["AG-X"], subject="To Spain")
    sent = messages.send(db, keyring, principal=france.principal, draft=to_spain, now=utcnow())
    db.commit()
    opened = {
        "message": str(sent.id),
        "agency": "AG-X",
        "receipt": "opened",
        "at": "2026-01-01T00:00:00+00:00",
    }
    for _ in range(2):  # the same receipt again under a new envelope: told once
        assert receive(db, envelope(peer, opened, kind="receipt"))["outcome"] == "accepted"

    told = db.scalars(
        select(Notification.message).where(
            Notification.agency_id == france.agency.id, Notification.kind == "message.opened"
        )
    ).all()
    assert told == [f"Your message [{sent.id}] was opened by AG-X"]
