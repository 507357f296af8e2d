"""Tables of entity resolution: runs, the pairs they propose, analysts' judgements."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base, CreatedMixin, IdMixin
from palermo.models.jobs import StageProgress
from palermo.models.records import BigId


class LinkRun(IdMixin, CreatedMixin, StageProgress, Base):
    """One linkage run of an agency: what it saw, how, the model it trained. New records
    linked since add their pairs to the agency's latest run."""

    __tablename__ = "link_runs"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    schema: Mapped[str] = mapped_column(String(64))
    scope: Mapped[list[str] | None] = mapped_column(JSON)  # owner agency codes; None: all
    backend: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[float]
    purpose: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    error: Mapped[str | None] = mapped_column(Text)
    records: Mapped[int] = mapped_column(default=0)
    pairs: Mapped[int] = mapped_column(default=0)
    model: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # Splink's trained model
    # Shares of the common values of frequency-weighed columns (scoring new records).
    frequencies: Mapped[dict[str, dict[str, float]] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None]


class LinkPair(Base):
    """A pair a run proposes: probability, total and per-field match weights."""

    __tablename__ = "link_pairs"
    __table_args__ = (Index("ix_link_pairs_run_probability", "run_id", "probability"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("link_runs.id", ondelete="CASCADE"))
    left_id: Mapped[str] = mapped_column(String(128), index=True)  # left_id < right_id
    right_id: Mapped[str] = mapped_column(String(128), index=True)
    probability: Mapped[float]
    match_weight: Mapped[float]
    weights: Mapped[dict[str, float]] = mapped_column(JSON)


class LinkJudgement(Base):
    """An analyst's decision on a pair, kept across runs and above any score: confirmed,
    rejected or unsure. One per agency and pair; a new decision replaces the last. In an
    agency that asks for four eyes it counts once a second analyst agreed."""

    __tablename__ = "link_judgements"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    left_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    right_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    # Where the agency asks for four eyes: the second analyst who agreed (then it counts).
    seconded_by: Mapped[str | None] = mapped_column(String(64))
    seconded_at: Mapped[datetime | None]
