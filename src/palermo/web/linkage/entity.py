"""The dossier of an entity: the records a cluster joins, each under its own envelope or as
"also known to" its owner, what those seen in full say of the person, and the conflicts."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.linkage import review
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.web.linkage.common import SCHEMA, latest_run
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)


@router.get("/linkage/entities/{cluster_id}", response_class=HTMLResponse)
def entity(
    request: Request, cluster_id: str, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Reading the members is a consultation of each: under the declared working context."""
    latest_run(session, principal)  # refuses whoever does not link, before asking why
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    found = review.dossier(
        session,
        principal=principal,
        context=context,
        cluster_id=cluster_id,
        schema=SCHEMA,
        now=utcnow(),
    )
    return page(request, "linkage/entity.html", principal, d=found)
