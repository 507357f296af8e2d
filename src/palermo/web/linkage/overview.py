"""The linkage page: the agency's latest run, its review queue (the decisions worth most
first), the pairs it has judged, and the entities its clusters make."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.linkage import review, service
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.web.linkage.common import SCHEMA, STATUS_TITLES, latest_run
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)
QUEUE_LENGTH = 50
ENTITIES_SHOWN = 100


@router.get("/linkage", response_class=HTMLResponse)
def linkage(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    tab: Annotated[str, Query(max_length=16)] = "proposed",
    saved: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Pairs and clusters combine records: consulted under the declared working context."""
    linkage = latest_run(session, principal)
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    if linkage is None:
        return page(request, "linkage/overview.html", principal, linkage=None)
    tab = tab if tab in STATUS_TITLES else "proposed"
    now = utcnow()
    clusters = service.clusters_of(
        session, principal=principal, context=context, schema=SCHEMA, now=now
    )
    rows: list[review.QueuedPair] = []
    judged: list[service.PairView] = []
    if tab == "proposed":
        rows = review.queue(
            session,
            principal=principal,
            context=context,
            schema=SCHEMA,
            limit=QUEUE_LENGTH,
            now=now,
            clusters=clusters,
        )
    else:
        judged = service.pairs(
            session, principal=principal, context=context, schema=SCHEMA, status=tab, now=now
        )
    # Conflicts first: they are what a reviewer must untangle.
    entities = sorted(clusters, key=lambda c: not c.conflicts)
    return page(
        request,
        "linkage/overview.html",
        principal,
        linkage=linkage,
        tab=tab,
        tabs=STATUS_TITLES,
        queue=rows,
        queue_length=QUEUE_LENGTH,
        judged=judged,
        entities=entities[:ENTITIES_SHOWN],
        entities_total=len(entities),
        conflicts=sum(bool(c.conflicts) for c in clusters),
        saved=STATUS_TITLES.get(saved),  # the last judgement, which emptied the queue
    )
