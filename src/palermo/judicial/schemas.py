"""API shapes of the treaty registry, the legal-basis resolver and dual criminality."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from palermo.judicial.lifecycle import Measure, RequestKind
from palermo.judicial.treaties import DualCriminality, RequestType, TreatyKind


class PartyOut(BaseModel):
    country: str
    deposited_on: date | None
    in_force_on: date | None
    source: str


class ReservationOut(BaseModel):
    country: str
    article: str
    effect: str
    text: str


class TreatyOut(BaseModel):
    code: str
    title: str
    short: str
    kind: TreatyKind
    adopted_on: date
    in_force_on: date | None
    covers: dict[RequestType, str]
    dual_criminality: dict[RequestType, DualCriminality]
    scope_iccs: list[str] | None
    serious_crime_years: Decimal | None
    extradition_threshold_years: Decimal | None
    scope_note: str
    members: list[str] | None
    parties: list[PartyOut]
    reservations: list[ReservationOut]
    sources: dict[str, str]


class BasisOut(BaseModel):
    treaty: str
    title: str
    kind: TreatyKind
    applies: bool
    article: str | None
    dual_criminality: DualCriminality | None
    reasons: list[str]


class OffenceMatchOut(BaseModel):
    reference: str
    title: str
    max_penalty: str
    narrower: bool


class ConductOut(BaseModel):
    code: str
    label: str
    holds: bool
    requesting: list[OffenceMatchOut]
    requested: list[OffenceMatchOut]


class DualCriminalityOut(BaseModel):
    requesting: str
    requested: str
    holds: bool
    failing: list[str]
    conduct: list[ConductOut]
    max_penalty_years: dict[str, Decimal | None]
    serious_crime: dict[str, bool]


class ResolutionOut(BaseModel):
    requesting: str
    requested: str
    request: RequestType
    on: date
    bases: list[BasisOut]
    dual_criminality: DualCriminalityOut | None


class PersonIn(BaseModel):
    """A person the request concerns (Palermo Art. 18(15)(e): where possible)."""

    name: str = Field(min_length=2, max_length=300)
    nationality: str | None = Field(default=None, max_length=60)
    location: str | None = Field(default=None, max_length=300)
    record_id: str | None = Field(default=None, max_length=128)


class RequestIn(BaseModel):
    """A request as the requesting central authority drafts it; it is checked for the
    contents Palermo Art. 18(15) requires, its legal basis and dual criminality when sent."""

    kind: RequestKind
    requested: str = Field(
        min_length=2, max_length=32, description="the requested central authority (agency code)"
    )
    measures: list[Measure] = Field(default=[], max_length=len(Measure))
    treaty: str = Field(min_length=2, max_length=32, description="the legal basis (registry code)")
    offences: list[str] = Field(default=[], max_length=20, description="ICCS codes of the conduct")
    requesting_authority: str = Field(default="", max_length=300)
    proceedings: str = Field(default="", max_length=20_000)
    facts: str = Field(default="", max_length=50_000)
    assistance: str = Field(default="", max_length=20_000)
    persons: list[PersonIn] = Field(default=[], max_length=50)
    purpose: str = Field(default="", max_length=20_000)
    urgent: bool = False
    handling: Literal["H0", "H1", "H2", "H3"] = "H1"
    requested_by: date | None = None
    case: uuid.UUID | None = None
    notice: uuid.UUID | None = None
    asset_order: uuid.UUID | None = None
