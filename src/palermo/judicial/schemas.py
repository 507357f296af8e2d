"""API shapes of the treaty registry, the legal-basis resolver and dual criminality."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

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
