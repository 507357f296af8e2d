"""Appending to the audit log.

Each event is one Merkle leaf: its canonical JSON is hashed as H(0x00 || entry) (RFC 9162).
Events carry metadata only, never the payload (LED Art. 25, ASVS 16.2.5).
"""

from __future__ import annotations

import copy
import enum
import json
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import URL, event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from palermo.audit.merkle import leaf_hash, perfect_nodes_completed_by
from palermo.audit.tree import Prefetched, subtrees
from palermo.db import defer_rows, durable_write, write_at_end
from palermo.errors import PalermoError
from palermo.identity.principal import Principal
from palermo.models.audit import AuditEvent, AuditNode
from palermo.models.base import table_of, utcnow


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
_TAIL_KEY = "palermo.audit_tail"
_SAVED_KEY = "palermo.audit_tail_saved"  # savepoint -> the tail it began with


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
    document["actor_user_id"] = str(row["actor_user_id"]) if row["actor_user_id"] else None
    document["object_ids"] = list(row["object_ids"])
    document["recipients"] = list(row["recipients"])
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


# The tail each database's log had at this process's last commit: (size, last leaf, cover).
# A transaction's first append reuses it when the log still ends with that leaf, so the
# usual append costs one indexed read instead of one per subtree of the cover.
_COMMITTED: dict[URL, tuple[int, bytes | None, dict[tuple[int, int], bytes]]] = {}
_COMMITTED_LOCK = threading.Lock()


_PG_APPEND_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_LAST_LEAF = (
    select(AuditEvent.leaf_index, AuditEvent.leaf_hash)
    .order_by(AuditEvent.leaf_index.desc())
    .limit(1)
)


class LogTail:
    """The log's right edge in the current transaction: the next leaf index and the perfect
    subtrees covering the log so far. Read at the first append of a transaction (under the
    append lock), it spares every later append any query."""

    def __init__(self, session: Session) -> None:
        # Through the connection: a request's first audit line builds this, and the ORM's
        # execution (and the autoflush it brings, of rows this read does not need) cost more
        # than the indexed read itself.
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(_PG_APPEND_LOCK, {"key": _APPEND_LOCK})
        # SQLite's writer lock is held: the transaction began IMMEDIATE, or wrote already.
        last = connection.execute(_LAST_LEAF).first()
        self.size = 0 if last is None else last[0] + 1
        self.last: bytes | None = None if last is None else last[1]
        self.database = connection.engine.url
        with _COMMITTED_LOCK:
            known = _COMMITTED.get(self.database)
        if known is not None and known[:2] == (self.size, self.last):
            self.nodes = dict(known[2])
        else:
            # Another process appended since (a second worker, a command): the subtrees
            # covering the log now, in one read instead of one per subtree.
            cover = _cover(self.size)
            stored = Prefetched(subtrees(session, cover))
            self.nodes = {key: stored.perfect(*key) for key in cover}

    def perfect(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        completed = perfect_nodes_completed_by(self.size, leaf, self)
        self.nodes[(0, self.size)] = leaf
        self.nodes.update(((level, i), digest) for level, i, digest in completed)
        self.size += 1
        self.last = leaf
        self.nodes = {key: self.nodes[key] for key in _cover(self.size)}
        return completed

    def snapshot(self) -> LogTail:
        saved = copy.copy(self)
        saved.nodes = dict(self.nodes)
        return saved

    def committed(self) -> None:
        with _COMMITTED_LOCK:
            _COMMITTED[self.database] = (self.size, self.last, dict(self.nodes))


def _cover(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees, left to right, that make up a tree of `size` leaves."""
    keys, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def _tail(session: Session) -> LogTail:
    tail = session.info.get(_TAIL_KEY)
    if tail is None:
        tail = session.info[_TAIL_KEY] = LogTail(session)
    assert isinstance(tail, LogTail)
    return tail


@event.listens_for(Session, "after_commit")
def _remember_tail(session: Session) -> None:
    tail = session.info.get(_TAIL_KEY)
    if isinstance(tail, LogTail):
        tail.committed()


@event.listens_for(Session, "after_transaction_create")
def _save_tail(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint's lines go if it rolls back, and the tail must go back with them; a
    # released savepoint keeps both, so the next append needs no read.
    if transaction.nested:
        tail = session.info.get(_TAIL_KEY)
        saved = session.info.setdefault(_SAVED_KEY, {})
        saved[transaction] = tail.snapshot() if isinstance(tail, LogTail) else None


@event.listens_for(Session, "after_soft_rollback")
def _restore_tail(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested:
        saved = session.info.get(_SAVED_KEY, {}).pop(previous_transaction, None)
        if saved is None:
            session.info.pop(_TAIL_KEY, None)
        else:
            session.info[_TAIL_KEY] = saved


@event.listens_for(Session, "after_transaction_end")
def _forget_tail(session: Session, transaction: SessionTransaction) -> None:
    # A transaction's end, committed or not: the next one reads the log's tail again.
    if not transaction.nested and transaction.parent is None:
        session.info.pop(_TAIL_KEY, None)
        session.info.pop(_SAVED_KEY, None)


def _append(session: Session, fields: dict[str, Any]) -> None:
    tail = _tail(session)
    fields["leaf_index"] = tail.size
    fields["at"] = iso(utcnow())
    entry = canonical_entry(fields)
    digest = leaf_hash(entry)
    completed = tail.append(digest)
    # Straight to the driver, with the transaction's other lines: appends are hot, and every
    # column is plain text or bytes.
    defer_rows(
        session,
        table_of(AuditEvent),
        (
            "leaf_index",
            "at",
            "action",
            "operation",
            "outcome",
            "actor",
            "agency",
            "entry",
            "leaf_hash",
        ),
        [
            (
                fields["leaf_index"],
                fields["at"],
                fields["action"],
                fields["operation"],
                fields["outcome"],
                fields["actor"],
                fields["agency"],
                entry.decode(),
                digest,
            )
        ],
    )
    defer_rows(session, table_of(AuditNode), ("level", "index", "hash"), completed)


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
        "operation": operation.value,
        "outcome": outcome.value,
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
        line = dict(fields)
        write_at_end(s, lambda t: _append(t, line))

    if durable:
        durable_write(session, write)
    else:
        write(session)


@contextmanager
def refusals_logged(
    session: Session,
    *,
    action: str,
    operation: Operation,
    principal: Principal,
    purpose: str | None = None,
    object_ids: Iterable[str | uuid.UUID] = (),
    detail: Mapping[str, Any] | None = None,
) -> Iterator[None]:
    """Log a refusal of the work inside (any Palermo error) with its reason, durably, then
    let it go on: a refused action leaves its audit line and nothing else."""
    try:
        yield
    except PalermoError as refused:
        record(
            session,
            action=action,
            operation=operation,
            principal=principal,
            outcome=Outcome.failure,
            purpose=purpose,
            object_ids=object_ids,
            detail={**(detail or {}), "reason": refused.message},
            durable=True,
        )
        raise
