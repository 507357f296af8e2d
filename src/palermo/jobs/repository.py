"""The queries of the jobs overview: an agency's jobs of one kind, newest first."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from palermo.models.finintel import FinintelJob
from palermo.models.imports import ImportJob
from palermo.models.linkage import LinkRun
from palermo.models.network import NetworkJob
from palermo.models.screening import ScreeningJob

JobTable = ScreeningJob | LinkRun | NetworkJob | FinintelJob | ImportJob


def recent(
    session: Session, table: type[JobTable], agency_ids: Collection[uuid.UUID], *, limit: int
) -> list[JobTable]:
    """The newest jobs of these agencies in `table`; a job is its agency's alone."""
    return list(
        session.scalars(
            select(table)
            .where(table.agency_id.in_(agency_ids))
            .order_by(table.created_at.desc())
            .limit(limit)
        )
    )


def fail_unfinished(
    session: Session,
    table: type[JobTable],
    *,
    started_before: datetime,
    reason: str,
    released: Collection[str] = (),
) -> int:
    """Mark the jobs left queued or running before `started_before` failed, with why, and
    empty their `released` columns (what was submitted, kept only until the job ends)."""
    result = session.execute(
        update(table)
        .where(table.status.in_(("queued", "running")), table.created_at < started_before)
        .values(
            status="failed", error=reason, finished_at=started_before, **dict.fromkeys(released)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
