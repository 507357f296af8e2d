"""API shapes of requests between central authorities: the request as each side reads it
(with the steps that side may take now), its timeline and parts, and what each step takes.
The draft itself is `schemas.RequestIn`."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from palermo.judicial.lifecycle import Ground, Measure, RequestKind, Side, Status, Step


class Direction(enum.StrEnum):
    """Requests seen from the reader's agency: those it makes, and those made to it (as the
    requested central authority or the authority executing them)."""

    outgoing = "outgoing"
    incoming = "incoming"


class PersonOut(BaseModel):
    name: str
    nationality: str | None = None
    location: str | None = None
    record_id: str | None = None


class DualCriminalitySnapshot(BaseModel):
    """Dual criminality as checked when the request was sent (what the sender relied on)."""

    holds: bool
    failing: list[str]
    max_penalty_years: dict[str, str] = Field(description='per state; "life" for life')


class RequestEventOut(BaseModel):
    at: datetime
    agency: str
    actor: str
    step: str = Field(description="draft, or the step taken")
    from_status: Status | None
    to_status: Status
    note: str


class RequestPartOut(BaseModel):
    id: uuid.UUID
    measure: Measure | None
    executed_on: date
    summary: str
    agency: str
    recorded_by: str
    recorded_at: datetime


class RequestSummaryOut(BaseModel):
    """A row of the list of requests."""

    id: uuid.UUID
    reference: str
    kind: RequestKind
    measures: list[Measure]
    requesting: str
    requested: str
    executing: str | None
    requesting_country: str
    requested_country: str
    treaty: str
    urgent: bool
    status: Status
    status_since: datetime
    sent_at: datetime | None
    requested_by: date | None
    my_sides: list[Side]
    next_steps: list[Step]


class DeadlineOut(BaseModel):
    milestone: str  # acknowledge, decide, execute, requested
    due_on: date
    met_on: date | None
    basis: str
    overdue: bool


class RequestOut(RequestSummaryOut):
    """The request as the reader's side sees it: its contents (Palermo Art. 18(15)), where it
    stands, the steps the reader may take now, its timeline and the parts executed."""

    offences: list[str]
    requesting_authority: str
    proceedings: str
    facts: str
    assistance: str
    persons: list[PersonOut]
    purpose: str
    handling: str
    case_id: uuid.UUID | None
    notice_id: uuid.UUID | None
    asset_order_id: uuid.UUID | None
    message_id: uuid.UUID | None
    drafted_by: str
    created_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    ground: Ground | None
    ground_title: str | None
    reasons: str | None
    consulted_on: date | None
    conditions: dict[str, str] = Field(description="speciality and confidentiality of an answer")
    dual_criminality: DualCriminalitySnapshot | None
    missing: list[str] = Field(description="what a draft still lacks (Art. 18(15))")
    events: list[RequestEventOut]
    parts: list[RequestPartOut]
    deadlines: list[DeadlineOut]


class StepIn(BaseModel):
    """Acknowledge, consult (say what about), resume or withdraw."""

    note: str = Field(default="", max_length=10_000)


class AssignIn(BaseModel):
    agency: str = Field(
        min_length=2, max_length=32, description="the executing authority (agency code)"
    )


class PartIn(BaseModel):
    measure: Measure | None = Field(default=None, description="one of the measures requested")
    executed_on: date
    summary: str = Field(min_length=1, max_length=20_000, description="what was done")


class AnswerIn(BaseModel):
    summary: str = Field(min_length=1, max_length=20_000, description="what is returned")
    speciality: str = Field(
        default="", max_length=5_000, description="the proceedings named, if left empty"
    )
    confidentiality: str = Field(default="", max_length=5_000)


class RefusalIn(BaseModel):
    """A refusal after consultation, on a coded ground (fiscal matters are none, Palermo
    Arts. 16(15), 18(22)) with its reasons."""

    ground: Ground
    reasons: str = Field(min_length=1, max_length=20_000)
    consulted_on: date


class PairOut(BaseModel):
    """Response times between two states (figures only)."""

    requesting: str
    requested: str
    sent: int
    answered: int
    refused: int
    withdrawn: int
    open: int
    overdue: int
    median_days_to_acknowledge: float | None
    median_days_to_close: float | None
