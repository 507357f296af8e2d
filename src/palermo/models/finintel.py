"""Financial intelligence: reporting entities and their reports, the FIU's transaction
batches (the rows themselves are Parquet files beside the database), alerts and jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from palermo.models.base import Base, CreatedMixin, IdMixin, utcnow
from palermo.models.jobs import StageProgress


class ReportingEntity(IdMixin, CreatedMixin, Base):
    """A private partner (bank, money-service business, casino, dealer…) registered with an
    FIU to report to it; `registration` is its goAML reporting-entity id at that FIU."""

    __tablename__ = "reporting_entities"
    __table_args__ = (
        UniqueConstraint("fiu_agency_id", "registration"),
        UniqueConstraint("fiu_agency_id", "agency_id"),
    )

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    fiu_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    registration: Mapped[str] = mapped_column(String(64))
    sector: Mapped[str] = mapped_column(String(32))


class FinancialReport(IdMixin, Base):
    """A report as filed (the original file is kept as evidence) and where it stands."""

    __tablename__ = "financial_reports"
    __table_args__ = (UniqueConstraint("reporter_agency_id", "reference"),)

    fiu_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    reporter_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    fiu_reference: Mapped[str] = mapped_column(String(40), unique=True)
    reference: Mapped[str] = mapped_column(String(128))  # the reporter's own
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24))
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]  # as the report says
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    indicators: Mapped[list[str]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # parties, transfers, totals
    record_ids: Mapped[list[str]] = mapped_column(JSON)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("transaction_batches.id"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class ReportMessage(IdMixin, CreatedMixin, Base):
    """Feedback and requests for more information between the FIU and the reporter."""

    __tablename__ = "report_messages"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("financial_reports.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))  # feedback, information_request, reply
    body: Mapped[str] = mapped_column(Text)


class TransactionBatch(IdMixin, CreatedMixin, Base):
    """One Parquet file of an FIU's transactions: a bulk import or a report's transfers.
    A file without its row is an import that rolled back, and is never read."""

    __tablename__ = "transaction_batches"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    source: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))  # import, report
    file: Mapped[str] = mapped_column(String(256))  # relative to the agency's store
    rows: Mapped[int] = mapped_column(Integer)
    first_time: Mapped[datetime | None]
    last_time: Mapped[datetime | None]
    total_eur: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[str]] = mapped_column(JSON)
    imported_by: Mapped[str] = mapped_column(String(64))


class MonitoringAlert(IdMixin, CreatedMixin, Base):
    """One occurrence of a typology, kept across monitoring runs (the same evidence gives
    the same key, so a re-run never duplicates an alert or loses its triage)."""

    __tablename__ = "monitoring_alerts"
    __table_args__ = (UniqueConstraint("agency_id", "alert_key"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    alert_key: Mapped[str] = mapped_column(String(40))
    typology: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    rank_score: Mapped[float | None] = mapped_column(Float)  # the learned model's
    accounts: Mapped[list[str]] = mapped_column(JSON)
    transactions: Mapped[list[str]] = mapped_column(JSON)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    rule_version: Mapped[str] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The accounts again, one row each, so "alerts on this account" is an index lookup.
    account_rows: Mapped[list[AlertAccount]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class AlertAccount(Base):
    __tablename__ = "alert_accounts"

    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("monitoring_alerts.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class AlertEvent(IdMixin, CreatedMixin, Base):
    """The triage history of an alert: who moved it where, and why."""

    __tablename__ = "alert_events"

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("monitoring_alerts.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(128))  # a case or a message


class FinintelSettings(Base):
    """An FIU's own detector thresholds."""

    __tablename__ = "finintel_settings"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FinintelJob(IdMixin, CreatedMixin, StageProgress, Base):
    """A monitoring run or a trace, run in the background with the analyst's rights."""

    __tablename__ = "finintel_jobs"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # monitor, trace
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None]
