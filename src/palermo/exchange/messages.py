"""Composing, sealing, signing and storing messages (SIENA-style: handling code, TLP,
evaluation, priority, receipts).

A message is a signed **header** (clear metadata the node needs to route and enforce
handling rules) plus one HPKE-sealed **copy** of its content per recipient agency and one
for the sender. The node stores ciphertext only; agencies' private keys are sealed under the
node secret (`crypto.KeySealer`).
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.db import insert_dicts
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.exchange import crypto, outbox, receipts
from palermo.exchange.keys import Keyring, sealing_keys
from palermo.identity import repository as identities
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.base import table_of
from palermo.models.exchange import (
    Blob,
    Message,
    MessageAttachment,
    MessageCopy,
    MessageReceipt,
)
from palermo.models.identity import Agency, Node
from palermo.models.records import Notification
from palermo.notifications import texts
from palermo.policy.records import READER_ROLES
from palermo.records.entities import parse_entity
from palermo.records.envelope import HandlingCode, Tlp
from palermo.translatable import N_, written

HEADER_VERSION = 1
MAX_SUBJECT = 300
MAX_BODY = 200_000
MAX_PAYLOAD_ENTITIES = 500
MAX_ATTACHMENTS = 10
MAX_RECIPIENTS = 100
EVALUATION = re.compile(r"^[ABCX][1-4]$")
E = TypeVar("E", bound=enum.StrEnum)
CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$")


class Priority(enum.StrEnum):
    routine = "routine"
    urgent = "urgent"
    immediate = "immediate"


class MessageKind(enum.StrEnum):
    message = "message"
    details_request = "details_request"  # asks the owner of a hit for its details
    consent_request = "consent_request"  # asks the provider to allow forwarding or evidence


class ReceiptKind(enum.StrEnum):
    delivered = "delivered"
    opened = "opened"
    acknowledged = "acknowledged"
    answered = "answered"


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Draft:
    """A message as its author wrote it, validated."""

    recipients: tuple[str, ...]
    subject: str
    body: str
    payload: tuple[dict[str, Any], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    priority: Priority = Priority.routine
    handling_code: HandlingCode = HandlingCode.H0
    handling_note: str | None = None
    tlp: Tlp = Tlp.amber
    evaluation: str | None = None
    reply_by: date | None = None
    case_ref: str | None = None
    in_reply_to: uuid.UUID | None = None
    kind: MessageKind = MessageKind.message
    references: tuple[str, ...] = field(default=())  # record references a request is about

    @classmethod
    def of(
        cls,
        *,
        recipients: Sequence[str],
        subject: str,
        body: str,
        payload: Sequence[Mapping[str, Any]] = (),
        attachments: Sequence[Attachment] = (),
        priority: str = Priority.routine,
        handling_code: str = HandlingCode.H0,
        handling_note: str | None = None,
        tlp: str = Tlp.amber,
        evaluation: str | None = None,
        reply_by: date | None = None,
        case_ref: str | None = None,
        in_reply_to: uuid.UUID | None = None,
        kind: str = MessageKind.message,
        references: Sequence[str] = (),
        max_attachment_bytes: int,
        today: date,
    ) -> Draft:
        codes = tuple(dict.fromkeys(c.strip().upper() for c in recipients if c.strip()))
        if not codes:
            raise Invalid(N_("a message needs at least one recipient agency"))
        if len(codes) > MAX_RECIPIENTS:
            raise Invalid(
                N_("at most %(max_recipients)s recipient agencies per message"),
                max_recipients=MAX_RECIPIENTS,
            )
        subject = subject.strip()
        if not subject:
            raise Invalid(N_("the subject must not be empty"))
        if len(subject) > MAX_SUBJECT:
            raise Invalid(
                N_("the subject has %(subject)s characters; at most %(max_subject)s"),
                subject=len(subject),
                max_subject=MAX_SUBJECT,
            )
        if len(body) > MAX_BODY:
            raise Invalid(
                N_("the body has %(body)s characters; at most %(max_body)s"),
                body=len(body),
                max_body=MAX_BODY,
            )
        if len(payload) > MAX_PAYLOAD_ENTITIES:
            raise Invalid(
                N_("at most %(max_payload_entities)s entities in a message's payload"),
                max_payload_entities=MAX_PAYLOAD_ENTITIES,
            )
        for number, entity in enumerate(payload, 1):
            try:
                parse_entity(entity)
            except Invalid as exc:
                raise Invalid(
                    N_("payload entity %(number)s: %(message_)s"),
                    number=number,
                    message_=exc.message,
                ) from None
        if len(attachments) > MAX_ATTACHMENTS:
            raise Invalid(
                N_("at most %(max_attachments)s attachments per message"),
                max_attachments=MAX_ATTACHMENTS,
            )
        for attachment in attachments:
            if not attachment.name.strip() or len(attachment.name) > 255:
                raise Invalid(N_("every attachment needs a file name of at most 255 characters"))
            if len(attachment.content) > max_attachment_bytes:
                raise Invalid(
                    N_(
                        "attachment %(attachment)s has %(content)s bytes; at most "
                        "%(max_attachment_bytes)s are accepted"
                    ),
                    attachment=repr(attachment.name),
                    content=len(attachment.content),
                    max_attachment_bytes=max_attachment_bytes,
                )
        # The limit holds for a message's attachments together, so that every message
        # fits one federation request to any peer.
        total = sum(len(a.content) for a in attachments)
        if total > max_attachment_bytes:
            raise Invalid(
                N_(
                    "the attachments total %(total)s bytes; at most %(max_attachment_bytes)s "
                    "per message are accepted"
                ),
                total=total,
                max_attachment_bytes=max_attachment_bytes,
            )
        code = _enum(HandlingCode, handling_code, "handling code")
        note = (handling_note or "").strip() or None
        if code is HandlingCode.H3 and not note:
            raise Invalid(N_("handling code H3 needs the restriction written out (handling_note)"))
        if evaluation is not None and not EVALUATION.match(evaluation.strip().upper()):
            raise Invalid(
                N_(
                    "evaluation code %(evaluation)s must be a source letter A, B, C or X and "
                    "an information digit 1-4 (e.g. B2)"
                ),
                evaluation=repr(evaluation),
            )
        if reply_by is not None and reply_by < today:
            raise Invalid(
                N_("reply-by date %(reply_by)s is in the past"), reply_by=reply_by.isoformat()
            )
        if case_ref is not None and not CASE_REF.match(case_ref.strip()):
            raise Invalid(
                N_("case reference %(case_ref)s is not a valid reference"), case_ref=repr(case_ref)
            )
        return cls(
            recipients=codes,
            subject=subject,
            body=body,
            payload=tuple(dict(e) for e in payload),
            attachments=tuple(attachments),
            priority=_enum(Priority, priority, "priority"),
            handling_code=code,
            handling_note=note if code is HandlingCode.H3 else None,
            tlp=_enum(Tlp, tlp, "TLP label"),
            evaluation=evaluation.strip().upper() if evaluation else None,
            reply_by=reply_by,
            case_ref=case_ref.strip() if case_ref else None,
            in_reply_to=in_reply_to,
            kind=_enum(MessageKind, kind, "message kind"),
            references=tuple(references),
        )


def _enum(cls: type[E], value: str, what: str) -> E:
    try:
        return cls(value)
    except ValueError:
        known = ", ".join(m.value for m in cls)
        raise Invalid(
            N_("unknown %(what)s %(value)s; use one of %(known)s"),
            what=what,
            value=repr(value),
            known=known,
        ) from None


# A bank's compliance officer (partner role) answers its FIU's requests through the exchange.
EXCHANGE_ROLES = READER_ROLES | {Role.partner}


def may_exchange(principal: Principal) -> bool:
    """People of an agency exchange messages; the node operator and auditors read none."""
    return principal.agency_id is not None and principal.has_role(*EXCHANGE_ROLES)


def require_exchange(principal: Principal) -> uuid.UUID:
    if principal.agency_id is None or not may_exchange(principal):
        raise Forbidden(
            N_("only the staff of an agency (not auditors or operators) exchange messages")
        )
    return principal.agency_id


# Sealing --------------------------------------------------------------------------------
def copy_context(message_id: uuid.UUID | str, agency_code: str) -> str:
    return f"{message_id}|{agency_code}"


@dataclass(frozen=True)
class Sealed:
    """A message ready to store and send: the signed header, the copies, the blobs."""

    header: dict[str, Any]
    signature: bytes
    copies: dict[str, tuple[str, bytes]]  # agency code -> (kid, ciphertext)
    blobs: dict[str, bytes]  # sha256 of ciphertext -> ciphertext


def seal(
    session: Session,
    keyring: Keyring,
    *,
    sender: Agency,
    recipients: Sequence[Agency],
    draft: Draft,
    thread_id: uuid.UUID,
    forwarded: Message | None,
    local_node: str,
    now: datetime,
) -> Sealed:
    message_id = uuid.uuid4()
    blobs: dict[str, bytes] = {}
    manifest = []
    for attachment in draft.attachments:
        key, blob = crypto.encrypt_blob(attachment.content)
        digest = crypto.sha256_hex(blob)
        blobs[digest] = blob
        manifest.append(
            {
                "name": attachment.name.strip(),
                "media_type": attachment.media_type or "application/octet-stream",
                "size": len(attachment.content),
                "sha256": crypto.sha256_hex(attachment.content),
                "blob": digest,
                "key": crypto.b64(key),
            }
        )
    content = crypto.canonical(
        {
            "subject": draft.subject,
            "body": draft.body,
            "payload": list(draft.payload),
            "attachments": manifest,
            "references": list(draft.references),
        }
    )
    encryption, (signing_kid, signing_key) = sealing_keys(
        session, keyring.sealer, sender, recipients
    )
    copies = {
        code: (public.kid, crypto.seal_for(public.public, content, copy_context(message_id, code)))
        for code, public in encryption.items()
    }
    header = {
        "v": HEADER_VERSION,
        "id": str(message_id),
        "thread": str(thread_id),
        "in_reply_to": str(draft.in_reply_to) if draft.in_reply_to else None,
        "kind": draft.kind.value,
        "sender": sender.code,
        "sender_node": local_node,
        "recipients": sorted(a.code for a in recipients),
        "case": draft.case_ref,
        "priority": draft.priority.value,
        "handling_code": draft.handling_code.value,
        "handling_note": draft.handling_note,
        "tlp": draft.tlp.value,
        "evaluation": draft.evaluation,
        "reply_by": draft.reply_by.isoformat() if draft.reply_by else None,
        "sent_at": now.isoformat(),
        "forwarded_from": str(forwarded.id) if forwarded else None,
        "origin": str(forwarded.origin_id if forwarded else message_id),
        "provider": forwarded.provider if forwarded else sender.code,
        "copies": {
            code: {"kid": kid, "sha256": crypto.sha256_hex(ct)}
            for code, (kid, ct) in copies.items()
        },
        "attachments": sorted(blobs),
        "signing_kid": signing_kid,
    }
    signature = crypto.sign(signing_key, crypto.canonical(header))
    return Sealed(header=header, signature=signature, copies=copies, blobs=blobs)


# Storing ---------------------------------------------------------------------------------
def store(
    session: Session,
    sealed: Sealed,
    *,
    agencies: Mapping[str, Agency],
    sender_id: uuid.UUID,
    received_at: datetime,
) -> Message:
    """Write a message, its copies for `agencies` (codes → rows) and its blobs."""
    header = sealed.header
    values = {
        "id": uuid.UUID(header["id"]),
        "thread_id": uuid.UUID(header["thread"]),
        "in_reply_to": uuid.UUID(header["in_reply_to"]) if header["in_reply_to"] else None,
        "kind": header["kind"],
        "sender_agency_id": sender_id,
        "case_ref": header["case"],
        "priority": header["priority"],
        "handling_code": header["handling_code"],
        "handling_note": header["handling_note"],
        "tlp": header["tlp"],
        "evaluation": header["evaluation"],
        "reply_by": date.fromisoformat(header["reply_by"]) if header["reply_by"] else None,
        "forwarded_from": uuid.UUID(header["forwarded_from"]) if header["forwarded_from"] else None,
        "origin_id": uuid.UUID(header["origin"]),
        "provider": header["provider"],
        "sent_at": datetime.fromisoformat(header["sent_at"]),
        "received_at": received_at,
        "header": header,
        "signature": sealed.signature,
    }
    # Straight to the driver (a message is written once and never updated through the ORM);
    # the object returned is for reading its fields.
    insert_dicts(session, table_of(Message), [values])
    message = Message(**values)
    if sealed.blobs:
        held = session.scalars(select(Blob.sha256).where(Blob.sha256.in_(list(sealed.blobs))))
        fresh = sorted(set(sealed.blobs) - set(held))
        if fresh:
            session.execute(
                table_of(Blob).insert(),
                [
                    {
                        "sha256": d,
                        "size": len(sealed.blobs[d]),
                        "content": sealed.blobs[d],
                        "created_at": received_at,
                    }
                    for d in fresh
                ],
            )
        session.execute(
            table_of(MessageAttachment).insert(),
            [{"message_id": message.id, "blob_sha256": d} for d in sorted(sealed.blobs)],
        )
    insert_dicts(
        session,
        table_of(MessageCopy),
        [
            {
                "message_id": message.id,
                "agency_id": agencies[code].id,
                "kid": kid,
                "ciphertext": ct,
                "sent_at": message.sent_at,
            }
            for code, (kid, ct) in sealed.copies.items()
            if code in agencies
        ],
    )
    return message


def add_receipt(
    session: Session,
    message_id: uuid.UUID,
    agency_id: uuid.UUID,
    kind: ReceiptKind,
    *,
    at: datetime,
    actor: str,
) -> bool:
    """Record the first receipt of its kind; later ones change nothing. True if recorded."""
    if session.get(MessageReceipt, (message_id, agency_id, kind.value)) is not None:
        return False
    session.add(
        MessageReceipt(
            message_id=message_id, agency_id=agency_id, kind=kind.value, at=at, actor=actor
        )
    )
    session.flush()
    return True


def notify_arrival(
    session: Session, message: Message, agency_ids: Sequence[uuid.UUID], sender: str
) -> None:
    for agency_id in agency_ids:
        session.add(
            Notification(
                agency_id=agency_id,
                kind="message.received",
                record_id=None,
                message=written(
                    texts.MESSAGE_RECEIVED[message.priority],
                    sender=sender,
                    handling=message.handling_code,
                    tlp=message.tlp,
                    id=message.id,
                ),
            )
        )


def message_body(sealed: Sealed, codes: set[str]) -> dict[str, Any]:
    """What a peer receives: the signed header, the copies of its agencies, the blobs."""
    return {
        "header": sealed.header,
        "signature": crypto.b64(sealed.signature),
        "copies": {c: crypto.b64(ct) for c, (_, ct) in sealed.copies.items() if c in codes},
        "blobs": {d: crypto.b64(blob) for d, blob in sealed.blobs.items()},
    }


# Sending ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    """Where a message goes: recipients on this node, and on each peer."""

    local: list[Agency]
    remote: dict[uuid.UUID, list[Agency]]  # peer node id -> its agencies


# Every send asks it: built once (a statement's construction costs as much as its run).
_SENDER_AND_RECIPIENTS = (
    select(Agency)
    .options(joinedload(Agency.node))  # the peers' rows, for the outbox
    .where(
        or_(Agency.code.in_(bindparam("codes", expanding=True)), Agency.id == bindparam("sender"))
    )
)


def route(
    session: Session, sender_id: uuid.UUID, codes: Sequence[str]
) -> tuple[Agency, list[Agency], Route]:
    """The sender and the recipients (read together), and where each recipient is."""
    found = session.scalars(
        _SENDER_AND_RECIPIENTS, {"codes": list(codes), "sender": sender_id}
    ).all()
    sender = next(a for a in found if a.id == sender_id)
    agencies = {a.code: a for a in found}
    unknown = [c for c in codes if c not in agencies]
    if unknown:
        raise Invalid(N_("unknown recipient agencies: %(unknown)s"), unknown=", ".join(unknown))
    inactive = [c for c in codes if not agencies[c].active]
    if inactive:
        raise Invalid(N_("inactive recipient agencies: %(inactive)s"), inactive=", ".join(inactive))
    if any(agencies[c].id == sender_id for c in codes):
        raise Invalid(N_("the sending agency cannot be one of its own recipients"))
    local_id = identities.local_node(session, sender.node)
    assert local_id is not None
    recipients = [agencies[c] for c in codes]
    remote: dict[uuid.UUID, list[Agency]] = {}
    local = []
    for agency in recipients:
        if agency.node_id == local_id.id:
            local.append(agency)
        else:
            remote.setdefault(agency.node_id, []).append(agency)
    return sender, recipients, Route(local=local, remote=remote)


def send(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    draft: Draft,
    now: datetime,
    forwarded: Message | None = None,
) -> Message:
    """Seal, sign, store and route one message; peers get it through the outbox, written in
    this same transaction (it is never lost, and never sent if this work rolls back)."""
    sender_id = require_exchange(principal)
    thread_id = uuid.uuid4()
    if draft.in_reply_to is not None:
        thread_id = held(session, sender_id, draft.in_reply_to).thread_id
    sender, recipients, routes = route(session, sender_id, draft.recipients)
    for peer_id in routes.remote:
        peer = session.get(Node, peer_id)
        if peer is None or peer.public_key is None:
            names = ", ".join(a.code for a in routes.remote[peer_id])
            raise Invalid(N_("the node of %(names)s is not a configured peer"), names=names)
    local = identities.local_node(session)
    assert local is not None
    sealed = seal(
        session,
        keyring,
        sender=sender,
        recipients=recipients,
        draft=draft,
        thread_id=thread_id,
        forwarded=forwarded,
        local_node=local.code,
        now=now,
    )
    everyone = {a.code: a for a in [sender, *recipients]}
    message = store(session, sealed, agencies=everyone, sender_id=sender.id, received_at=now)
    receipts.insert_first(  # a new message has no receipts yet
        session,
        [(message.id, a.id, local.code) for a in routes.local],
        ReceiptKind.delivered.value,
        now,
    )
    notify_arrival(session, message, [a.id for a in routes.local], sender.code)
    for peer_id, agencies in routes.remote.items():
        outbox.enqueue(
            session,
            keyring,
            peer_id=peer_id,
            kind="message",
            body=message_body(sealed, {a.code for a in agencies}),
            message_id=message.id,
            now=now,
        )
    if draft.in_reply_to is not None and draft.kind is MessageKind.message:
        # Asking for consent or details in a thread does not answer it.
        mark(session, keyring, draft.in_reply_to, sender_id, ReceiptKind.answered, principal, now)
    audit(
        session,
        action="message.send",
        operation=Operation.disclosure,
        principal=principal,
        object_ids=[message.id],
        recipients=[a.code for a in recipients],
        detail={
            "kind": message.kind,
            "priority": message.priority,
            "handling_code": message.handling_code,
            "tlp": message.tlp,
            "attachments": len(sealed.blobs),
            "payload_entities": len(draft.payload),
            "remote_nodes": len(routes.remote),
            **({"forwarded_from": str(forwarded.id)} if forwarded else {}),
        },
    )
    return message


def held(session: Session, agency_id: uuid.UUID, message_id: uuid.UUID) -> Message:
    """A message this agency holds a copy of (as sender or recipient), or 404."""
    message = session.scalar(
        select(Message)
        .join(MessageCopy, MessageCopy.message_id == Message.id)
        .where(Message.id == message_id, MessageCopy.agency_id == agency_id)
    )
    if message is None:
        raise NotFound(N_("no message %(message_id)s"), message_id=message_id)
    return message


def mark(
    session: Session,
    keyring: Keyring,
    message_id: uuid.UUID,
    agency_id: uuid.UUID,
    kind: ReceiptKind,
    principal: Principal,
    now: datetime,
) -> None:
    """A recipient's receipt; if the sender lives on a peer, the receipt travels back."""
    message = session.get(Message, message_id)
    if message is None or message.sender_agency_id == agency_id:
        return
    if not add_receipt(session, message_id, agency_id, kind, at=now, actor=principal.username):
        return
    sender = session.get(Agency, message.sender_agency_id)
    local = identities.local_node(session)
    agency = session.get(Agency, agency_id)
    assert sender is not None
    assert local is not None
    assert agency is not None
    if sender.node_id == local.id:
        receipts.notify_sender(
            session, message_id=message_id, sender_id=sender.id, recipient=agency.code, kind=kind
        )
    else:
        outbox.enqueue(
            session,
            keyring,
            peer_id=sender.node_id,
            kind="receipt",
            body={
                "message": str(message_id),
                "agency": agency.code,
                "receipt": kind.value,
                "at": now.isoformat(),
            },
            message_id=message_id,
            now=now,
        )
