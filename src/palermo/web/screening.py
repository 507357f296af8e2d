"""Screening pages: instant search with explained hits, hit-only cards, batch uploads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import BackgroundTasks, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import PalermoError
from palermo.jobs.kinds import KINDS
from palermo.models.base import utcnow
from palermo.models.screening import ScreeningJob
from palermo.routing import APIRouter
from palermo.screening import batch, jobs, service
from palermo.screening.scoring import EXPLANATIONS, THRESHOLD, ScreeningQuery
from palermo.web import i18n
from palermo.web.templating import page, templates
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)
SCHEMAS = ("Person", "LegalEntity", "Organization", "Company", "Vessel", "Vehicle")
# How the values of an explanation's line are shown: a country by its name, a day the
# reader's way (a year alone as written).
EXPLAINED_VALUES: dict[str, Callable[[str], Any]] = {
    "country": i18n.country_name,
    "date": date.fromisoformat,
}


def explained(line: str) -> i18n.Said | str:
    """A line of why a hit matched, in the reader's language when its text is known."""
    return i18n.recognised(EXPLANATIONS, line, EXPLAINED_VALUES)


templates.env.filters.setdefault("explained", explained)


@router.get("/screening", response_class=HTMLResponse)
def screening_page(request: Request, principal: PrincipalDep) -> Response:
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    return page(
        request,
        "screening.html",
        principal,
        schemas=SCHEMAS,
        form={},
        hits=None,
        threshold=THRESHOLD,
    )


@router.post("/screening", response_class=HTMLResponse)
def screen(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    name: Annotated[str, Form(max_length=300)] = "",
    birth_date: Annotated[str, Form(max_length=10)] = "",
    nationality: Annotated[str, Form(max_length=64)] = "",
    document: Annotated[str, Form(max_length=64)] = "",
    schema_name: Annotated[str, Form(max_length=32)] = "Person",
) -> Response:
    """Instant results: the form posts as the officer types (debounced)."""
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    form = {
        "name": name,
        "birth_date": birth_date,
        "nationality": nationality,
        "document": document,
        "schema": schema_name,
    }
    hits = error = None
    if name.strip() or document.strip():
        try:
            query = ScreeningQuery.of(
                name,
                schema=schema_name if schema_name in SCHEMAS else "Person",
                birth_date=birth_date or None,
                nationality=nationality or None,
                document=document or None,
            )
            hits = service.screen(
                session,
                principal=principal,
                context=context,
                query=query,
                limit=10,
                now=utcnow(),
            )
        except PalermoError as failure:
            error = i18n.said(failure)
    template = "screening_results.html" if request.headers.get("hx-request") else "screening.html"
    return page(
        request,
        template,
        principal,
        schemas=SCHEMAS,
        form=form,
        hits=hits,
        error=error,
        threshold=THRESHOLD,
    )


@router.post("/screening/request-details", response_class=HTMLResponse)
def request_details(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    record_id: Annotated[str, Form(max_length=128)],
) -> Response:
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    owner = service.request_details(
        session, principal=principal, context=context, record_id=record_id, now=utcnow()
    )
    return HTMLResponse(
        f'<p class="requested" role="status">Request sent to {owner}: they will answer '
        "through a message.</p>"
    )


@router.get("/screening/batch", response_class=HTMLResponse)
def batch_page(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    recent = session.scalars(
        select(ScreeningJob)
        .where(ScreeningJob.agency_id.in_(principal.acting_agency_ids))
        .order_by(ScreeningJob.created_at.desc())
        .limit(20)
    ).all()
    return page(request, "screening_batch.html", principal, jobs=recent, error=None)


@router.post("/screening/batch", response_class=HTMLResponse)
async def upload_batch(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    file: UploadFile,
    name_column: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    try:
        job = jobs.submit_file(
            session,
            principal=principal,
            context=context,
            filename=file.filename or "upload.csv",
            content=await file.read(batch.MAX_BYTES + 1),
            mapping={"name": name_column} if name_column else None,
        )
    except PalermoError as failure:
        return page(
            request,
            "screening_batch.html",
            principal,
            jobs=[],
            error=i18n.said(failure),
            details=failure.details,
            status_code=failure.status_code,
        )
    background.add_task(jobs.run, request.app.state.session_factory, job.id)
    return RedirectResponse(f"/screening/batch/{job.id}", status_code=303)


@router.get("/screening/batch/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request, job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    job = jobs.job_for(session, principal, job_id)
    template = "_job_progress.html" if request.headers.get("hx-request") else "screening_job.html"
    return page(request, template, principal, job=job, view=KINDS["screening"].view(job))
