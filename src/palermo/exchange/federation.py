"""Receiving envelopes from peers: verify, apply once, and record every outcome.

Each envelope is applied in its own savepoint, so one refused envelope never undoes another
of the same batch, and a refused one leaves nothing behind but the record of its refusal.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.db import insert_dicts, remembered
from palermo.exchange import crypto, envelopes, receipts
from palermo.exchange.envelopes import Refusal, Verified, claim
from palermo.exchange.keys import KeyUse, public_of
from palermo.exchange.messages import (
    EVALUATION,
    MessageKind,
    Priority,
    ReceiptKind,
    Sealed,
    add_receipt,
    notify_arrival,
    store,
)
from palermo.identity import repository as identities
from palermo.models.base import table_of
from palermo.models.exchange import Consent, InboxEntry, Message
from palermo.models.identity import Agency, Node
from palermo.models.records import Notification
from palermo.notifications import texts
from palermo.records.envelope import HandlingCode, Tlp
from palermo.translatable import written


@dataclass(frozen=True)
class Receiving:
    """What applying an envelope needs to know of this node."""

    local: Node
    now: datetime
    max_attachment_bytes: int


UNVERIFIED_IDS = 100  # envelope ids named by the audit line of a batch's unverified refusals
UNVERIFIED_REASONS = 20


def receive_batch(session: Session, batch: list[Any], receiving: Receiving) -> list[dict[str, Any]]:
    """Apply a peer's batch, envelope by envelope. Envelopes that fail before their node
    signature verifies are audited together, one line per claimed kind: anyone can post
    them, and they must not be able to grow the audit log by a line each."""
    unverified: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    answers = [receive(session, envelope, receiving, unverified=unverified) for envelope in batch]
    for kind, refused in unverified.items():
        reasons = list(dict.fromkeys(reason for _, reason in refused))
        senders = sorted({claim(_object(e).get("from")) for e, _ in refused})
        audit(
            session,
            action=f"federation.receive.{kind}",
            operation=Operation.collection,
            actor=senders[0] if len(senders) == 1 else f"{len(senders)} claimed senders",
            outcome=Outcome.deny,
            object_ids=[claim(_object(e).get("id")) for e, _ in refused][:UNVERIFIED_IDS],
            detail={
                "outcome": "refused",
                "envelopes": len(refused),
                "from": senders[:UNVERIFIED_REASONS],
                "reason": "; ".join(reasons[:UNVERIFIED_REASONS]),
            },
        )
    return answers


def receive(
    session: Session,
    envelope: Any,
    receiving: Receiving,
    *,
    unverified: dict[str, list[tuple[Any, str]]] | None = None,
) -> dict[str, Any]:
    """Apply one envelope; the answer says accepted, duplicate or refused (and why).
    `unverified` collects the refusals before verification for `receive_batch` to audit;
    without it each is audited at once."""
    claimed = envelope.get("id") if isinstance(envelope, dict) else None
    claimed_id = None if claimed is None else claim(claimed)
    try:
        verified = envelopes.verify(session, envelope, local_code=receiving.local.code)
    except Refusal as refusal:
        # Not recorded in the inbox: an unverified envelope must not claim an id.
        if unverified is None:
            _audit_receipt(session, envelope, "refused", refusal.reason)
        else:
            unverified[_kind(envelope)].append((envelope, refusal.reason))
        return {"id": claimed_id, "outcome": "refused", "reason": refusal.reason}
    if verified.seen is not None:
        seen = verified.seen
        if seen.outcome == "accepted":
            when = seen.received_at.isoformat()
            return {
                "id": claimed_id,
                "outcome": "duplicate",
                "reason": f"already received at {when}; not applied again",
            }
        return {"id": claimed_id, "outcome": "refused", "reason": seen.reason}
    savepoint = session.begin_nested()
    outcome = "accepted"
    reason: str | None = None
    try:
        HANDLERS[verified.kind](session, verified, receiving)
        savepoint.commit()
    except Refusal as refusal:
        savepoint.rollback()
        outcome, reason = "refused", refusal.reason
    insert_dicts(
        session,
        table_of(InboxEntry),
        [
            {
                "id": verified.id,
                "from_node": verified.peer.code,
                "kind": verified.kind,
                "digest": verified.digest,
                "outcome": outcome,
                "reason": reason,
                "received_at": receiving.now,
            }
        ],
    )
    _audit_receipt(session, envelope, outcome, reason)
    return {"id": claimed_id, "outcome": outcome, "reason": reason}


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kind(raw: Any) -> str:
    # Only a known kind names the action: an unverified envelope must not write its own
    # action names into the audit log.
    claimed = _object(raw).get("kind")
    return claimed if isinstance(claimed, str) and claimed in envelopes.KINDS else "invalid"


def _audit_receipt(session: Session, raw: Any, outcome: str, reason: str | None) -> None:
    envelope = _object(raw)
    kind = _kind(envelope)
    body = _object(envelope.get("body"))
    # The message an envelope carries, or the one its receipt or consent is about.
    about = _object(body.get("header")).get("id") or body.get("message")
    objects = [claim(x) for x in (envelope.get("id"), about) if x]
    audit(
        session,
        action=f"federation.receive.{kind}",
        operation=Operation.collection,
        actor=claim(envelope.get("from")),
        outcome=Outcome.success if outcome != "refused" else Outcome.deny,
        object_ids=objects,
        detail={"outcome": outcome, **({"reason": reason} if reason else {})},
    )


# What a batch's envelopes name again and again, read once per batch --------------------
def _agency(session: Session, code: str) -> Agency | None:
    return remembered(session, ("agency", code), lambda: identities.agency_by_code(session, code))


def _hosted(session: Session, local: Node) -> dict[str, Agency]:
    """The agencies this node hosts, by code."""
    hosted = remembered(
        session,
        ("hosted agencies",),
        lambda: {
            a.code: a for a in session.scalars(select(Agency).where(Agency.node_id == local.id))
        },
    )
    assert hosted is not None
    return hosted


# Messages --------------------------------------------------------------------------------
def _text(header: dict[str, Any], name: str, *, optional: bool = False) -> str | None:
    value = header.get(name)
    if value is None and optional and name in header:
        return None
    if not isinstance(value, str) or not value:
        raise Refusal(f"malformed message header: {name!r} missing or not text")
    return value


def _uuid(header: dict[str, Any], name: str, *, optional: bool = False) -> uuid.UUID | None:
    value = _text(header, name, optional=optional)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Refusal(f"malformed message header: {name!r} is not a UUID") from None


def _member(header: dict[str, Any], name: str, allowed: type[Any]) -> None:
    try:
        allowed(header.get(name))
    except ValueError:
        raise Refusal(f"malformed message header: {name} {header.get(name)!r}") from None


def check_header(header: object) -> dict[str, Any]:
    """A peer's message header, every field checked before anything is stored."""
    if not isinstance(header, dict) or header.get("v") != 1:
        raise Refusal("malformed message header: not a version 1 header")
    for name in ("id", "thread", "origin"):
        _uuid(header, name)
    for name in ("in_reply_to", "forwarded_from"):
        _uuid(header, name, optional=True)
    for name in ("sender", "sender_node", "provider", "signing_kid", "sent_at"):
        _text(header, name)
    _member(header, "kind", MessageKind)
    _member(header, "priority", Priority)
    _member(header, "handling_code", HandlingCode)
    _member(header, "tlp", Tlp)
    note = _text(header, "handling_note", optional=True)
    if header["handling_code"] == "H3" and not note:
        raise Refusal("malformed message header: H3 without its handling note")
    evaluation = _text(header, "evaluation", optional=True)
    if evaluation and not EVALUATION.match(evaluation):
        raise Refusal(f"malformed message header: evaluation {evaluation!r}")
    try:
        sent = datetime.fromisoformat(header["sent_at"])
        reply_by = _text(header, "reply_by", optional=True)
        if reply_by:
            date.fromisoformat(reply_by)
    except ValueError:
        raise Refusal("malformed message header: a date is not ISO 8601") from None
    if sent.tzinfo is None:
        raise Refusal("malformed message header: sent_at has no time zone")
    _text(header, "case", optional=True)
    for name, longest in (("case", 64), ("provider", 32)):  # the lengths of their columns
        if len(header[name] or "") > longest:
            raise Refusal(f"malformed message header: {name!r} longer than {longest} characters")
    copies, attachments = header.get("copies"), header.get("attachments")
    recipients = header.get("recipients")
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise Refusal("malformed message header: recipients must be a list of agency codes")
    if not isinstance(copies, dict) or not all(
        isinstance(c, dict) and isinstance(c.get("kid"), str) and isinstance(c.get("sha256"), str)
        for c in copies.values()
    ):
        raise Refusal("malformed message header: copies must map agencies to key and digest")
    for code, copy in copies.items():
        if len(copy["kid"]) > 16:  # the length of its column
            raise Refusal(
                f"malformed message header: the key id of the copy for {code!r} is longer "
                "than 16 characters"
            )
    if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
        raise Refusal("malformed message header: attachments must be a list of digests")
    return header


def _decoded(mapping: object, what: str) -> dict[str, bytes]:
    if not isinstance(mapping, dict):
        raise Refusal(f"malformed message: {what} must be an object")
    try:
        return {str(k): crypto.unb64(v, what) for k, v in mapping.items()}
    except ValueError as exc:
        raise Refusal(f"malformed message: {exc}") from None


# Asked of every message received, as `envelopes.verify` asks of every envelope.
_HELD = select(Message.id).where(Message.id == bindparam("id"))


def accept_message(session: Session, verified: Verified, receiving: Receiving) -> None:
    body = verified.body
    header = check_header(body.get("header"))
    peer = verified.peer
    if header["sender_node"] != peer.code:
        raise Refusal(f"message from node {header['sender_node']} relayed by {peer.code}")
    sender = _agency(session, header["sender"])
    if sender is None or sender.node_id != peer.id:
        raise Refusal(
            f"agency {header['sender']} is not known here as hosted by {peer.code} "
            "(sync the peer's directory)"
        )
    kid = header["signing_kid"]
    public = remembered(
        session,
        ("signing key", kid, sender.id),
        lambda: public_of(session, kid, sender.id, KeyUse.signing),
    )
    if public is None:
        raise Refusal(f"unknown signing key {header['signing_kid']} of agency {sender.code}")
    try:
        signature = crypto.unb64(body.get("signature"), "signature")
        crypto.verify(public, signature, crypto.canonical(header))
    except (ValueError, crypto.CryptoFailure):
        raise Refusal(
            f"bad signature: message {header['id']} is not signed by agency {sender.code}"
        ) from None
    copies = _decoded(body.get("copies"), "copies")
    blobs = _decoded(body.get("blobs"), "blobs")
    hosted = _hosted(session, receiving.local)
    for code, ciphertext in copies.items():
        signed = header["copies"].get(code)
        if signed is None or crypto.sha256_hex(ciphertext) != signed["sha256"]:
            raise Refusal(f"tampered message: the copy for {code} is not the one signed")
        if code not in hosted:
            raise Refusal(f"agency {code} is not hosted on {receiving.local.code}")
    if not copies:
        raise Refusal(f"no copy for an agency hosted on {receiving.local.code}")
    if sorted(blobs) != sorted(header["attachments"]):
        raise Refusal("tampered message: attachments differ from those signed")
    limit = receiving.max_attachment_bytes + 28  # nonce and tag
    for digest, blob in blobs.items():
        if crypto.sha256_hex(blob) != digest:
            raise Refusal(f"tampered message: attachment {digest[:12]}… does not match")
        if len(blob) > limit:
            raise Refusal(
                f"attachment {digest[:12]}… has {len(blob)} bytes; "
                f"{receiving.local.code} accepts at most {limit}"
            )
    message_id = uuid.UUID(header["id"])
    if session.connection().execute(_HELD, {"id": message_id}).first() is not None:
        return  # already held (sent again under a new envelope): nothing to add
    sealed = Sealed(
        header=header,
        signature=signature,
        copies={c: (header["copies"][c]["kid"], ct) for c, ct in copies.items()},
        blobs=blobs,
    )
    receivers = {c: hosted[c] for c in copies}
    message = store(
        session, sealed, agencies=receivers, sender_id=sender.id, received_at=receiving.now
    )
    receipts.insert_first(  # a message new here has no receipts yet
        session,
        [(message.id, a.id, peer.code) for a in receivers.values()],
        ReceiptKind.delivered.value,
        receiving.now,
    )
    notify_arrival(session, message, [a.id for a in receivers.values()], sender.code)
    audit(
        session,
        action="message.receive",
        operation=Operation.collection,
        actor=peer.code,
        object_ids=[message.id],
        recipients=sorted(receivers),
        detail={
            "sender": sender.code,
            "handling_code": message.handling_code,
            "tlp": message.tlp,
            "priority": message.priority,
        },
    )


# Receipts and consents -------------------------------------------------------------------
def _remote_agency(session: Session, code: object, peer: Node) -> Agency:
    agency = _agency(session, code) if isinstance(code, str) else None
    if agency is None or agency.node_id != peer.id:
        raise Refusal(f"agency {code!r} is not known here as hosted by {peer.code}")
    return agency


def _local_message(session: Session, value: object, local: Node) -> Message:
    try:
        message = session.get(Message, uuid.UUID(str(value)))
    except ValueError:
        message = None
    if message is None:
        raise Refusal(f"no message {value!r} on {local.code}")
    return message


def _received(message: Message, agency: Agency) -> bool:
    """Whether the agency is one of the message's recipients, as its sender signed them."""
    return agency.code in message.header.get("recipients", [])


def accept_receipt(session: Session, verified: Verified, receiving: Receiving) -> None:
    body = verified.body
    message = _local_message(session, body.get("message"), receiving.local)
    agency = _remote_agency(session, body.get("agency"), verified.peer)
    try:
        kind = ReceiptKind(str(body.get("receipt")))
        at = datetime.fromisoformat(str(body.get("at")))
    except ValueError:
        raise Refusal("malformed receipt: unknown kind or bad time") from None
    if at.tzinfo is None:
        raise Refusal("malformed receipt: time without a zone")
    if not _received(message, agency):
        raise Refusal(f"{agency.code} did not receive message {message.id}")
    recorded = add_receipt(
        session, message.id, agency.id, kind, at=at, actor=f"{agency.code}@{verified.peer.code}"
    )
    sender = session.get(Agency, message.sender_agency_id)
    if recorded and sender is not None and sender.node_id == receiving.local.id:
        receipts.notify_sender(
            session,
            message_id=message.id,
            sender_id=message.sender_agency_id,
            recipient=agency.code,
            kind=kind,
        )


def accept_consent(session: Session, verified: Verified, receiving: Receiving) -> None:
    """A provider on the peer allows an agency here to forward, or use as evidence, one of
    its messages (this node may hold only a forward of it)."""
    body = verified.body
    try:
        origin = uuid.UUID(str(body.get("origin")))
    except ValueError:
        raise Refusal("malformed consent: origin is not a message id") from None
    provider = _remote_agency(session, body.get("provider"), verified.peer)
    grantee = _agency(session, str(body.get("grantee")))
    if grantee is None or grantee.node_id != receiving.local.id:
        raise Refusal(f"grantee {body.get('grantee')!r} is not hosted on {receiving.local.code}")
    scope = body.get("scope")
    if scope not in ("forward", "evidence"):
        raise Refusal(f"malformed consent: unknown scope {scope!r}")
    exists = session.scalar(
        select(Consent.id).where(
            Consent.origin_id == origin,
            Consent.grantee_agency_id == grantee.id,
            Consent.scope == scope,
        )
    )
    if exists is None:
        session.add(
            Consent(
                origin_id=origin,
                provider_agency_id=provider.id,
                grantee_agency_id=grantee.id,
                scope=scope,
                granted_by=f"{str(body.get('granted_by'))[:64]}@{verified.peer.code}",
                note=str(body.get("note") or "")[:2000] or None,
                created_at=receiving.now,
            )
        )
        session.add(
            Notification(
                agency_id=grantee.id,
                kind="message.consent",
                message=written(texts.CONSENT, agency=provider.code, scope=scope, id=origin),
            )
        )


def refuse_queries(session: Session, verified: Verified, receiving: Receiving) -> None:
    raise Refusal("hit/no-hit queries go to /federation/hits, not in the envelope stream")


HANDLERS: dict[str, Callable[[Session, Verified, Receiving], None]] = {
    "message": accept_message,
    "receipt": accept_receipt,
    "consent": accept_consent,
    "hit_query": refuse_queries,
}
