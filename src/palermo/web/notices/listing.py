"""The notices a user may see: all of them, their agency's requests, or the requests
awaiting their review; filtered by type and status, searched by title or number, paged."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.notices import service
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.records.repository import agency_codes
from palermo.routing import APIRouter
from palermo.web.notices.common import KIND_NAMES, STATUS_TITLES, require_reader, tabs
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
TABS = ("all", "mine", "queue")


@router.get("/notices", response_class=HTMLResponse)
def notices(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    tab: Annotated[str, Query(max_length=8)] = "all",
    kind: Annotated[str, Query(max_length=16)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """Subjects' names are personal data: consulted under the declared working context."""
    require_reader(principal)
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    filters = {
        "tab": tab if tab in TABS else "all",
        "kind": kind if kind in set(NoticeKind) else "",
        "status": status if status in set(NoticeStatus) else "",
        "q": q.strip(),
    }
    found = service.listing(
        session,
        principal,
        kind=filters["kind"] or None,
        status=filters["status"] or None,
        text=filters["q"] or None,
        mine=filters["tab"] == "mine",
        queue=filters["tab"] == "queue",
        offset=(page_number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        context=context,
    )
    template = "notices/_results.html" if request.headers.get("hx-request") else "notices/list.html"
    return page(
        request,
        template,
        principal,
        found=found,
        codes=agency_codes(session, [n.requesting_agency_id for n in found.items]),
        filters=filters,
        kinds=KIND_NAMES,
        statuses=STATUS_TITLES,
        page_number=page_number,
        has_next=page_number * PAGE_SIZE < found.total,
        query_of=lambda number: _query(filters, number),
        **tabs(session, principal, filters["tab"]),
    )


def _query(filters: dict[str, Any], number: int) -> str:
    return "?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": number})
