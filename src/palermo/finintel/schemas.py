"""Financial intelligence API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from palermo.finintel.engine import Backend
from palermo.finintel.tracing import DEFAULT_MIN_AMOUNT, MAX_HOPS, Direction, Method


class ReporterIn(BaseModel):
    partner: str = Field(description="the private partner's agency code")
    registration: str = Field(min_length=1, max_length=64, description="goAML rentity_id")
    sector: str = "bank"


class Acknowledgement(BaseModel):
    """What a reporter gets for a report accepted."""

    model_config = ConfigDict(from_attributes=True)

    fiu_reference: str
    reference: str
    kind: str
    status: str
    received_at: datetime


class ReportMessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    username: str
    body: str
    created_at: datetime


class ReportOut(Acknowledgement):
    format: str
    submitted_at: datetime
    reason: str
    indicators: list[str]
    summary: dict[str, Any]
    record_ids: list[str]
    messages: list[ReportMessageOut] = []


class ReportMessageIn(BaseModel):
    kind: Literal["feedback", "information_request", "reply"]
    body: str = Field(min_length=1, max_length=20_000)


class StatusIn(BaseModel):
    status: str


class MonitorJobIn(BaseModel):
    kind: Literal["monitor"] = "monitor"
    backend: Backend = Backend.duckdb


class TraceJobIn(BaseModel):
    kind: Literal["trace"] = "trace"
    origin: str = Field(min_length=1, max_length=200, description="an account or transaction id")
    direction: Direction = Direction.forward
    hops: int = Field(default=4, ge=1, le=MAX_HOPS)
    method: Method = Method.fifo
    since: datetime | None = None
    until: datetime | None = None
    min_amount: float = Field(default=DEFAULT_MIN_AMOUNT, ge=0)


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    alert_key: str
    typology: str
    score: float
    rank_score: float | None
    accounts: list[str]
    transactions: list[str]
    window_start: datetime
    window_end: datetime
    rule_version: str
    facts: dict[str, Any]
    status: str
    assignee: str | None


class TriageIn(BaseModel):
    action: Literal["review", "dismiss", "escalate", "reopen"]
    note: str | None = Field(default=None, max_length=5_000)
    reference: str | None = Field(default=None, max_length=128)


class DisseminationIn(BaseModel):
    recipients: list[str] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=5_000)
