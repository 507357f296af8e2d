"""Global search route: everything the caller may see that matches, typed and counted."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from palermo.deps import PrincipalDep, SessionDep, access_context
from palermo.errors import Invalid, Unauthorized, error_responses
from palermo.exchange.deps import KeyringDep
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter
from palermo.search import service
from palermo.search.schemas import ResultKind, SearchOut

router = APIRouter(prefix="/api", tags=["search"])


async def optional_context(
    request: Request,
    x_purpose: Annotated[str | None, Header(description="why: a purpose code")] = None,
    x_justification: Annotated[
        str | None, Header(description="the case or reason; logged with the consultation")
    ] = None,
) -> AccessContext | None:
    """A purpose and justification if the caller gave either (then both must be valid)."""
    if not (
        x_purpose
        or x_justification
        or request.query_params.get("purpose")
        or request.query_params.get("justification")
    ):
        return None
    return await access_context(request, x_purpose, x_justification)


@router.get("/search", response_model=SearchOut, responses=error_responses(Unauthorized, Invalid))
def search(
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    context: Annotated[AccessContext | None, Depends(optional_context)],
    q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for")],
    type: Annotated[ResultKind | None, Query(description="search this type alone")] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="results per type")] = 10,
) -> SearchOut:
    """Records, cases, notices, messages, judicial requests and assets the caller may see
    that match `q`, each type through its own policy and audited as its own listing is.
    Records and notices are searched only with a purpose and justification (`X-Purpose`,
    `X-Justification`); without them their tally says `needs_context`. Hit-only records
    carry their reference, schema and owner agency alone."""
    return service.search(
        session,
        keyring,
        principal=principal,
        text=q,
        context=context,
        now=utcnow(),
        kind=type,
        limit=limit,
    )
