"""The jobs overview (/api/jobs): every kind of long work of your agency, alike."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden, NotFound, Unauthorized, error_responses
from palermo.jobs import service
from palermo.jobs.schemas import JobSummaryOut
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
COMMON = error_responses(Unauthorized, Forbidden, NotFound)


@router.get("", response_model=list[JobSummaryOut], responses=COMMON)
def list_jobs(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=200)] = service.LISTED,
) -> list[JobSummaryOut]:
    """Your agency's jobs of the kinds you may read (imports, batch screening, linkage,
    network, financial analysis), newest first, with their progress and result figures."""
    return [JobSummaryOut.of(v) for v in service.agency_jobs(session, principal, limit=limit)]


@router.get("/{kind}/{job_id}", response_model=JobSummaryOut, responses=COMMON)
def read_job(
    kind: str, job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> JobSummaryOut:
    """One job of your agency; poll it while it is queued or running."""
    return JobSummaryOut.of(service.agency_job(session, principal, kind, job_id))
