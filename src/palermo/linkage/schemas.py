"""API shapes of linkage."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from palermo.linkage.engine import Backend


class RunIn(BaseModel):
    purpose: str
    justification: str
    schema_: str = Field(default="Person", alias="schema")
    scope: list[str] | None = Field(default=None, max_length=200, description="agency codes")
    backend: Backend = Backend.duckdb
    threshold: float = Field(default=0.5, gt=0, lt=1)


class RunOut(BaseModel):
    id: uuid.UUID
    status: str
    error: str | None
    schema_: str = Field(alias="schema")
    scope: list[str] | None
    backend: str
    threshold: float
    username: str
    records: int
    pairs: int
    created_at: datetime
    finished_at: datetime | None


class PairOut(BaseModel):
    left_id: str
    right_id: str
    probability: float | None
    match_weight: float | None
    weights: dict[str, float] | None
    status: str
    hit_only: bool
    pending: str | None = None


class JudgementIn(BaseModel):
    left_id: str = Field(max_length=128)
    right_id: str = Field(max_length=128)
    verdict: str
    note: str | None = Field(default=None, max_length=2000)


class ClusterOut(BaseModel):
    id: str
    members: list[str]
    conflicts: list[tuple[str, str]]


class RecordsIn(BaseModel):
    purpose: str
    justification: str
    record_ids: list[str] = Field(min_length=1, max_length=1000)
    schema_: str = Field(default="Person", alias="schema")


class LinkedOut(BaseModel):
    record_id: str
    pairs: list[PairOut]
