"""Appending to the audit log.

Each event is one Merkle leaf: its canonical JSON is hashed as H(0x00 || entry) (RFC 9162).
Events carry metadata only, never the payload (LED Art. 25, ASVS 16.2.5).
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from palermo.db import durable_write
from palermo.identity.principal import Principal
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow


class Operation(enum.StrEnum):
    """LED Art. 25 processing operations, plus the security events ASVS 16.3 asks for."""

    collection = "collection"
    alteration = "alteration"
    consultation = "consultation"
    disclosure = "disclosure"
    combination = "combination"
    erasure = "erasure"
    authorization = "authorization"
    authentication = "authentication"
    administration = "administration"


class Outcome(enum.StrEnum):
    success = "success"
    failure = "failure"
    allow = "allow"
    deny = "deny"


# Any 64-bit constant: the PostgreSQL advisory lock that serialises leaf numbering.
_APPEND_LOCK = 0x50414C45524D4F


def canonical_entry(event: AuditEvent) -> bytes:
    """The bytes a leaf hashes: every column but the hash, as sorted compact JSON."""
    document = {
        "leaf_index": event.leaf_index,
        "at": _iso(event.at),
        "action": event.action,
        "operation": event.operation,
        "outcome": event.outcome,
        "actor": event.actor,
        "actor_user_id": str(event.actor_user_id) if event.actor_user_id else None,
        "agency": event.agency,
        "purpose": event.purpose,
        "justification": event.justification,
        "object_ids": list(event.object_ids),
        "recipients": list(event.recipients),
        "detail": event.detail,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _next_leaf_index(session: Session) -> int:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    # SQLite transactions begin IMMEDIATE, so the writer lock is already held.
    current = session.scalar(select(func.max(AuditEvent.leaf_index)))
    return 0 if current is None else current + 1


def _append(
    session: Session,
    *,
    action: str,
    operation: Operation,
    outcome: Outcome,
    actor: str,
    actor_user_id: uuid.UUID | None,
    agency: str | None,
    purpose: str | None,
    justification: str | None,
    object_ids: list[str],
    recipients: list[str],
    detail: dict[str, Any],
) -> AuditEvent:
    event = AuditEvent(
        leaf_index=_next_leaf_index(session),
        at=utcnow(),
        action=action,
        operation=operation.value,
        outcome=outcome.value,
        actor=actor,
        actor_user_id=actor_user_id,
        agency=agency,
        purpose=purpose,
        justification=justification,
        object_ids=object_ids,
        recipients=recipients,
        detail=detail,
    )
    event.leaf_hash = leaf_hash(canonical_entry(event))
    session.add(event)
    session.flush()
    return event


def record(
    session: Session,
    *,
    action: str,
    operation: Operation,
    principal: Principal | None = None,
    actor: str | None = None,
    outcome: Outcome = Outcome.success,
    purpose: str | None = None,
    justification: str | None = None,
    object_ids: Iterable[str | uuid.UUID] = (),
    recipients: Iterable[str] = (),
    detail: Mapping[str, Any] | None = None,
    durable: bool = False,
) -> None:
    """Append one event. `durable=True` keeps it even if the surrounding work rolls back
    (refusals and failed log-ins must be logged although the request fails)."""
    fields: dict[str, Any] = {
        "action": action,
        "operation": operation,
        "outcome": outcome,
        "actor": principal.username if principal else (actor or "anonymous"),
        "actor_user_id": principal.user_id if principal else None,
        "agency": principal.agency_code if principal else None,
        "purpose": purpose,
        "justification": justification,
        "object_ids": [str(o) for o in object_ids],
        "recipients": list(recipients),
        "detail": dict(detail or {}),
    }
    if principal is not None and principal.channel != "session":
        fields["detail"].setdefault("channel", principal.channel)

    def write(s: Session) -> None:
        _append(s, **fields)

    if durable:
        durable_write(session, write)
    else:
        write(session)
