"""Background jobs (linkage runs, network analyses): accepted at once, run after the
response with the submitter's rights as they are when the job runs; a failure is recorded
on the job, never lost."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from palermo.db import SessionFactory, unit_of_work
from palermo.errors import PalermoError
from palermo.identity.principal import Principal
from palermo.identity.service import job_principal
from palermo.models.base import utcnow

log = logging.getLogger(__name__)


class JobRow(Protocol):
    username: str
    status: str
    error: str | None
    finished_at: datetime | None


Row = TypeVar("Row", bound=JobRow)


def run_job(
    sessions: SessionFactory,
    table: type[Row],
    job_id: uuid.UUID,
    work: Callable[[Session, Row, Principal], None],
) -> None:
    """Run a queued job once: queued → running → done (by `work`) or failed (with why)."""
    with unit_of_work(sessions) as session:
        queued = session.get(table, job_id)
        if queued is None or queued.status != "queued":
            return
        queued.status = "running"
    try:
        with unit_of_work(sessions) as session:
            job = session.get(table, job_id)
            assert job is not None
            work(session, job, job_principal(session, job.username))
    except PalermoError as error:
        _failed(sessions, table, job_id, error.message)
    except Exception:
        log.exception("%s %s failed", table.__name__, job_id)
        _failed(sessions, table, job_id, "internal error; the operators have the details")


def _failed(sessions: SessionFactory, table: type[Row], job_id: uuid.UUID, reason: str) -> None:
    with unit_of_work(sessions) as session:
        job = session.get(table, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = "failed", reason, utcnow()
