"""The audit log as a Merkle tree kept in the database: sizes, roots, proofs, signed heads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.audit import merkle
from palermo.errors import Invalid
from palermo.identity.keys import NodeKey
from palermo.models.audit import AuditEvent, AuditNode, AuditTreeHead


class StoredTree:
    """Perfect-subtree hashes from the database: leaves at level 0, stored nodes above."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def perfect(self, level: int, index: int) -> bytes:
        if level == 0:
            digest = self.session.scalar(
                select(AuditEvent.leaf_hash).where(AuditEvent.leaf_index == index)
            )
        else:
            digest = self.session.scalar(
                select(AuditNode.hash).where(AuditNode.level == level, AuditNode.index == index)
            )
        if digest is None:
            raise LookupError(f"subtree ({level}, {index}) is not in the audit log")
        return digest


def tree_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def root_at(session: Session, size: int) -> bytes:
    _check_size(session, size)
    return merkle.subtree_root(StoredTree(session), 0, size) if size else merkle.EMPTY_ROOT


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
    latest = session.scalar(select(AuditTreeHead).order_by(AuditTreeHead.tree_size.desc()))
    if latest is not None and latest.tree_size == size:
        return _head(latest)
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


def signed_heads(session: Session) -> list[SignedHead]:
    rows = session.scalars(select(AuditTreeHead).order_by(AuditTreeHead.tree_size))
    return [_head(r) for r in rows]


def inclusion(session: Session, leaf_index: int, size: int) -> list[bytes]:
    _check_size(session, size)
    if not 0 <= leaf_index < size:
        raise Invalid(f"entry {leaf_index} is not in a tree of size {size}")
    return merkle.inclusion_proof(StoredTree(session), leaf_index, size)


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    _check_size(session, second)
    if not 0 < first <= second:
        raise Invalid(f"a consistency proof needs 0 < first ({first}) <= second ({second})")
    return merkle.consistency_proof(StoredTree(session), first, second)
