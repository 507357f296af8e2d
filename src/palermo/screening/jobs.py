"""Batch screening as a job: accepted at once, screened in the background, chunk by chunk,
with its progress readable while it runs. The job acts with its submitter's rights as they
are when each chunk runs (a user disabled meanwhile stops the job)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from palermo.db import SessionFactory, unit_of_work
from palermo.errors import Invalid, NotFound, PalermoError
from palermo.identity.principal import Principal
from palermo.identity.service import job_principal
from palermo.models.base import utcnow
from palermo.models.screening import ScreeningJob
from palermo.policy.records import AccessContext
from palermo.screening.batch import HITS_PER_LINE, MAX_BYTES, BatchRow, read_rows, screen_rows
from palermo.screening.service import CHUNK
from palermo.translatable import N_

log = logging.getLogger(__name__)


def submit(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    filename: str,
    rows: Sequence[BatchRow],
) -> ScreeningJob:
    job = ScreeningJob(
        agency_id=principal.agency_id,
        username=principal.username,
        purpose=context.purpose.value,
        justification=context.justification,
        filename=filename[:255],
        status="queued",
        total=len(rows),
        rows=[{"line": r.line, **r.fields} for r in rows],
        results=None,
    )
    session.add(job)
    session.flush()
    return job


def submit_file(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    filename: str,
    content: bytes,
    mapping: dict[str, str] | None,
) -> ScreeningJob:
    """A job from an uploaded CSV (read with at most MAX_BYTES + 1 bytes): every line is
    checked now, so a bad file is refused at once, naming its lines."""
    if len(content) > MAX_BYTES:
        raise Invalid(N_("the file is larger than %(limit)s MiB"), limit=MAX_BYTES // 2**20)
    rows = read_rows(content, mapping=mapping)
    return submit(session, principal=principal, context=context, filename=filename, rows=rows)


def job_for(session: Session, principal: Principal, job_id: uuid.UUID) -> ScreeningJob:
    """A job is its agency's: hits came through that agency's policy."""
    job = session.get(ScreeningJob, job_id)
    if job is None or job.agency_id is None or job.agency_id not in principal.acting_agency_ids:
        raise NotFound(N_("no screening job %(job_id)s"), job_id=job_id)
    return job


def run(sessions: SessionFactory, job_id: uuid.UUID) -> None:
    """Screen a queued job to the end; a failure is recorded on the job, never lost."""
    with unit_of_work(sessions) as session:
        job = session.get(ScreeningJob, job_id)
        if job is None or job.status != "queued":
            return
        job.status = "running"
        pending = list(job.rows)
    results: list[dict[str, object]] = []
    try:
        for start in range(0, len(pending), CHUNK):
            with unit_of_work(sessions) as session:
                job = session.get(ScreeningJob, job_id)
                assert job is not None
                principal = job_principal(session, job.username)
                chunk = [
                    BatchRow.of(int(row["line"]), {k: v for k, v in row.items() if k != "line"})
                    for row in pending[start : start + CHUNK]
                ]
                lines = screen_rows(
                    session,
                    principal=principal,
                    context=AccessContext.of(job.purpose, job.justification),
                    rows=chunk,
                    limit=HITS_PER_LINE,
                    now=utcnow(),
                )
                results.extend(lines)
                job.done = min(job.total, start + len(chunk))
                job.hits = len(results)
        with unit_of_work(sessions) as session:
            job = session.get(ScreeningJob, job_id)
            assert job is not None
            job.results, job.status, job.finished_at = results, "done", utcnow()
    except PalermoError as error:
        _failed(sessions, job_id, error.message)
    except Exception:
        log.exception("screening job %s failed", job_id)
        _failed(sessions, job_id, "internal error; the operators have the details")


def _failed(sessions: SessionFactory, job_id: uuid.UUID, reason: str) -> None:
    with unit_of_work(sessions) as session:
        job = session.get(ScreeningJob, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = "failed", reason, utcnow()
