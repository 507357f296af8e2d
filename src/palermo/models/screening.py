"""Tables of screening: the change feed its index follows, watch-list entries, batch jobs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base, CreatedMixin, IdMixin
from palermo.models.records import BigId


class RecordChange(Base):
    """One row per new version of a record's content, in commit order on SQLite and in
    allocation order on PostgreSQL: what an in-memory screening index catches up from."""

    __tablename__ = "record_changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(128))


class ListEntry(Base):
    """A record that came from a published watch list, with the list's own reference."""

    __tablename__ = "list_entries"

    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), index=True)  # un, eu, ofac, interpol, ftm
    reference: Mapped[str] = mapped_column(String(128))
    listed_on: Mapped[date | None]
    imported_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class ScreeningJob(IdMixin, CreatedMixin, Base):
    """A batch screening run for one principal; its hits are readable by its agency only."""

    __tablename__ = "screening_jobs"

    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    hits: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the queries, already mapped
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None]
