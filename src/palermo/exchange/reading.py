"""Reading messages: an agency opens its own copy (HPKE with its private key), the sender's
signature is checked each time, and every opening is audited and receipted."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid, NotFound, PalermoError
from palermo.exchange import crypto, outbox
from palermo.exchange.keys import Keyring, KeyUse, opening_key_for, public_of
from palermo.exchange.messages import (
    ReceiptKind,
    copy_context,
    held,
    mark,
    require_exchange,
)
from palermo.exchange.schemas import (
    AttachmentOut,
    ConsentOut,
    DeliveryOut,
    MessageOut,
    MessageSent,
    MessageSummary,
    ReceiptOut,
)
from palermo.identity.principal import Principal
from palermo.models.exchange import (
    Blob,
    Consent,
    Message,
    MessageCopy,
    MessageReceipt,
)
from palermo.models.identity import Agency
from palermo.records.envelope import HANDLING_MEANING, HANDLING_RANK, HandlingCode, Tlp
from palermo.translatable import N_

FOLDERS = ("inbox", "sent", "all")


class Unreadable(PalermoError):
    """A copy that does not open: a key lost, or the node secret changed."""

    status_code = 409
    code = "unreadable"


SEARCH_SCAN = 2000  # newest messages decrypted to answer a text search


def _codes(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(ids))).all())


def open_content(
    session: Session,
    keyring: Keyring,
    message: Message,
    principal: Principal,
    copy: MessageCopy | None = None,
) -> dict[str, Any]:
    """The content of the copy sealed for the principal's agency (`copy`, when the caller
    read it already)."""
    agency_id = require_exchange(principal)
    copy = copy or session.get(MessageCopy, (message.id, agency_id))
    if copy is None:
        raise NotFound(N_("no message %(id)s"), id=message.id)
    context = copy_context(message.id, principal.agency_code or "")
    try:
        private = opening_key_for(session, keyring.sealer, copy.kid, agency_id)
        plaintext = crypto.open_sealed(private, copy.ciphertext, context)
    except crypto.CryptoFailure as failure:
        raise Unreadable(
            N_("message %(id)s does not open: %(failure)s"), id=message.id, failure=failure
        ) from None
    content: dict[str, Any] = json.loads(plaintext)
    return content


def _content_or_notice(
    session: Session,
    keyring: Keyring,
    message: Message,
    principal: Principal,
    copy: MessageCopy | None,
) -> dict[str, Any]:
    """For lists: one copy that does not open must not hide the others."""
    try:
        return open_content(session, keyring, message, principal, copy)
    except Unreadable as unreadable:
        return {"subject": f"[{unreadable.message}]", "body": "", "payload": [], "attachments": []}


def attachment_bytes(session: Session, entry: dict[str, Any]) -> bytes:
    """An attachment of an opened copy (its manifest entry), decrypted and checked."""
    stored = session.get(Blob, entry["blob"])
    if stored is None:
        raise NotFound(N_("no attachment %(blob)s"), blob=entry["blob"])
    try:
        data = crypto.decrypt_blob(crypto.unb64(entry["key"], "attachment key"), stored.content)
    except (ValueError, crypto.CryptoFailure):
        raise Unreadable(
            N_("attachment %(name)s does not decrypt"), name=repr(entry["name"])
        ) from None
    if crypto.sha256_hex(data) != entry["sha256"]:
        raise Unreadable(
            N_("attachment %(name)s does not match its recorded SHA-256"), name=repr(entry["name"])
        )
    return data


def signature_verified(session: Session, message: Message) -> bool:
    public = public_of(
        session, message.header["signing_kid"], message.sender_agency_id, KeyUse.signing
    )
    if public is None:
        return False
    try:
        crypto.verify(public, message.signature, crypto.canonical(message.header))
    except crypto.CryptoFailure:
        return False
    copy_digests = {c: d["sha256"] for c, d in message.header["copies"].items()}
    stored = session.execute(
        select(Agency.code, MessageCopy.ciphertext)
        .join(Agency, Agency.id == MessageCopy.agency_id)
        .where(MessageCopy.message_id == message.id)
    ).all()
    return all(copy_digests.get(code) == crypto.sha256_hex(ct) for code, ct in stored)


def _needs_consent_to_forward(message: Message) -> bool:
    """H2/H3 (SIENA), TLP:AMBER+STRICT and TLP:RED stay with their recipients unless the
    provider agrees."""
    return HANDLING_RANK[HandlingCode(message.handling_code)] >= 2 or message.tlp in (
        Tlp.red,
        Tlp.amber_strict,
    )


def _needs_consent_as_evidence(message: Message) -> bool:
    """From H1 up, judicial use needs the provider's permission."""
    return HANDLING_RANK[HandlingCode(message.handling_code)] >= 1


def permitted(session: Session, message: Message, agency: Agency, scope: str) -> bool:
    """May the agency forward the message (scope "forward") or use it as evidence
    ("evidence")? Yes if its codes ask for no consent, or the provider, or with the
    provider's consent on the message's origin (a forward carries its origin's provider:
    one hop does not launder a restriction)."""
    needs = _needs_consent_to_forward if scope == "forward" else _needs_consent_as_evidence
    if not needs(message) or message.provider == agency.code:
        return True
    return (
        session.scalar(
            select(Consent.id).where(
                Consent.origin_id == message.origin_id,
                Consent.grantee_agency_id == agency.id,
                Consent.scope == scope,
            )
        )
        is not None
    )


def _summary(
    message: Message, content: dict[str, Any], codes: dict[uuid.UUID, str], opened: bool
) -> dict[str, Any]:
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "kind": message.kind,
        "sender": codes.get(message.sender_agency_id, message.header["sender"]),
        "recipients": message.header["recipients"],
        "subject": content["subject"],
        "priority": message.priority,
        "handling_code": message.handling_code,
        "handling_note": message.handling_note,
        "tlp": message.tlp,
        "sent_at": message.sent_at,
        "reply_by": message.reply_by,
        "case_ref": message.case_ref,
        "attachments": len(message.header["attachments"]),
        "opened": opened,
    }


def view(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    now: datetime,
) -> MessageOut:
    """Open one message: decrypted for the principal's agency, receipted, audited."""
    agency_id = require_exchange(principal)
    message = held(session, agency_id, message_id)
    content = open_content(session, keyring, message, principal)
    mark(session, keyring, message.id, agency_id, ReceiptKind.opened, principal, now)
    audit(
        session,
        action="message.read",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[message.id],
        detail={"handling_code": message.handling_code, "tlp": message.tlp},
    )
    return _full(session, message, content, agency_id)


def sent(session: Session, message: Message) -> MessageSent:
    """The answer to a send: what was sent to whom, and where it stands with each peer —
    from the header and the outbox, without opening anything (the sending is audited; the
    full view is one GET away)."""
    header = message.header
    return MessageSent(
        id=message.id,
        thread_id=message.thread_id,
        in_reply_to=message.in_reply_to,
        forwarded_from=message.forwarded_from,
        kind=message.kind,
        sender=header["sender"],
        recipients=header["recipients"],
        sent_at=message.sent_at,
        priority=message.priority,
        handling_code=message.handling_code,
        handling_note=message.handling_note,
        tlp=message.tlp,
        deliveries=_deliveries(session, message),
    )


def _deliveries(session: Session, message: Message) -> list[DeliveryOut]:
    """Where the message stands with each peer it goes to (the sender's to know)."""
    return [DeliveryOut(**row) for row in outbox.outcomes_of(session, message.id)]


def _full(
    session: Session, message: Message, content: dict[str, Any], agency_id: uuid.UUID
) -> MessageOut:
    receipts = session.scalars(
        select(MessageReceipt)
        .where(MessageReceipt.message_id == message.id)
        .order_by(MessageReceipt.at)
    ).all()
    consents = session.scalars(select(Consent).where(Consent.origin_id == message.origin_id)).all()
    agency = session.get(Agency, agency_id)
    assert agency is not None
    codes = _codes(
        session,
        {
            message.sender_agency_id,
            *(r.agency_id for r in receipts),
            *(c.grantee_agency_id for c in consents),
        },
    )
    is_sender = message.sender_agency_id == agency_id
    opened = any(r.agency_id == agency_id and r.kind == "opened" for r in receipts)
    visible_receipts = [r for r in receipts if is_sender or r.agency_id == agency_id]
    return MessageOut(
        **_summary(message, content, codes, opened or is_sender),
        in_reply_to=message.in_reply_to,
        sender_node=message.header["sender_node"],
        handling_meaning=HANDLING_MEANING[HandlingCode(message.handling_code)],
        evaluation=message.evaluation,
        forwarded_from=message.forwarded_from,
        body=content["body"],
        payload=content["payload"],
        references=content.get("references", []),
        attachment_files=[
            AttachmentOut(**{k: a[k] for k in ("name", "media_type", "size", "sha256", "blob")})
            for a in content["attachments"]
        ],
        signature_verified=signature_verified(session, message),
        receipts=[
            ReceiptOut(agency=codes[r.agency_id], kind=r.kind, at=r.at) for r in visible_receipts
        ],
        deliveries=_deliveries(session, message) if is_sender else [],
        consents=[
            ConsentOut(
                agency=codes[c.grantee_agency_id],
                scope=c.scope,
                granted_by=c.granted_by,
                at=c.created_at,
            )
            for c in consents
            if agency.code == message.provider or c.grantee_agency_id == agency_id
        ],
        may_forward=permitted(session, message, agency, "forward"),
        may_export=permitted(session, message, agency, "evidence"),
    )


def thread(
    session: Session, keyring: Keyring, *, principal: Principal, thread_id: uuid.UUID, now: datetime
) -> list[MessageOut]:
    agency_id = require_exchange(principal)
    ids = session.scalars(
        select(Message.id)
        .join(MessageCopy, MessageCopy.message_id == Message.id)
        .where(Message.thread_id == thread_id, MessageCopy.agency_id == agency_id)
        .order_by(Message.sent_at)
    ).all()
    if not ids:
        raise NotFound(N_("no thread %(thread_id)s"), thread_id=thread_id)
    return [view(session, keyring, principal=principal, message_id=i, now=now) for i in ids]


def _folder_query(agency_id: uuid.UUID, folder: str) -> Select[Message, MessageCopy]:
    """A folder's messages, each with the agency's copy of it (one query for both)."""
    query = (
        select(Message, MessageCopy)
        .join(MessageCopy, MessageCopy.message_id == Message.id)
        .where(MessageCopy.agency_id == agency_id)
        .order_by(MessageCopy.sent_at.desc(), MessageCopy.message_id.desc())
    )
    if folder == "inbox":
        query = query.where(Message.sender_agency_id != agency_id)
    elif folder == "sent":
        query = query.where(Message.sender_agency_id == agency_id)
    return query


def listing(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    folder: str = "inbox",
    text: str | None = None,
    priority: str | None = None,
    sender: str | None = None,
    case_ref: str | None = None,
    unread: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[MessageSummary]:
    """A folder of the principal's agency, newest first. Metadata filters run in the
    database; a text search opens the newest messages' copies (the node cannot index what
    it cannot read) and matches subject, body and payload names."""
    agency_id = require_exchange(principal)
    if folder not in FOLDERS:
        raise Invalid(N_("unknown folder %(folder)s; use inbox, sent or all"), folder=repr(folder))
    if not 1 <= limit <= 200:
        raise Invalid(N_("limit must be between 1 and 200"))
    query = _folder_query(agency_id, folder)
    if priority:
        query = query.where(Message.priority == priority)
    if case_ref:
        query = query.where(Message.case_ref == case_ref)
    if sender:
        query = query.join(Agency, Agency.id == Message.sender_agency_id).where(
            Agency.code == sender.upper()
        )
    if unread:
        query = query.where(Message.sender_agency_id != agency_id, ~_opened_by(agency_id))
    needle = (text or "").strip().casefold()
    if not needle:
        page = [
            (m, _content_or_notice(session, keyring, m, principal, copy))
            for m, copy in session.execute(query.limit(limit).offset(offset))
        ]
    else:
        found = []
        for message, copy in session.execute(query.limit(SEARCH_SCAN)):
            content = _content_or_notice(session, keyring, message, principal, copy)
            if needle in _searchable(content):
                found.append((message, content))
        page = found[offset : offset + limit]
    codes = _codes(session, {m.sender_agency_id for m, _ in page})
    opened = set(
        session.scalars(
            select(MessageReceipt.message_id).where(
                MessageReceipt.agency_id == agency_id,
                MessageReceipt.kind == "opened",
                MessageReceipt.message_id.in_([m.id for m, _ in page]),
            )
        )
    )
    return [
        MessageSummary(**_summary(m, c, codes, m.id in opened or m.sender_agency_id == agency_id))
        for m, c in page
    ]


def _opened_by(agency_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(
        MessageReceipt.message_id == Message.id,
        MessageReceipt.agency_id == agency_id,
        MessageReceipt.kind == "opened",
    )


def _searchable(content: dict[str, Any]) -> str:
    names = [
        v
        for entity in content["payload"]
        for values in (entity.get("properties") or {}).values()
        for v in (values if isinstance(values, list) else [values])
        if isinstance(v, str)
    ]
    return " ".join([content["subject"], content["body"], *names]).casefold()


def acknowledge(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    message_id: uuid.UUID,
    now: datetime,
) -> None:
    agency_id = require_exchange(principal)
    message = held(session, agency_id, message_id)
    if message.sender_agency_id == agency_id:
        raise Invalid(N_("a sender does not acknowledge its own message"))
    mark(session, keyring, message.id, agency_id, ReceiptKind.acknowledged, principal, now)
    audit(
        session,
        action="message.acknowledge",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[message.id],
    )


def attachment(
    session: Session, keyring: Keyring, *, principal: Principal, message_id: uuid.UUID, blob: str
) -> tuple[str, str, bytes]:
    """(file name, media type, content) of one attachment, decrypted and checked."""
    agency_id = require_exchange(principal)
    message = held(session, agency_id, message_id)
    content = open_content(session, keyring, message, principal)
    entry = next((a for a in content["attachments"] if a["blob"] == blob), None)
    if entry is None:
        raise NotFound(
            N_("no attachment %(blob)s in message %(message_id)s"), blob=blob, message_id=message_id
        )
    data = attachment_bytes(session, entry)
    audit(
        session,
        action="message.attachment.read",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[message.id, blob],
    )
    return entry["name"], entry["media_type"], data
