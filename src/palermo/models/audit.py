"""The audit log's rows: leaves of an append-only Merkle tree (RFC 9162 hashing)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base


class AuditEvent(Base):
    """One leaf. `entry` is the canonical JSON the leaf hash covers (RFC 9162: leaf =
    H(0x00 || entry)); the other columns are copies of its fields, indexed for searching.

    Metadata only: who, what operation, on which objects, why, to whom, when.
    `leaf_index` is gapless and assigned under the append lock: it is the Merkle position.
    """

    __tablename__ = "audit_events"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # ISO 8601 UTC text ("…Z"), exactly as in the entry: sorts by time and needs no conversion.
    at: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    operation: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64), index=True)
    agency: Mapped[str | None] = mapped_column(String(32), index=True)
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.at)

    @cached_property
    def content(self) -> dict[str, Any]:
        content: dict[str, Any] = json.loads(self.entry)
        return content

    @property
    def actor_user_id(self) -> uuid.UUID | None:
        value = self.content.get("actor_user_id")
        return uuid.UUID(value) if value else None

    @property
    def purpose(self) -> str | None:
        return self.content.get("purpose")

    @property
    def justification(self) -> str | None:
        return self.content.get("justification")

    @property
    def object_ids(self) -> list[str]:
        return list(self.content.get("object_ids", []))

    @property
    def recipients(self) -> list[str]:
        return list(self.content.get("recipients", []))

    @property
    def detail(self) -> dict[str, Any]:
        return dict(self.content.get("detail", {}))


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
