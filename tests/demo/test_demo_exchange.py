"""The demo's message traffic: every feature of the exchange appears with realistic data."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.exchange import reading
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.identity.service import principal_for
from palermo.models.base import utcnow
from palermo.models.exchange import AgencyKey, Consent, Message, MessageReceipt
from palermo.settings import Settings


def test_every_hosted_agency_has_its_keys(db: Session) -> None:
    hosted = repository.hosted_agency_ids(db)
    keyed = db.execute(
        select(AgencyKey.agency_id, func.count()).group_by(AgencyKey.agency_id)
    ).all()
    assert {agency for agency, count in keyed if count == 2} == hosted


def test_the_traffic_shows_every_kind_of_exchange(db: Session) -> None:
    messages = db.scalars(select(Message)).all()
    assert len(messages) >= 12
    assert {m.kind for m in messages} == {"message", "details_request", "consent_request"}
    assert {m.priority for m in messages} == {"routine", "urgent", "immediate"}
    assert {"H0", "H1", "H2", "H3"} <= {m.handling_code for m in messages}
    assert any(m.forwarded_from for m in messages)
    assert any(m.in_reply_to for m in messages)
    assert any(len(m.header["attachments"]) for m in messages)
    assert {r.kind for r in db.scalars(select(MessageReceipt))} == {
        "delivered",
        "opened",
        "acknowledged",
        "answered",
    }
    assert db.scalar(select(func.count()).select_from(Consent)) >= 1


def test_a_demo_officer_reads_the_forwarded_trafficking_lead(
    db: Session, settings: Settings
) -> None:
    user = repository.user_by_username(db, "ncb-de.officer")
    assert user is not None
    principal = principal_for(user, channel="session")
    keyring = Keyring.of(settings)
    [lead] = reading.listing(db, keyring, principal=principal, text="Frankfurt-Höchst")
    view = reading.view(db, keyring, principal=principal, message_id=lead.id, now=utcnow())
    assert (view.sender, view.handling_code, view.tlp) == ("DE-BKA", "H2", "AMBER+STRICT")
    assert view.signature_verified
    assert view.forwarded_from is not None
