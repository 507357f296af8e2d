"""The jobs pages: the agency's long work of every kind, followed live, and each job's
progress and result."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.jobs import service
from palermo.routing import APIRouter
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """The whole page, or (polled by htmx while jobs run) the table alone."""
    template = "jobs/_table.html" if request.headers.get("hx-request") else "jobs/list.html"
    return page(request, template, principal, views=service.agency_jobs(session, principal))


@router.get("/jobs/{kind}/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request, kind: str, job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    view = service.agency_job(session, principal, kind, job_id)
    template = "_job_progress.html" if request.headers.get("hx-request") else "jobs/job.html"
    return page(request, template, principal, view=view)
