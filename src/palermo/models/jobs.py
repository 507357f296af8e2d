"""What background jobs share: where a running job stands, readable while it runs."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class StageProgress:
    """The stage a job has reached and how far it is through its stages (`done` of
    `total`), committed at each stage boundary so that its agency sees the job move."""

    stage: Mapped[str | None] = mapped_column(String(32))
    progress_done: Mapped[int] = mapped_column(default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(default=0, server_default="0")
