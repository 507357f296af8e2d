"""API shapes of asset recovery: assets, orders and their recognition, values, statistics."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from palermo.assets.lifecycle import (
    AssetKind,
    AssetState,
    DisposalType,
    LegalBasis,
    OrderKind,
    RecognitionStatus,
)
from palermo.identity.schemas import Country
from palermo.records.schemas import EnvelopeIn

Provenance = Literal[
    "investigation", "financial_report", "alert", "notice", "silver_notice", "case", "other"
]


# Below this, hundredths fit a 64-bit integer with room to spare; no asset is worth more.
# (Signs and decimals are checked by the services, which name the field in the refusal.)
Amount = Annotated[Decimal, Field(lt=Decimal(10) ** 13, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(lt=1000, allow_inf_nan=False)]


class OwnerIn(BaseModel):
    """An owner of the asset: a person or company record, and its stake."""

    record_id: str = Field(max_length=128)
    percentage: Decimal | None = Field(default=None, gt=0, le=100)
    beneficial: bool = Field(default=False, description="a beneficial owner, not the titular one")


class AssetIn(BaseModel):
    kind: AssetKind
    description: str = Field(min_length=3, max_length=500)
    country: Country
    value: Amount = Field(description="estimated value, in `currency`")
    currency: str = Field(min_length=3, max_length=3)
    valued_on: date
    provenance: Provenance
    provenance_ref: str = Field(min_length=1, max_length=128)
    properties: dict[str, list[str]] = Field(
        default={}, description="FtM properties of the asset's record (name, registrationNumber…)"
    )
    owners: list[OwnerIn] = Field(default=[], max_length=50)
    envelope: EnvelopeIn


class ShareIn(BaseModel):
    recipient: str = Field(min_length=2, max_length=200)
    country: Country | None = None
    percent: Percent = Field(description="of the net value, two decimals at most")


class OrderIn(BaseModel):
    reference: str = Field(min_length=2, max_length=128)
    kind: OrderKind
    authority: str = Field(min_length=2, max_length=200, description="the issuing court")
    country: Country
    legal_basis: LegalBasis | None = None
    issued_on: date
    expires_on: date | None = None
    conditions: str | None = Field(default=None, max_length=5000)
    renews: uuid.UUID | None = Field(default=None, description="the order this one renews")
    disposal: DisposalType | None = None
    shares: list[ShareIn] = Field(default=[], max_length=50)
    assets: list[str] = Field(min_length=1, max_length=500, description="asset references")
    judicial_reference: str | None = Field(default=None, max_length=128)


class TransitionIn(BaseModel):
    to: AssetState
    order: uuid.UUID | None = Field(default=None, description="the legal instrument")
    on: date = Field(description="when the step took effect")
    note: str | None = Field(default=None, max_length=5000)


class RecognitionIn(BaseModel):
    country: Country
    judicial_reference: str | None = Field(default=None, max_length=128)


class DecisionIn(BaseModel):
    recognised: bool
    authority: str = Field(min_length=2, max_length=200)
    on: date
    reasons: str | None = Field(default=None, max_length=5000)


class ValuationIn(BaseModel):
    amount: Amount
    currency: str = Field(min_length=3, max_length=3)
    valued_on: date
    method: Literal["estimate", "expert", "market"] = "estimate"
    note: str | None = Field(default=None, max_length=2000)


class CostIn(BaseModel):
    amount: Amount
    currency: str = Field(min_length=3, max_length=3)
    incurred_on: date
    category: Literal["storage", "maintenance", "insurance", "fees", "other"]
    note: str | None = Field(default=None, max_length=2000)


class SaleIn(BaseModel):
    order: uuid.UUID = Field(description="the interlocutory-sale order")
    amount: Amount = Field(description="what the sale realised")
    currency: str = Field(min_length=3, max_length=3)
    sold_on: date
    note: str | None = Field(default=None, max_length=2000)


class RateIn(BaseModel):
    currency: str = Field(min_length=3, max_length=3)
    valid_on: date
    units_per_eur: float = Field(gt=0, lt=1e9, allow_inf_nan=False)
    source: str = Field(min_length=2, max_length=100)


class AnswerIn(BaseModel):
    """A member country's answer to a Silver Notice: the assets it found."""

    assets: list[AssetIn] = Field(min_length=1, max_length=100)


class AssetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    record_id: str
    kind: AssetKind
    description: str
    country: str
    state: AssetState
    state_since: date
    value: Decimal
    currency: str
    reporting_value: Decimal
    reporting_currency: str
    valued_on: date
    sold_on: date | None
    provenance: str
    provenance_ref: str
    agency: str


class ShareOut(BaseModel):
    recipient: str
    country: str | None
    percent: Decimal


class RecognitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    country: str
    status: RecognitionStatus
    judicial_reference: str | None
    requested_by: str
    requested_at: datetime
    authority: str | None
    decided_by: str | None
    decided_on: date | None
    reasons: str | None


class OrderOut(BaseModel):
    id: uuid.UUID
    reference: str
    kind: OrderKind
    authority: str
    country: str
    legal_basis: LegalBasis | None
    issued_on: date
    expires_on: date | None
    conditions: str | None
    renews: uuid.UUID | None
    disposal: DisposalType | None
    shares: list[ShareOut]
    assets: list[str]
    recognitions: list[RecognitionOut]
    judicial_reference: str | None
    agency: str
    recorded_by: str


class EventOut(BaseModel):
    on: date
    from_state: str | None
    to_state: str
    order: str | None
    reporting_value: Decimal
    actor: str
    agency: str | None
    note: str | None


class ValuationOut(BaseModel):
    valued_on: date
    method: str
    amount: Decimal
    currency: str
    reporting_value: Decimal
    rate: float
    rate_on: date
    rate_source: str
    note: str | None


class CostOut(BaseModel):
    incurred_on: date
    category: str
    amount: Decimal
    currency: str
    reporting_value: Decimal
    note: str | None


class TransferOut(BaseModel):
    recipient: str
    country: str | None
    percent: Decimal
    amount: Decimal
    on: date


class OwnerOut(BaseModel):
    """One link of an ownership chain, from the asset up to who ultimately holds it."""

    record_id: str
    caption: str
    schema_: str = Field(alias="schema")
    percentage: Decimal | None
    effective: Decimal | None = Field(description="the stake in the asset through the chain")
    beneficial: bool
    depth: int
    visible: bool


class ReconciliationOut(BaseModel):
    currency: str
    gross: Decimal
    costs: Decimal
    net: Decimal
    planned: list[TransferOut]
    transferred: Decimal
    balanced: bool


class AssetDetail(AssetOut):
    events: list[EventOut]
    orders: list[OrderOut]
    valuations: list[ValuationOut]
    costs: list[CostOut]
    transfers: list[TransferOut]
    owners: list[OwnerOut]
    reconciliation: ReconciliationOut
    next_states: list[AssetState]
    measure_expires_on: date | None


class ExpiringOut(BaseModel):
    asset: AssetOut
    order: str
    order_id: uuid.UUID
    expires_on: date
    days_left: int
    lapsed: bool


class StageFigure(BaseModel):
    stage: str
    year: int
    key: str  # the country or the ICCS code; "" for the totals
    assets: int
    value: Decimal


class StayFigure(BaseModel):
    state: AssetState
    completed: int
    median_days: float | None
    mean_days: float | None
    ongoing: int


class StatisticsOut(BaseModel):
    currency: str
    by_country: list[StageFigure]
    by_offence: list[StageFigure]
    totals: list[StageFigure]
    stays: list[StayFigure]
