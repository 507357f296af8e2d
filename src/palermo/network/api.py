"""Network routes (/api/network/…): jobs (build, analyse, disrupt) in the background, and
what the link chart asks interactively — a chart around seeds, paths, exports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Query, Request, status
from fastapi.responses import Response

from palermo.background import JobOut
from palermo.deps import ContextDep, PrincipalDep, SessionDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.http import file_responses
from palermo.models.base import utcnow
from palermo.network import analysis, jobs, service
from palermo.network.export import Format
from palermo.network.schemas import ChartOut, JobIn, PathOut, ScopeIn
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/network", tags=["network"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound)
MEDIA = {
    Format.graphml: "application/graphml+xml",
    Format.gexf: "application/gexf+xml",
    Format.csv: "text/csv",
    Format.ftm: "application/x-ndjson",
}


def _scope(
    owner: Annotated[list[str] | None, Query(max_length=200, description="agency codes")] = None,
    seed: Annotated[list[str] | None, Query(max_length=200, description="record ids")] = None,
    depth: Annotated[int, Query(ge=0, le=6)] = 2,
    since: datetime | None = None,
    until: datetime | None = None,
    canonical: bool = False,
    identifiers: bool = True,
) -> ScopeIn:
    """Which part of the graph, from query parameters (repeat owner and seed)."""
    return ScopeIn(
        owners=owner,
        seeds=seed or [],
        depth=depth,
        since=since,
        until=until,
        canonical=canonical,
        identifiers=identifiers,
    )


ScopeDep = Annotated[ScopeIn, Depends(_scope)]


@router.post("/jobs", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED, responses=COMMON)
def submit_job(
    body: JobIn,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
) -> JobOut:
    """Queue a build, analysis or disruption of the network you may see; poll the job."""
    job = service.submit(
        session,
        principal=principal,
        context=AccessContext.of(body.purpose, body.justification),
        body=body,
        now=utcnow(),
    )
    background.add_task(jobs.execute, request.app.state.session_factory, job.id)
    return JobOut.model_validate(job, from_attributes=True)


@router.get("/jobs/{job_id}", response_model=JobOut, responses=COMMON)
def read_job(job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """A job of your agency; its results are for those who analyse networks."""
    service.may_analyse(principal)
    return JobOut.model_validate(jobs.job_for(session, principal, job_id), from_attributes=True)


@router.get("/chart", response_model=ChartOut, responses=COMMON)
def chart(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    scope: ScopeDep,
    weighted: bool = False,
) -> ChartOut:
    """The network around the seeds (or all you may see), with communities and
    centralities for colour and size — what the link chart draws and expands."""
    built = service.build(session, principal=principal, context=context, scope=scope, now=utcnow())
    return service.chart(built.network, weighted=weighted)


@router.get("/paths", response_model=PathOut, responses=COMMON)
def paths(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    source: Annotated[str, Query(alias="from", max_length=200)],
    target: Annotated[str, Query(alias="to", max_length=200)],
    mode: Annotated[str, Query(pattern="^(shortest|k|time)$")] = "shortest",
    k: Annotated[int, Query(ge=1, le=20)] = 3,
    after: datetime | None = None,
    follow_direction: bool = False,
    owner: Annotated[list[str] | None, Query(max_length=200)] = None,
    canonical: bool = False,
) -> PathOut:
    """Paths between two nodes over everything you may see: fewest hops, the k shortest,
    or hops in date order (time-respecting). Only what the paths show is logged."""
    return service.paths_between(
        session,
        principal=principal,
        context=context,
        scope=ScopeIn(owners=owner, canonical=canonical),
        source=source,
        target=target,
        mode=mode,
        k=k,
        after=after,
        follow_direction=follow_direction,
        now=utcnow(),
    )


@router.get("/export", response_class=Response, responses=COMMON | file_responses(*MEDIA.values()))
def export(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    scope: ScopeDep,
    file_format: Annotated[Format, Query(alias="format")] = Format.graphml,
    weighted: bool = False,
) -> Response:
    """The network as GraphML, GEXF (with communities and centralities), CSV edges or FtM
    entities; every record in the file is logged as disclosed to your agency."""
    now = utcnow()
    built = service.build(session, principal=principal, context=context, scope=scope, now=now)
    content = service.export_bytes(
        session,
        principal=principal,
        context=context,
        built=built,
        file_format=file_format,
        options=analysis.Options(weighted=weighted),
        now=now,
    )
    return attachment(content, file_format)


def attachment(content: bytes, file_format: Format) -> Response:
    """A network file as a download, with its format's media type."""
    return Response(
        content,
        media_type=MEDIA[file_format],
        headers={"Content-Disposition": f'attachment; filename="network.{file_format.value}"'},
    )
