"""Import routes (/api/imports/…): records, watch lists and bulk transactions as background
jobs, all or nothing; poll the job for its report or the lines that refused it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import BackgroundTasks, File, Form, Request, UploadFile, status

from palermo.deps import ContextDep, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.finintel.transactions import parse_mapping
from palermo.imports import jobs, service
from palermo.imports.schemas import ImportJobOut
from palermo.models.base import utcnow
from palermo.models.imports import ImportJob
from palermo.records.envelope import SubjectCategory
from palermo.records.schemas import envelope_of
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/imports", tags=["imports"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden)
ACCEPTED = status.HTTP_202_ACCEPTED


def _started(request: Request, background: BackgroundTasks, job: ImportJob) -> ImportJobOut:
    jobs.run_after_response(background, request, job)
    return ImportJobOut.of(job)


@router.post(
    "/records",
    response_model=ImportJobOut,
    status_code=ACCEPTED,
    responses=COMMON | error_responses(NotFound),
)
async def import_records(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="FtM entities, one JSON object a line")],
    envelope: Annotated[str, Form(description="the EnvelopeIn for every entity, as JSON")],
    agency: Annotated[str | None, Form(max_length=32, description="the owner")] = None,
) -> ImportJobOut:
    """FtM JSON lines into records under one envelope, as a job: the file is checked whole
    (nothing written), then written at once — all or nothing. Poll GET /api/imports/{id}:
    `errors` names each bad line."""
    job = service.submit_records(
        session,
        principal=principal,
        filename=file.filename,
        content=await file.read(),
        envelope=envelope_of(envelope),
        agency=agency,
        now=utcnow(),
    )
    return _started(request, background, job)


@router.post(
    "/watchlist",
    response_model=ImportJobOut,
    status_code=ACCEPTED,
    responses=COMMON | error_responses(NotFound),
)
async def import_watchlist(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="the list as published (OFAC: sdn.csv)")],
    source: Annotated[str, Form(description="un, eu, ofac, interpol or ftm")],
    subject_category: Annotated[
        SubjectCategory, Form(description="the data-subject category of listed persons")
    ] = SubjectCategory.suspect,
    agency: Annotated[str | None, Form(max_length=32, description="the issuer")] = None,
    aliases: Annotated[UploadFile | None, File(description="OFAC's alt.csv")] = None,
    addresses: Annotated[UploadFile | None, File(description="OFAC's add.csv")] = None,
) -> ImportJobOut:
    """A published watch list, or a newer version of it (adds, updates, retires entries),
    as a job; poll GET /api/imports/{id}."""
    companions = {
        name: await sent.read()
        for name, sent in zip(service.OFAC_COMPANIONS, (aliases, addresses), strict=True)
        if sent is not None
    }
    job = service.submit_watchlist(
        session,
        principal=principal,
        source=source,
        filename=file.filename,
        content=await file.read(),
        companions=companions,
        agency=agency,
        category=subject_category,
        now=utcnow(),
    )
    return _started(request, background, job)


@router.post(
    "/transactions",
    response_model=ImportJobOut,
    status_code=ACCEPTED,
    responses=COMMON | error_responses(NotFound),
)
async def import_transactions(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    context: ContextDep,
    file: Annotated[UploadFile, File(description="a bank's return or production (CSV)")],
    mapping: Annotated[str, Form(description="source=COL,target=COL,amount=COL,time=COL[,…]")],
    currency: Annotated[str, Form(max_length=3, description="where none is mapped")] = "EUR",
) -> ImportJobOut:
    """Bulk transactions into your FIU's store (its analysts), as a job; poll
    GET /api/imports/{id}: `errors` names each refused line and column."""
    job = service.submit_transactions(
        session,
        principal=principal,
        settings=settings,
        filename=file.filename,
        content=await file.read(),
        mapping=parse_mapping(mapping),
        currency=currency,
        context=context,
        now=utcnow(),
    )
    return _started(request, background, job)


@router.get("/{job_id}", response_model=ImportJobOut, responses=COMMON | error_responses(NotFound))
def read_import(job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ImportJobOut:
    """An import of your agency: where it stands; done, its report; failed, why."""
    return ImportJobOut.of(jobs.job_for(session, principal, job_id))
