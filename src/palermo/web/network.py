"""The link chart: the network around a record (or all the analyst may see), drawn with
Cytoscape.js — expand a node, find paths (fewest hops or in date order), colour by cell or
country, size by centrality, a time window and a timeline of the same evidence, exports.

The chart's data come from this page's JSON routes, read under the declared working
context (the same service calls as /api/network/…, without sending the context from
JavaScript)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.models.base import utcnow
from palermo.network import analysis, service
from palermo.network.api import attachment
from palermo.network.export import Format
from palermo.network.schemas import ScopeIn
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)
Seeds = Annotated[list[str] | None, Query(alias="seed", max_length=50)]
Depth = Annotated[int, Query(ge=0, le=4)]


def _scope(seeds: list[str] | None, depth: int, since: date | None, until: date | None) -> ScopeIn:
    return ScopeIn(
        seeds=seeds or [],
        depth=depth,
        since=datetime.combine(since, time.min, UTC) if since else None,
        until=datetime.combine(until, time.max, UTC) if until else None,
    )


def _context(request: Request, principal: PrincipalDep) -> AccessContext | Response:
    service.may_analyse(principal)  # refuse before asking why
    return context_or_redirect(request)


@router.get("/network", response_class=HTMLResponse)
def network_page(
    request: Request, principal: PrincipalDep, seed: Seeds = None, depth: Depth = 1
) -> Response:
    context = _context(request, principal)
    if isinstance(context, Response):
        return context
    return page(request, "network.html", principal, seeds=seed or [], depth=depth)


@router.get("/network/chart.json")
def chart_data(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    seed: Seeds = None,
    depth: Depth = 1,
    since: date | None = None,
    until: date | None = None,
) -> Response:
    context = _context(request, principal)
    if isinstance(context, Response):
        return context
    built = service.build(
        session,
        principal=principal,
        context=context,
        scope=_scope(seed, depth, since, until),
        now=utcnow(),
    )
    chart = service.chart(built.network)
    return JSONResponse({**chart.model_dump(mode="json"), "left_out": built.left_out})


@router.get("/network/paths.json")
def paths_data(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    source: Annotated[str, Query(alias="from", max_length=200)],
    target: Annotated[str, Query(alias="to", max_length=200)],
    mode: Annotated[str, Query(pattern="^(shortest|k|time)$")] = "shortest",
) -> Response:
    context = _context(request, principal)
    if isinstance(context, Response):
        return context
    found = service.paths_between(
        session,
        principal=principal,
        context=context,
        scope=ScopeIn(),
        source=source,
        target=target,
        mode=mode,
        now=utcnow(),
    )
    return JSONResponse(found.model_dump(mode="json"))


@router.get("/network/export")
def export_file(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    file_format: Annotated[Format, Query(alias="format")] = Format.graphml,
    seed: Seeds = None,
    depth: Depth = 1,
    since: date | None = None,
    until: date | None = None,
) -> Response:
    context = _context(request, principal)
    if isinstance(context, Response):
        return context
    now = utcnow()
    built = service.build(
        session,
        principal=principal,
        context=context,
        scope=_scope(seed, depth, since, until),
        now=now,
    )
    content = service.export_bytes(
        session,
        principal=principal,
        context=context,
        built=built,
        file_format=file_format,
        options=analysis.Options(),
        now=now,
    )
    return attachment(content, file_format)
