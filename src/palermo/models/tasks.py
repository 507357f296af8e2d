"""Tasks: work an agency must do and close with an outcome."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base, CreatedMixin, IdMixin


class Task(IdMixin, CreatedMixin, Base):
    """Work an agency must do and close with an outcome: confirm a hit's identity, re-assess
    a notice before it expires…"""

    __tablename__ = "tasks"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300))  # where in the workspace it is done
    subject_id: Mapped[str] = mapped_column(String(64), index=True)  # what it is about
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(Text)
