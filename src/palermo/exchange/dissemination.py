"""Further use of what was received: forwarding (H2 needs the provider's consent), export
as evidence (H1 needs it), the provider's consents, and details of a hit sent on the owner's
approval (Prüm's second step)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.exchange import crypto, outbox
from palermo.exchange.keys import Keyring
from palermo.exchange.messages import (
    Attachment,
    Draft,
    MessageKind,
    held,
    require_exchange,
    send,
)
from palermo.exchange.reading import (
    attachment_bytes,
    open_content,
    permitted,
    signature_verified,
)
from palermo.identity import repository as identities
from palermo.identity.principal import Principal
from palermo.models.exchange import Consent, Message
from palermo.models.identity import Agency
from palermo.models.records import Notification, Record
from palermo.notifications import texts
from palermo.policy.records import AccessContext
from palermo.records.envelope import HANDLING_RANK, TLP_RANK, HandlingCode, Tlp
from palermo.records.service import full_views, log_disclosure
from palermo.translatable import N_, written

SCOPES = ("forward", "evidence")


def _refuse(
    session: Session, principal: Principal, action: str, message: Message, reason: str
) -> None:
    audit(
        session,
        action=action,
        operation=Operation.authorization,
        principal=principal,
        outcome=Outcome.deny,
        object_ids=[message.id],
        detail={"reason": reason},
        durable=True,
    )
    raise Forbidden(reason)


def forward(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    recipients: list[str],
    note: str,
    max_attachment_bytes: int,
    now: datetime,
) -> Message:
    """Send a received message on, under the same (never lower) handling code and TLP."""
    agency_id = require_exchange(principal)
    original = held(session, agency_id, message_id)
    if not permitted(session, original, _agency(session, agency_id), "forward"):
        _refuse(
            session,
            principal,
            "message.forward",
            original,
            f"message {original.id} is {original.handling_code} / TLP:{original.tlp}: forwarding "
            "needs the provider's recorded consent (ask for it first)",
        )
    content = open_content(session, keyring, original, principal)
    files = [
        Attachment(entry["name"], entry["media_type"], attachment_bytes(session, entry))
        for entry in content["attachments"]
    ]
    draft = Draft.of(
        recipients=recipients,
        subject=f"Fwd: {content['subject']}"[:300],
        body=f"{note.strip()}\n\n--- forwarded message {original.id} from "
        f"{original.header['sender']} ---\n{content['body']}",
        payload=content["payload"],
        attachments=files,
        priority=original.priority,
        handling_code=original.handling_code,
        handling_note=original.handling_note,
        tlp=original.tlp,
        evaluation=original.evaluation,
        case_ref=original.case_ref,
        max_attachment_bytes=max_attachment_bytes,
        today=now.date(),
    )
    return send(session, keyring, principal=principal, draft=draft, now=now, forwarded=original)


def grant_consent(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    grantee: str,
    scope: str,
    note: str | None,
    now: datetime,
) -> Consent:
    """The provider allows an agency to forward, or to use as evidence, one of its messages
    and every forward of it."""
    agency_id = require_exchange(principal)
    if scope not in SCOPES:
        raise Invalid(
            N_("unknown consent scope %(scope)s; use forward or evidence"), scope=repr(scope)
        )
    message = held(session, agency_id, message_id)
    if message.provider != principal.agency_code:
        raise Forbidden(
            N_("only the provider of message %(id)s (%(provider)s) can consent to its further use"),
            id=message.id,
            provider=message.provider,
        )
    agency = identities.agency_by_code(session, grantee)
    if agency is None or not agency.active:
        raise Invalid(N_("unknown agency %(grantee)s"), grantee=repr(grantee))
    if agency.id == agency_id:
        raise Invalid(N_("a provider needs no consent of its own"))
    consent = session.scalar(
        select(Consent).where(
            Consent.origin_id == message.origin_id,
            Consent.grantee_agency_id == agency.id,
            Consent.scope == scope,
        )
    )
    if consent is None:
        consent = Consent(
            origin_id=message.origin_id,
            provider_agency_id=agency_id,
            grantee_agency_id=agency.id,
            scope=scope,
            granted_by=principal.username,
            note=(note or "").strip() or None,
            created_at=now,
        )
        session.add(consent)
        session.flush()
    local = identities.local_node(session)
    assert local is not None
    if agency.node_id != local.id:
        outbox.enqueue(
            session,
            keyring,
            peer_id=agency.node_id,
            kind="consent",
            body={
                "origin": str(message.origin_id),
                "provider": principal.agency_code,
                "grantee": agency.code,
                "scope": scope,
                "granted_by": principal.username,
                "note": consent.note,
            },
            message_id=message.id,
            now=now,
        )
    else:
        session.add(
            Notification(
                agency_id=agency.id,
                kind="message.consent",
                message=written(
                    texts.CONSENT,
                    agency=principal.agency_code,
                    scope=scope,
                    id=message.origin_id,
                ),
            )
        )
    audit(
        session,
        action="message.consent",
        operation=Operation.authorization,
        principal=principal,
        object_ids=[message.origin_id],
        recipients=[agency.code],
        detail={"scope": scope},
    )
    return consent


def _agency(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = session.get(Agency, agency_id)
    assert agency is not None
    return agency


def request_consent(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    scope: str,
    reason: str,
    max_attachment_bytes: int,
    now: datetime,
) -> Message:
    """Ask the provider, in the message's thread, for consent to forward or use as evidence."""
    agency_id = require_exchange(principal)
    if scope not in SCOPES:
        raise Invalid(
            N_("unknown consent scope %(scope)s; use forward or evidence"), scope=repr(scope)
        )
    if not reason.strip():
        raise Invalid(N_("say why the consent is needed"))
    message = held(session, agency_id, message_id)
    if message.provider == principal.agency_code:
        raise Invalid(N_("a provider needs no consent for its own message"))
    from_provider = message.header["sender"] == message.provider
    draft = Draft.of(
        recipients=[message.provider],
        subject=f"Consent requested: {scope} of message {message.id}",
        body=reason.strip(),
        priority=message.priority,
        handling_code=message.handling_code,
        handling_note=message.handling_note,
        tlp=message.tlp,
        # In the provider's thread when the provider sent it; else a new one.
        in_reply_to=message.id if from_provider else None,
        kind=MessageKind.consent_request,
        references=[str(message.origin_id), scope],
        max_attachment_bytes=max_attachment_bytes,
        today=now.date(),
    )
    return send(session, keyring, principal=principal, draft=draft, now=now)


def evidence(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    now: datetime,
) -> dict[str, Any]:
    """The message as an evidence bundle: content, the sender's signed header and signature
    (verifiable by anyone holding the sender's public key), and who exported it when."""
    agency_id = require_exchange(principal)
    message = held(session, agency_id, message_id)
    if not permitted(session, message, _agency(session, agency_id), "evidence"):
        _refuse(
            session,
            principal,
            "message.evidence",
            message,
            f"message {message.id} is {message.handling_code}: using it in judicial proceedings "
            "needs the provider's recorded consent",
        )
    content = open_content(session, keyring, message, principal)
    audit(
        session,
        action="message.evidence",
        operation=Operation.disclosure,
        principal=principal,
        object_ids=[message.id],
        detail={"handling_code": message.handling_code},
    )
    return {
        "message": str(message.id),
        "header": message.header,
        "signature": crypto.b64(message.signature),
        "signature_verified": signature_verified(session, message),
        "content": {k: content[k] for k in ("subject", "body", "payload")},
        "attachments": [
            {k: a[k] for k in ("name", "media_type", "size", "sha256")}
            for a in content["attachments"]
        ],
        "exported_by": principal.username,
        "exported_for": principal.agency_code,
        "exported_at": now.isoformat(),
    }


# Details of a hit ------------------------------------------------------------------------
def request_details(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    reference: str,
    owner_agency: str,
    context: AccessContext,
    max_attachment_bytes: int,
    now: datetime,
) -> Message:
    """After a hit on a peer (or here): ask the owner for the record; the owner decides."""
    draft = Draft.of(
        recipients=[owner_agency],
        subject=f"Request for details of {reference}",
        body=f"Purpose: {context.purpose.value}\nJustification: {context.justification}",
        priority="routine",
        handling_code="H0",
        tlp="AMBER",
        kind=MessageKind.details_request,
        references=[reference],
        max_attachment_bytes=max_attachment_bytes,
        today=now.date(),
    )
    return send(session, keyring, principal=principal, draft=draft, now=now)


def approve_details(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    note: str,
    max_attachment_bytes: int,
    now: datetime,
) -> Message:
    """The owner answers a details request with the records themselves, under their own
    handling code and TLP (the strictest of them)."""
    agency_id = require_exchange(principal)
    request = held(session, agency_id, message_id)
    if request.kind != MessageKind.details_request or request.sender_agency_id == agency_id:
        raise Invalid(
            N_("message %(message_id)s is not a details request to your agency"),
            message_id=message_id,
        )
    references = open_content(session, keyring, request, principal)["references"]
    records = session.scalars(select(Record).where(Record.id.in_(references))).all()
    if not records or any(r.owner_agency_id != agency_id for r in records):
        raise NotFound(N_("the requested records are not your agency's"))
    views = full_views(session, [r.id for r in records])
    handling = max((r.handling_code for r in records), key=lambda c: HANDLING_RANK[c])
    tlp = max((r.tlp for r in records), key=lambda t: TLP_RANK[t])
    notes = sorted({r.handling_note for r in records if r.handling_note})
    requester = session.get(Agency, request.sender_agency_id)
    assert requester is not None
    draft = Draft.of(
        recipients=[requester.code],
        subject=f"Details of {', '.join(sorted(references))}",
        body=note,
        payload=[
            {"id": v.id, "schema": v.schema_, "properties": v.properties} for v in views.values()
        ],
        handling_code=handling,
        handling_note="; ".join(notes) if handling == HandlingCode.H3 else None,
        tlp=Tlp(tlp).value,
        in_reply_to=request.id,
        max_attachment_bytes=max_attachment_bytes,
        today=now.date(),
    )
    answer = send(session, keyring, principal=principal, draft=draft, now=now)
    log_disclosure(session, requester.id, [r.id for r in records], now)
    return answer
