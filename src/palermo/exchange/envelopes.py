"""Node-to-node envelopes: what a node signs (Ed25519) and a peer verifies before anything
else — addressed to it, from a configured peer, signed by that peer's key, never replayed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from palermo.exchange import crypto
from palermo.identity import repository as identities
from palermo.identity.keys import NodeKey
from palermo.models.exchange import InboxEntry
from palermo.models.identity import Node

KINDS = frozenset({"message", "receipt", "consent", "hit_query"})


class Refusal(Exception):
    """A peer's envelope we do not accept; the reason goes back to the sender and into our
    own inbox log and audit trail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def claim(value: object) -> str:
    """What an envelope claims (its id, its sender), fit to log and to answer: at most 64
    characters, half characters (lone surrogates, which JSON's \\u escapes can write)
    escaped."""
    return str(value)[:64].encode("utf-8", "backslashreplace").decode()


# What this node reads of a peer's answer at most (its own requests stop at 10 MiB): a peer
# that answers without end, or with gigabytes, must not fill this node's memory.
PEER_ANSWER_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class PeerAnswer:
    """A peer's HTTP answer, read whole but bounded."""

    status_code: int
    reason_phrase: str
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def ask_peer(client: httpx.Client, method: str, url: str, **options: Any) -> PeerAnswer:
    """Send one request to a peer and read its answer up to `PEER_ANSWER_MAX_BYTES`; a
    longer answer raises `httpx.DecodingError`, as an unreadable one would."""
    with client.stream(method, url, **options) as response:
        content = bytearray()
        for chunk in response.iter_bytes():
            content += chunk
            if len(content) > PEER_ANSWER_MAX_BYTES:
                raise httpx.DecodingError(
                    f"the answer is longer than the {PEER_ANSWER_MAX_BYTES} bytes accepted"
                )
    return PeerAnswer(response.status_code, response.reason_phrase, bytes(content))


def peer_error(response: PeerAnswer) -> str:
    """The peer's own words: Palermo answers errors as {"error": {"code", "message"}}."""
    try:
        answer = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder goes
        answer = None
    error = answer.get("error") if isinstance(answer, dict) else None
    detail = error.get("message") if isinstance(error, dict) else None
    if detail is None and isinstance(answer, dict):
        detail = answer.get("detail")
    return str(detail or response.reason_phrase or response.status_code)


def build(
    key: NodeKey,
    *,
    kind: str,
    sender: str,
    receiver: str,
    body: dict[str, Any],
    now: datetime,
    envelope_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    envelope = {
        "id": str(envelope_id or uuid.uuid4()),
        "kind": kind,
        "from": sender,
        "to": receiver,
        "created_at": now.isoformat(),
        "body": body,
    }
    envelope["signature"] = crypto.b64(key.sign(crypto.canonical(envelope)))
    return envelope


def digest(envelope: dict[str, Any]) -> str:
    return crypto.sha256_hex(crypto.canonical(envelope))


@dataclass(frozen=True)
class Verified:
    id: uuid.UUID
    kind: str
    peer: Node
    body: dict[str, Any]
    digest: str
    seen: Row[str, str, str | None, datetime] | None  # its earlier receipt, if any


def shape(envelope: object) -> tuple[uuid.UUID, str, str]:
    """(id, kind, from) of a well-formed envelope, or a refusal naming what is wrong."""
    if not isinstance(envelope, dict):
        raise Refusal("malformed envelope: not a JSON object")
    for name in ("id", "kind", "from", "to", "created_at", "signature"):
        value = envelope.get(name)
        if not isinstance(value, str):
            raise Refusal(f"malformed envelope: {name!r} missing or not text")
        try:
            value.encode("utf-8")  # the sender is looked up: a database takes only Unicode
        except UnicodeEncodeError:
            raise Refusal(f"malformed envelope: {name!r} holds half a character") from None
    if not isinstance(envelope.get("body"), dict):
        raise Refusal("malformed envelope: 'body' missing or not an object")
    try:
        envelope_id = uuid.UUID(envelope["id"])
    except ValueError:
        raise Refusal(f"malformed envelope: id {envelope['id']!r} is not a UUID") from None
    if envelope["kind"] not in KINDS:
        raise Refusal(f"malformed envelope: unknown kind {envelope['kind']!r}")
    return envelope_id, envelope["kind"], envelope["from"][:64]


# Every envelope asks it and almost never finds one: columns through the driver, not an
# entity (the ORM's lookup cost a peer's node about a seventh of its time a message).
_EARLIER = select(
    InboxEntry.digest, InboxEntry.outcome, InboxEntry.reason, InboxEntry.received_at
).where(InboxEntry.id == bindparam("id"))


def verify(session: Session, envelope: dict[str, Any], *, local_code: str) -> Verified:
    envelope_id, kind, sender = shape(envelope)
    if envelope["to"] != local_code:
        raise Refusal(f"envelope addressed to node {envelope['to']!r}, this is {local_code}")
    peer = identities.peer_node(session, sender)
    if peer is None or peer.public_key is None:
        raise Refusal(f"unknown peer {sender!r}: not configured on {local_code}")
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    try:
        signature = crypto.unb64(envelope["signature"], "signature")
        crypto.verify(peer.public_key, signature, crypto.canonical(unsigned))
    except (ValueError, crypto.CryptoFailure):
        raise Refusal(f"bad signature: the envelope is not signed by {sender}'s node key") from None
    seen_digest = digest(envelope)
    seen = session.connection().execute(_EARLIER, {"id": envelope_id}).first()
    if seen is not None and seen.digest != seen_digest:
        raise Refusal(f"replay: envelope id {envelope_id} was already used for other content")
    return Verified(envelope_id, kind, peer, envelope["body"], seen_digest, seen)
