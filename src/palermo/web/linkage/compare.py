"""Two records side by side, with what each field says for or against their being one, and
the agency's judgement; once judged, the next pair of the queue."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from palermo.deps import PrincipalDep, SessionDep
from palermo.linkage import review, service
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.web.linkage.common import (
    FIELD_TITLES,
    SCHEMA,
    STATUS_TITLES,
    VERDICT_BUTTONS,
    latest_run,
    weight_label,
)
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)
RecordId = Annotated[str, Query(min_length=1, max_length=128)]


def compare_url(left: str, right: str, **extra: str) -> str:
    return "/linkage/compare?" + urlencode({"left": left, "right": right, **extra})


@router.get("/linkage/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    left: RecordId,
    right: RecordId,
    saved: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Reading both records is a consultation of each: under the declared working context."""
    latest_run(session, principal)  # refuses whoever does not link, before asking why
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    found = review.comparison(
        session,
        principal=principal,
        context=context,
        schema=SCHEMA,
        left_id=left,
        right_id=right,
        now=utcnow(),
    )
    return page(
        request,
        "linkage/compare.html",
        principal,
        c=found,
        fields=FIELD_TITLES,
        weight_label=weight_label,
        verdicts=VERDICT_BUTTONS,
        statuses=STATUS_TITLES,
        saved=STATUS_TITLES.get(saved),
    )


@router.post("/linkage/compare", response_class=HTMLResponse)
def judge(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    left: Annotated[str, Form(min_length=1, max_length=128)],
    right: Annotated[str, Form(min_length=1, max_length=128)],
    verdict: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Store the agency's judgement of the pair, then show the next pair of the queue (or
    the queue itself once it is empty)."""
    latest_run(session, principal)  # refuses whoever does not link, before asking why
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    now = utcnow()
    service.judge(
        session,
        principal=principal,
        context=context,
        left_id=left,
        right_id=right,
        verdict=verdict,
        note=note,
        now=now,
    )
    following = review.queue(
        session, principal=principal, context=context, schema=SCHEMA, limit=1, now=now
    )
    if not following:
        return RedirectResponse("/linkage?" + urlencode({"saved": verdict}), status_code=303)
    pair = following[0].pair
    return RedirectResponse(compare_url(pair.left_id, pair.right_id, saved=verdict), 303)
