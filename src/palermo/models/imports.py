"""Imports run as background jobs: records (FtM JSON lines), watch lists, bulk transactions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base, CreatedMixin, IdMixin
from palermo.models.jobs import StageProgress


class ImportJob(IdMixin, CreatedMixin, StageProgress, Base):
    """An import uploaded by an agency's officer and run in the background with their
    rights, all or nothing; its agency's only. The uploaded file is kept on the row, as a
    batch screening keeps its lines, until the job ends (done or failed)."""

    __tablename__ = "import_jobs"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # records, watchlist, transactions
    filename: Mapped[str] = mapped_column(String(255))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)  # the kind's: envelope, list…
    # The uploaded files as a zip archive (an OFAC list comes in three); None once ended.
    # Deferred: the jobs pages, polled while it runs, never read it.
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    error: Mapped[str | None] = mapped_column(Text)
    # A refused file's problems, each naming its line (as the synchronous import's details).
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None]
