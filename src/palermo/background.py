"""Background jobs (linkage runs, network analyses, imports…): accepted at once, run after the
response with the submitter's rights as they are when the job runs; a failure is recorded
on the job, never lost. A job reports each stage it reaches; the runner commits there, so
its agency sees it move and the database is not held while the next stage computes."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from palermo.db import SessionFactory, checkpoint, unit_of_work
from palermo.errors import NotFound, PalermoError
from palermo.identity.principal import Principal
from palermo.identity.service import job_principal
from palermo.models.base import utcnow

log = logging.getLogger(__name__)


class JobOut(BaseModel):
    """A background job as its agency reads it: what was asked, where it stands, the result."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    status: str
    error: str | None
    username: str
    parameters: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None


class JobRow(Protocol):
    agency_id: uuid.UUID
    username: str
    status: str
    error: str | None
    finished_at: datetime | None
    stage: str | None
    progress_done: int
    progress_total: int


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None:
        """The job begins `stage`, the `done`-th of its `total` stages (counted from 0) — or,
        for a stage that counts what it has done (an import's lines), `done` of `total`."""


def unobserved(stage: str, done: int, total: int) -> None:
    """Work done in its caller's one transaction (the command line) reports to no one."""


Row = TypeVar("Row", bound=JobRow)


def agency_job(
    session: Session, table: type[Row], principal: Principal, job_id: uuid.UUID, what: str
) -> Row:
    """A job is its agency's: it saw what that agency's staff could see."""
    found = session.get(table, job_id)
    if found is None or found.agency_id not in principal.acting_agency_ids:
        raise NotFound(f"no {what} {job_id}")
    return found


def run_job(
    sessions: SessionFactory,
    table: type[Row],
    job_id: uuid.UUID,
    work: Callable[[Session, Row, Principal, Progress], None],
    *,
    failed: Callable[[Row, PalermoError], None] | None = None,
) -> None:
    """Run a queued job once: queued → running → done (by `work`) or failed (with why).
    What `work` did before a stage it reports is committed with the stage: only reads and
    their audit lines come before a job's last stage, so nothing is written halfway.
    `failed` keeps more of a failure on the job than its reason (an import's bad lines)."""
    with unit_of_work(sessions) as session:
        queued = session.get(table, job_id)
        if queued is None or queued.status != "queued":
            return
        queued.status = "running"
    try:
        with unit_of_work(sessions) as session:
            job = session.get(table, job_id)
            assert job is not None

            def reached(stage: str, done: int, total: int) -> None:
                job.stage, job.progress_done, job.progress_total = stage, done, total
                checkpoint(session)

            work(session, job, job_principal(session, job.username), reached)
    except PalermoError as error:
        _failed(sessions, table, job_id, error, failed)
    except Exception:
        log.exception("%s %s failed", table.__name__, job_id)
        internal = PalermoError("internal error; the operators have the details")
        _failed(sessions, table, job_id, internal, failed)


def _failed(
    sessions: SessionFactory,
    table: type[Row],
    job_id: uuid.UUID,
    error: PalermoError,
    kept: Callable[[Row, PalermoError], None] | None,
) -> None:
    with unit_of_work(sessions) as session:
        job = session.get(table, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = "failed", error.message, utcnow()
            if kept is not None:
                kept(job, error)
