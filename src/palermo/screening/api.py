"""Screening routes: one query, or a batch file as a job."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import BackgroundTasks, Form, Request, UploadFile, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.models.base import utcnow
from palermo.models.screening import ScreeningJob
from palermo.policy.records import AccessContext, reads_records
from palermo.routing import APIRouter
from palermo.screening import batch, jobs, service
from palermo.screening.schemas import ScreenIn, ScreenOut
from palermo.screening.scoring import THRESHOLD, ScreeningQuery
from palermo.translatable import N_

router = APIRouter(prefix="/api", tags=["screening"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden)


@router.post("/screen", response_model=ScreenOut, responses=COMMON)
def screen(body: ScreenIn, session: SessionDep, principal: PrincipalDep) -> ScreenOut:
    """Is this person (company, vessel, document…) known? Hits through the caller's policy;
    each carries its score, the algorithm and what matched. Owners are told of hits."""
    context = AccessContext.of(body.purpose, body.justification)
    query = ScreeningQuery.of(
        body.name,
        schema=body.schema_,
        birth_date=body.birth_date,
        nationality=body.nationality,
        gender=body.gender,
        document=body.document,
    )
    hits = service.screen(
        session, principal=principal, context=context, query=query, limit=body.limit, now=utcnow()
    )
    return ScreenOut(threshold=THRESHOLD, hits=hits)


class JobOut(BaseModel):
    id: uuid.UUID
    status: str
    filename: str
    total: int
    done: int
    hits: int
    error: str | None


def _job_out(job: ScreeningJob) -> JobOut:
    return JobOut(
        id=job.id,
        status=job.status,
        filename=job.filename,
        total=job.total,
        done=job.done,
        hits=job.hits,
        error=job.error,
    )


@router.post(
    "/screen/batch",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=COMMON,
)
async def submit_batch(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    file: UploadFile,
    purpose: Annotated[str, Form()],
    justification: Annotated[str, Form()],
    mapping: Annotated[str | None, Form(description='{"name": "Passenger", …}')] = None,
) -> JobOut:
    """A CSV of names (name, birth_date, nationality, document…), screened as a job: poll
    GET /api/screen/batch/{id}, then fetch /api/screen/batch/{id}/hits.csv."""
    context = AccessContext.of(purpose, justification)
    if not reads_records(principal):
        raise Forbidden(N_("your roles do not include screening"))
    try:
        columns = json.loads(mapping) if mapping else {}
    except json.JSONDecodeError:
        raise Invalid('mapping must be a JSON object such as {"name": "Passenger"}') from None
    if not isinstance(columns, dict):
        raise Invalid('mapping must be a JSON object such as {"name": "Passenger"}')
    job = jobs.submit_file(
        session,
        principal=principal,
        context=context,
        filename=file.filename or "upload.csv",
        content=await file.read(batch.MAX_BYTES + 1),
        mapping={str(k): str(v) for k, v in columns.items()},
    )
    # The job row is committed with this request; the screening runs after the response.
    background.add_task(jobs.run, request.app.state.session_factory, job.id)
    return _job_out(job)


@router.get(
    "/screen/batch/{job_id}",
    response_model=JobOut,
    responses=COMMON | error_responses(NotFound),
)
def batch_status(job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> JobOut:
    return _job_out(jobs.job_for(session, principal, job_id))


@router.get(
    "/screen/batch/{job_id}/hits.csv",
    response_class=PlainTextResponse,
    responses=COMMON | error_responses(NotFound),
)
def batch_hits(
    job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> PlainTextResponse:
    job = jobs.job_for(session, principal, job_id)
    if job.status != "done" or job.results is None:
        raise Invalid(f"the job is {job.status}; its hits are ready when it is done")
    return PlainTextResponse(
        batch.hits_csv(job.results),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="hits-{job.id}.csv"'},
    )
