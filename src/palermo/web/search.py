"""The global search of the top bar: its results page, filtered by type, and the
suggestions it shows as one types (search.js)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.exchange.deps import keyring_of
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.search import service
from palermo.search.schemas import ResultKind
from palermo.translatable import N_
from palermo.web.templating import page, working_context

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50  # results of the one type filtered for
GROUP_SIZE = 5  # results of each type, when all are shown
SUGGESTIONS = 8
# Each type's name: plural on filters and groups, singular on a result.
TITLES = {
    ResultKind.record: N_("Records"),
    ResultKind.case: N_("Cases"),
    ResultKind.notice: N_("Notices"),
    ResultKind.message: N_("Messages"),
    ResultKind.request: N_("Judicial requests"),
    ResultKind.asset: N_("Assets"),
}
NAMES = {
    ResultKind.record: N_("Record"),
    ResultKind.case: N_("Case"),
    ResultKind.notice: N_("Notice"),
    ResultKind.message: N_("Message"),
    ResultKind.request: N_("Judicial request"),
    ResultKind.asset: N_("Asset"),
}


def _search_url(q: str, kind: ResultKind | None = None) -> str:
    return "/search?" + urlencode({"q": q} | ({"type": kind.value} if kind else {}))


def _context_url(q: str, kind: ResultKind | None = None) -> str:
    """Declare a working context, then come back to this search."""
    return "/context?" + urlencode({"next": _search_url(q, kind)})


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Everything the user may see that matches, grouped by type, or one type alone."""
    text = q.strip()
    kind = ResultKind(type) if type in set(ResultKind) else None
    found = None
    if text:
        found = service.search(
            session,
            keyring_of(request),
            principal=principal,
            text=text,
            context=working_context(request),
            now=utcnow(),
            kind=kind,
            limit=PAGE_SIZE if kind else GROUP_SIZE,
        )
    return page(
        request,
        "search.html",
        principal,
        q=text,
        kind=kind,
        found=found,
        titles=TITLES,
        names=NAMES,
        search_query=text,
        search_url=lambda chosen=None: _search_url(text, chosen),
        context_url=_context_url(text, kind),
        page_size=PAGE_SIZE,
    )


@router.get("/search/suggest", response_class=HTMLResponse)
def suggest(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The first few results, as the options of the top bar's search box (a fragment)."""
    text = q.strip()
    found = None
    if text:
        found = service.search(
            session,
            keyring_of(request),
            principal=principal,
            text=text,
            context=working_context(request),
            now=utcnow(),
            limit=SUGGESTIONS,
            pooled=True,
        )
    return page(
        request,
        "_search_suggestions.html",
        principal,
        q=text,
        found=found,
        titles=TITLES,
        names=NAMES,
        search_url=_search_url(text),
        context_url=_context_url(text),
    )
