"""The audit log's rows: leaves of an append-only Merkle tree (RFC 9162 hashing)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base


class AuditEvent(Base):
    """One leaf. Metadata only: who, what operation, on which objects, why, to whom, when.

    `leaf_index` is gapless and assigned under the append lock, so it is the Merkle position.
    """

    __tablename__ = "audit_events"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(64), index=True)
    operation: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    agency: Mapped[str | None] = mapped_column(String(32), index=True)
    purpose: Mapped[str | None] = mapped_column(String(64))
    justification: Mapped[str | None] = mapped_column(Text)
    object_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditNode(Base):
    """A perfect subtree of the Merkle tree (level ≥ 1), stored once complete so inclusion
    and consistency proofs cost O(log² n) lookups instead of rehashing the log."""

    __tablename__ = "audit_nodes"

    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditTreeHead(Base):
    """A signed tree head: the node's Ed25519 signature over (size, root, time)."""

    __tablename__ = "audit_tree_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
