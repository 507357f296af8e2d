"""API shapes of the audit log: events, signed heads, proofs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class EventOut(BaseModel):
    leaf_index: int
    at: datetime
    action: str
    operation: str
    outcome: str
    actor: str
    actor_user_id: uuid.UUID | None
    agency: str | None
    purpose: str | None
    justification: str | None
    object_ids: list[str]
    recipients: list[str]
    detail: dict[str, Any]
    leaf_hash: str = Field(description="hex SHA-256(0x00 || canonical entry)")


class TreeHeadOut(BaseModel):
    tree_size: int
    root_hash: str
    signed_at: datetime
    key_id: str
    signature: str = Field(description="hex Ed25519 signature over the head message")
    public_key: str = Field(description="hex raw Ed25519 public key of the node")
    message: str = Field(description="the exact signed bytes, as text")


class InclusionOut(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyOut(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]
