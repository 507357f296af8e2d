"""Asset recovery: the assets (each an FtM record with its envelope), the orders that move them
through their lifecycle, the recognition of orders abroad, values, costs and transfers.

Money is stored in hundredths of the currency unit (`*_minor`, integers): sums and shares must
reconcile to the cent on SQLite and PostgreSQL alike, which floating point cannot promise."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from palermo.assets.lifecycle import (
    AssetKind,
    AssetState,
    DisposalType,
    LegalBasis,
    OrderKind,
    RecognitionStatus,
)
from palermo.models.base import Base, CreatedMixin, IdMixin, str_enum, utcnow


class Asset(IdMixin, CreatedMixin, Base):
    """One criminal asset followed from identification to final disposal."""

    __tablename__ = "assets"

    reference: Mapped[str] = mapped_column(String(64), unique=True)  # "NL-ARO/A/2026/0007"
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id"), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[AssetKind] = mapped_column(str_enum(AssetKind, "asset_kind"))
    description: Mapped[str] = mapped_column(String(500))
    country: Mapped[str] = mapped_column(String(2), index=True)  # where it lies
    state: Mapped[AssetState] = mapped_column(str_enum(AssetState, "asset_state"), index=True)
    state_since: Mapped[date]
    # The current estimate: in its own currency, and in the reporting currency of its date.
    value_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reporting_minor: Mapped[int] = mapped_column(BigInteger)
    valued_on: Mapped[date]
    sold_on: Mapped[date | None]  # an interlocutory sale turned it into its proceeds
    # What found it: an investigation, a financial report, an alert, a (Silver) notice.
    provenance: Mapped[str] = mapped_column(String(24))
    provenance_ref: Mapped[str] = mapped_column(String(128))
    registered_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssetOrder(IdMixin, CreatedMixin, Base):
    """A legal instrument: an order of a court or competent authority of one jurisdiction.

    A freezing or seizure order lapses on `expires_on` unless a later order renews it; a
    disposal order carries the decision's type and, where money goes somewhere, its shares."""

    __tablename__ = "asset_orders"
    __table_args__ = (UniqueConstraint("country", "reference"),)

    reference: Mapped[str] = mapped_column(String(128))
    kind: Mapped[OrderKind] = mapped_column(str_enum(OrderKind, "order_kind"))
    authority: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))  # the issuing jurisdiction
    legal_basis: Mapped[LegalBasis | None] = mapped_column(str_enum(LegalBasis, "legal_basis"))
    issued_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    conditions: Mapped[str | None] = mapped_column(Text)
    renews_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset_orders.id"))
    disposal: Mapped[DisposalType | None] = mapped_column(str_enum(DisposalType, "disposal_type"))
    judicial_reference: Mapped[str | None] = mapped_column(String(128))  # the request abroad
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))

    assets: Mapped[list[OrderAsset]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    shares: Mapped[list[DisposalShare]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="DisposalShare.position"
    )
    recognitions: Mapped[list[Recognition]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Recognition.requested_at"
    )


class OrderAsset(Base):
    """Which assets an order covers."""

    __tablename__ = "order_assets"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset_orders.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id"), primary_key=True, index=True
    )


class DisposalShare(Base):
    """One recipient of a disposal: a state (returned or shared) or the victims, with its
    share in basis points (all shares of a decision sum to 10,000)."""

    __tablename__ = "disposal_shares"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    basis_points: Mapped[int] = mapped_column(Integer)


class Recognition(IdMixin, Base):
    """An order sent to the state where assets lie, for recognition and execution there."""

    __tablename__ = "order_recognitions"
    __table_args__ = (UniqueConstraint("order_id", "country"),)

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asset_orders.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))  # the executing state
    status: Mapped[RecognitionStatus] = mapped_column(
        str_enum(RecognitionStatus, "recognition_status"), index=True
    )
    judicial_reference: Mapped[str | None] = mapped_column(String(128))
    # The agency that asked: it disclosed the assets it manages there, and only those.
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    authority: Mapped[str | None] = mapped_column(String(200))  # who decided, there
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None]
    reasons: Mapped[str | None] = mapped_column(Text)


class AssetEvent(Base):
    """One step of an asset's life, dated when it took effect, with its instrument."""

    __tablename__ = "asset_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date]
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset_orders.id"))
    reporting_minor: Mapped[int] = mapped_column(BigInteger)  # the value at that step
    actor: Mapped[str] = mapped_column(String(64))
    agency_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssetValuation(Base):
    """A value of the asset on a date: an estimate, an expert's, or what a sale realised."""

    __tablename__ = "asset_valuations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    valued_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(16))  # estimate, expert, market, sale
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reporting_minor: Mapped[int] = mapped_column(BigInteger)
    # Units of `currency` one unit of the reporting currency bought, on `rate_on`.
    rate: Mapped[float] = mapped_column(Float)
    rate_on: Mapped[date]
    rate_source: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset_orders.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))


class AssetCost(Base):
    """A cost of keeping the asset (storage, maintenance, insurance, fees)."""

    __tablename__ = "asset_costs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    incurred_on: Mapped[date]
    category: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reporting_minor: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))


class AssetTransfer(Base):
    """Money (in the reporting currency) paid out under a disposal decision's share."""

    __tablename__ = "asset_transfers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset_orders.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    basis_points: Mapped[int] = mapped_column(Integer)
    reporting_minor: Mapped[int] = mapped_column(BigInteger)
    on: Mapped[date]


class CurrencyRate(Base):
    """A dated rate an agency recorded (its central bank's), winning over packaged ones."""

    __tablename__ = "currency_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    valid_on: Mapped[date] = mapped_column(primary_key=True)
    units_per_eur: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
