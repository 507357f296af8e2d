"""Further use of received messages: forwarding, evidence, consents, details of a hit."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.errors import Forbidden, Invalid, NotFound
from palermo.exchange import dissemination, messages, reading
from palermo.exchange.keys import Keyring
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.models.exchange import Message
from palermo.models.records import Disclosure
from palermo.policy.records import AccessContext
from palermo.records import service as records
from palermo.records.schemas import EnvelopeIn
from palermo.settings import Settings
from tests.conftest import Factory
from tests.exchange.conftest import Desk, make_desk

LIMIT = 1024 * 1024


def send(db: Session, keyring: Keyring, desk: Desk, **fields: object) -> Message:
    defaults: dict[str, object] = {
        "recipients": ["NCB-FR"],
        "subject": "Trafficking lead",
        "body": "Minibus leaves Sofia on Friday",
        "max_attachment_bytes": LIMIT,
        "today": utcnow().date(),
    }
    draft = messages.Draft.of(**(defaults | fields))  # type: ignore[arg-type]
    message = messages.send(db, keyring, principal=desk.principal, draft=draft, now=utcnow())
    db.commit()
    return message


def forward(db: Session, keyring: Keyring, desk: Desk, message: Message) -> Message:
    return dissemination.forward(
        db,
        keyring,
        principal=desk.principal,
        message_id=message.id,
        recipients=["NCB-IT"],
        note="For your information",
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )


def denials(db: Session, action: str) -> list[str]:
    db.expire_all()
    return [
        e.entry
        for e in db.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == "deny")
        )
    ]


@pytest.mark.parametrize(
    ("handling", "tlp"), [("H2", "AMBER"), ("H0", "RED"), ("H1", "AMBER+STRICT")]
)
def test_forwarding_needs_the_providers_consent(
    db: Session, keyring: Keyring, desks: dict[str, Desk], handling: str, tlp: str
) -> None:
    de, fr, it = desks["NCB-DE"], desks["NCB-FR"], desks["NCB-IT"]
    message = send(db, keyring, de, handling_code=handling, tlp=tlp)
    view = reading.view(db, keyring, principal=fr.principal, message_id=message.id, now=utcnow())
    assert not view.may_forward
    with pytest.raises(Forbidden, match="needs the provider's recorded consent"):
        forward(db, keyring, fr, message)
    assert denials(db, "message.forward")  # the refusal is audited, durably
    with pytest.raises(Forbidden, match="only the provider"):
        dissemination.grant_consent(
            db,
            keyring,
            principal=fr.principal,
            message_id=message.id,
            grantee="NCB-FR",
            scope="forward",
            note=None,
            now=utcnow(),
        )
    dissemination.grant_consent(
        db,
        keyring,
        principal=de.principal,
        message_id=message.id,
        grantee="NCB-FR",
        scope="forward",
        note="For the interception",
        now=utcnow(),
    )
    forwarded = forward(db, keyring, fr, message)
    db.commit()
    seen = reading.view(db, keyring, principal=it.principal, message_id=forwarded.id, now=utcnow())
    assert (seen.handling_code, seen.tlp) == (handling, tlp)  # never lowered on the way
    assert seen.forwarded_from == message.id
    assert "Minibus leaves Sofia" in seen.body


def test_h0_green_forwards_freely_and_carries_attachments(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    attachment = messages.Attachment("route.txt", "text/plain", b"E80 via Nis")
    message = send(db, keyring, desks["NCB-DE"], tlp="GREEN", attachments=[attachment])
    forwarded = forward(db, keyring, desks["NCB-FR"], message)
    seen = reading.view(
        db, keyring, principal=desks["NCB-IT"].principal, message_id=forwarded.id, now=utcnow()
    )
    _, _, data = reading.attachment(
        db,
        keyring,
        principal=desks["NCB-IT"].principal,
        message_id=forwarded.id,
        blob=seen.attachment_files[0].blob,
    )
    assert data == b"E80 via Nis"


def test_evidence_export_of_h1_needs_consent(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    de, fr = desks["NCB-DE"], desks["NCB-FR"]
    message = send(db, keyring, de, handling_code="H1")
    with pytest.raises(Forbidden, match="judicial proceedings"):
        dissemination.evidence(
            db, keyring, principal=fr.principal, message_id=message.id, now=utcnow()
        )
    assert denials(db, "message.evidence")
    request = dissemination.request_consent(
        db,
        keyring,
        principal=fr.principal,
        message_id=message.id,
        scope="evidence",
        reason="Trial of the driver in Lyon",
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    asked = reading.view(db, keyring, principal=de.principal, message_id=request.id, now=utcnow())
    assert (asked.kind, asked.references) == ("consent_request", [str(message.id), "evidence"])
    assert asked.thread_id == message.thread_id
    dissemination.grant_consent(
        db,
        keyring,
        principal=de.principal,
        message_id=message.id,
        grantee="NCB-FR",
        scope="evidence",
        note=None,
        now=utcnow(),
    )
    bundle = dissemination.evidence(
        db, keyring, principal=fr.principal, message_id=message.id, now=utcnow()
    )
    assert bundle["signature_verified"] is True
    assert bundle["content"]["body"] == "Minibus leaves Sofia on Friday"
    assert bundle["header"]["handling_code"] == "H1"
    # Consent to evidence is not consent to forward.
    assert reading.view(
        db, keyring, principal=fr.principal, message_id=message.id, now=utcnow()
    ).may_forward


def test_consent_goes_to_another_known_agency_for_a_known_scope(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    message = send(db, keyring, desks["NCB-DE"], handling_code="H2")
    for grantee, scope, complaint in (
        ("NCB-XX", "forward", "unknown agency 'NCB-XX'"),
        ("NCB-DE", "forward", "needs no consent of its own"),
        ("NCB-FR", "publish", "unknown consent scope"),
    ):
        with pytest.raises(Invalid, match=complaint):
            dissemination.grant_consent(
                db,
                keyring,
                principal=desks["NCB-DE"].principal,
                message_id=message.id,
                grantee=grantee,
                scope=scope,
                note=None,
                now=utcnow(),
            )


def test_a_forward_stays_under_its_original_providers_control(
    db: Session, keyring: Keyring, desks: dict[str, Desk], factory: Factory
) -> None:
    de, fr, it = desks["NCB-DE"], desks["NCB-FR"], desks["NCB-IT"]
    es = make_desk(db, factory, "NCB-ES")
    message = send(db, keyring, de, handling_code="H2")
    dissemination.grant_consent(
        db,
        keyring,
        principal=de.principal,
        message_id=message.id,
        grantee="NCB-FR",
        scope="forward",
        note=None,
        now=utcnow(),
    )
    forwarded = forward(db, keyring, fr, message)
    db.commit()
    assert forwarded.provider == "NCB-DE"
    assert forwarded.origin_id == message.id
    # The forwarder cannot hand on a permission that is the provider's to give…
    with pytest.raises(Forbidden, match=r"only the provider .* \(NCB-DE\)"):
        dissemination.grant_consent(
            db,
            keyring,
            principal=fr.principal,
            message_id=forwarded.id,
            grantee="NCB-IT",
            scope="forward",
            note=None,
            now=utcnow(),
        )
    # …so the recipient of the forward may not forward it again,
    with pytest.raises(Forbidden, match="consent"):
        dissemination.forward(
            db,
            keyring,
            principal=it.principal,
            message_id=forwarded.id,
            recipients=["NCB-ES"],
            note="",
            max_attachment_bytes=LIMIT,
            now=utcnow(),
        )
    # and asks the provider — not the forwarder — for consent.
    request = dissemination.request_consent(
        db,
        keyring,
        principal=it.principal,
        message_id=forwarded.id,
        scope="forward",
        reason="Spanish leg of the route",
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    assert request.header["recipients"] == ["NCB-DE"]
    dissemination.grant_consent(
        db,
        keyring,
        principal=de.principal,
        message_id=message.id,
        grantee="NCB-IT",
        scope="forward",
        note=None,
        now=utcnow(),
    )
    again = dissemination.forward(
        db,
        keyring,
        principal=it.principal,
        message_id=forwarded.id,
        recipients=["NCB-ES"],
        note="",
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    db.commit()
    seen = reading.view(db, keyring, principal=es.principal, message_id=again.id, now=utcnow())
    assert (seen.handling_code, again.provider, again.origin_id) == ("H2", "NCB-DE", message.id)


def test_asking_for_consent_does_not_answer_the_message(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    de, fr = desks["NCB-DE"], desks["NCB-FR"]
    message = send(db, keyring, de, handling_code="H2")
    dissemination.request_consent(
        db,
        keyring,
        principal=fr.principal,
        message_id=message.id,
        scope="forward",
        reason="to the prosecutor",
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    seen = reading.view(db, keyring, principal=de.principal, message_id=message.id, now=utcnow())
    assert "answered" not in {r.kind for r in seen.receipts}


def test_the_owner_sends_the_details_of_a_hit(
    db: Session, keyring: Keyring, desks: dict[str, Desk], settings: Settings
) -> None:
    de, fr = desks["NCB-DE"], desks["NCB-FR"]
    record = records.create_record(
        db,
        principal=de.principal,
        settings=settings,
        entity={"schema": "Person", "properties": {"name": ["Dragan Petrov"]}},
        envelope=EnvelopeIn.model_validate(
            {
                "subject_category": "suspect",
                "legal_basis": "StPO § 163",
                "handling_code": "H1",
                "shares": [{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
            }
        ),
        now=utcnow(),
    )
    db.commit()
    request = dissemination.request_details(
        db,
        keyring,
        principal=fr.principal,
        reference=record.id,
        owner_agency="NCB-DE",
        context=AccessContext.of("criminal_investigation", "Lyon case 2026/114"),
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    with pytest.raises(Invalid, match="not a details request to your agency"):
        dissemination.approve_details(
            db,
            keyring,
            principal=fr.principal,
            message_id=request.id,
            note="",
            max_attachment_bytes=LIMIT,
            now=utcnow(),
        )
    answer = dissemination.approve_details(
        db,
        keyring,
        principal=de.principal,
        message_id=request.id,
        note="Approved",
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    seen = reading.view(db, keyring, principal=fr.principal, message_id=answer.id, now=utcnow())
    assert seen.payload[0]["properties"]["name"] == ["Dragan Petrov"]
    assert seen.handling_code == "H1"  # the record's own handling code travels with it
    assert seen.in_reply_to == request.id
    assert db.get(Disclosure, (record.id, fr.agency.id)) is not None


def test_details_of_someone_elses_record_cannot_be_sent(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    request = dissemination.request_details(
        db,
        keyring,
        principal=desks["NCB-FR"].principal,
        reference="ncb-it.p1",
        owner_agency="NCB-DE",
        context=AccessContext.of("criminal_investigation", "why"),
        max_attachment_bytes=LIMIT,
        now=utcnow(),
    )
    with pytest.raises(NotFound, match="not your agency's"):
        dissemination.approve_details(
            db,
            keyring,
            principal=desks["NCB-DE"].principal,
            message_id=request.id,
            note="",
            max_attachment_bytes=LIMIT,
            now=utcnow(),
        )
