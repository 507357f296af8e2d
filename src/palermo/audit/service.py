"""Appending to the audit log.

Each event is one Merkle leaf: its canonical JSON is hashed as H(0x00 || entry) (RFC 9162).
Events carry metadata only, never the payload (LED Art. 25, ASVS 16.2.5).
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from palermo.audit.merkle import leaf_hash, perfect_nodes_completed_by
from palermo.audit.tree import StoredTree
from palermo.db import durable_write
from palermo.identity.principal import Principal
from palermo.models.audit import AuditEvent, AuditNode
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


ENTRY_FIELDS = (
    "leaf_index",
    "at",
    "action",
    "operation",
    "outcome",
    "actor",
    "actor_user_id",
    "agency",
    "purpose",
    "justification",
    "object_ids",
    "recipients",
    "detail",
)


def canonical_entry(row: Mapping[str, Any]) -> bytes:
    """The bytes a leaf hashes: the event's columns as sorted, compact JSON."""
    document = {name: row[name] for name in ENTRY_FIELDS}
    document["at"] = _iso(row["at"])
    document["actor_user_id"] = str(row["actor_user_id"]) if row["actor_user_id"] else None
    document["object_ids"] = list(row["object_ids"])
    document["recipients"] = list(row["recipients"])
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


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
) -> None:
    fields: dict[str, Any] = {
        "leaf_index": _next_leaf_index(session),
        "at": utcnow(),
        "action": action,
        "operation": operation.value,
        "outcome": outcome.value,
        "actor": actor,
        "actor_user_id": actor_user_id,
        "agency": agency,
        "purpose": purpose,
        "justification": justification,
        "object_ids": object_ids,
        "recipients": recipients,
        "detail": detail,
    }
    digest = leaf_hash(canonical_entry(fields))
    session.add(AuditEvent(**fields, leaf_hash=digest))
    completed = perfect_nodes_completed_by(fields["leaf_index"], digest, StoredTree(session))
    session.add_all(AuditNode(level=lv, index=ix, hash=h) for lv, ix, h in completed)
    session.flush()


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
