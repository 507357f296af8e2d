"""Network analysis jobs: what was asked, for whom and why, and the result."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base, CreatedMixin, IdMixin
from palermo.models.jobs import StageProgress


class NetworkJob(IdMixin, CreatedMixin, StageProgress, Base):
    """A build, analysis or disruption run of an agency's analyst, run in the background
    with the analyst's rights as they are when it runs."""

    __tablename__ = "network_jobs"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # build, analyze, disrupt
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None]
