"""The audit log as a Merkle tree kept in the database: sizes, roots, proofs, signed heads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit import merkle
from palermo.db import fetch_rows
from palermo.errors import Invalid
from palermo.identity.keys import NodeKey
from palermo.models.audit import AuditTreeHead

T = TypeVar("T")


class _Recorder:
    """Answers with a placeholder and notes which subtrees an algorithm asks for."""

    def __init__(self) -> None:
        self.keys: set[tuple[int, int]] = set()

    def perfect(self, level: int, index: int) -> bytes:
        self.keys.add((level, index))
        return bytes(32)


class Prefetched:
    """Subtree hashes fetched beforehand (`subtrees`); a missing one is not in the log."""

    def __init__(self, nodes: dict[tuple[int, int], bytes]) -> None:
        self.nodes = nodes

    def perfect(self, level: int, index: int) -> bytes:
        try:
            return self.nodes[(level, index)]
        except KeyError:
            raise LookupError(f"subtree ({level}, {index}) is not in the audit log") from None


def subtrees(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of perfect subtrees (level, index) in two queries at most: leaves at
    level 0, stored nodes above."""
    by_level: dict[int, list[int]] = {}
    for level, index in keys:
        by_level.setdefault(level, []).append(index)
    found: dict[tuple[int, int], bytes] = {}
    leaves = by_level.pop(0, [])
    if leaves:
        marks = ", ".join("?" for _ in leaves)
        sql = f"SELECT leaf_index, leaf_hash FROM audit_events WHERE leaf_index IN ({marks})"  # noqa: S608
        rows = fetch_rows(session, sql, leaves)
        found.update(((0, index), bytes(digest)) for index, digest in rows)
    if by_level:
        # One primary-key range per level: SQLite uses no index for a row-value IN.
        clauses = " OR ".join(
            f'(level = ? AND "index" IN ({", ".join("?" for _ in ix)}))' for ix in by_level.values()
        )
        params = [p for level, ix in by_level.items() for p in (level, *ix)]
        rows = fetch_rows(
            session,
            f'SELECT level, "index", hash FROM audit_nodes WHERE {clauses}',  # noqa: S608
            params,
        )
        found.update(((level, index), bytes(digest)) for level, index, digest in rows)
    return found


def _prefetch(session: Session, compute: Callable[[merkle.SubtreeHashes], T]) -> T:
    """Run a proof algorithm twice: once to learn which subtrees it reads (the access
    pattern never depends on hash values), then on those subtrees fetched together."""
    recorder = _Recorder()
    compute(recorder)
    return compute(Prefetched(subtrees(session, recorder.keys)))


def tree_size(session: Session) -> int:
    # Leaf indexes are gapless, so the last one tells the size without counting rows.
    [(last,)] = fetch_rows(session, "SELECT max(leaf_index) FROM audit_events", ())
    return 0 if last is None else int(last) + 1


def root_at(session: Session, size: int) -> bytes:
    _check_size(session, size)
    if not size:
        return merkle.EMPTY_ROOT
    return _prefetch(session, lambda source: merkle.subtree_root(source, 0, size))


def _check_size(session: Session, size: int) -> None:
    current = tree_size(session)
    if not 0 <= size <= current:
        raise Invalid(f"tree size {size} is outside 0..{current}")


def head_message(size: int, root: bytes, signed_at: datetime) -> bytes:
    """What a tree-head signature covers; partners verify exactly these bytes."""
    stamp = signed_at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return f"palermo-tree-head-v1\n{size}\n{root.hex()}\n{stamp}\n".encode()


@dataclass(frozen=True)
class SignedHead:
    tree_size: int
    root_hash: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


def _head(row: AuditTreeHead) -> SignedHead:
    return SignedHead(row.tree_size, row.root_hash, row.signed_at, row.key_id, row.signature)


def sign_head(session: Session, key: NodeKey, *, now: datetime) -> SignedHead:
    """The signed head of the log as it stands (signing anew only when it has grown)."""
    size = tree_size(session)
    latest = latest_head(session)
    if latest is not None and latest.tree_size == size:
        return latest
    root = root_at(session, size)
    row = AuditTreeHead(
        tree_size=size,
        root_hash=root,
        signed_at=now,
        key_id=key.key_id,
        signature=key.sign(head_message(size, root, now)),
    )
    session.add(row)
    session.flush()
    return _head(row)


def latest_head(session: Session) -> SignedHead | None:
    """The head signed last (the largest tree), or None before the first."""
    row = session.scalar(select(AuditTreeHead).order_by(AuditTreeHead.tree_size.desc()))
    return None if row is None else _head(row)


def signed_heads(session: Session) -> list[SignedHead]:
    rows = session.scalars(select(AuditTreeHead).order_by(AuditTreeHead.tree_size))
    return [_head(r) for r in rows]


def inclusion(session: Session, leaf_index: int, size: int) -> list[bytes]:
    _check_size(session, size)
    if not 0 <= leaf_index < size:
        raise Invalid(f"entry {leaf_index} is not in a tree of size {size}")
    return _prefetch(session, lambda source: merkle.inclusion_proof(source, leaf_index, size))


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    _check_size(session, second)
    if not 0 < first <= second:
        raise Invalid(f"a consistency proof needs 0 < first ({first}) <= second ({second})")
    return _prefetch(session, lambda source: merkle.consistency_proof(source, first, second))
