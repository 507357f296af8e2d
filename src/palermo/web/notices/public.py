"""The public extract for anyone, without logging in: Red, Yellow and UN Special Notices
that their requesters allowed, filtered as Interpol's public website filters them."""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from palermo.deps import SessionDep
from palermo.errors import Invalid, PalermoError
from palermo.models.base import utcnow
from palermo.notices import public
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
KINDS = {"red": N_("Red Notices"), "yellow": N_("Yellow Notices"), "un": N_("UN Special Notices")}
SEXES = {"M": N_("Male"), "F": N_("Female"), "U": N_("Unknown")}
Short = Annotated[str, Query(max_length=100)]
Code = Annotated[str, Query(max_length=2)]


def _age(value: str, what: str) -> int | None:
    if not value.strip():
        return None
    if not (value.strip().isascii() and value.strip().isdigit()):
        raise Invalid(f"the {what} is a whole number of years")
    return int(value)


@router.get("/public/notices", response_class=HTMLResponse)
def public_notices(
    request: Request,
    session: SessionDep,
    kind: Annotated[str, Query(max_length=8)] = "red",
    name: Short = "",
    forename: Short = "",
    nationality: Code = "",
    sex: Annotated[str, Query(max_length=1)] = "",
    age_min: Annotated[str, Query(max_length=3)] = "",
    age_max: Annotated[str, Query(max_length=3)] = "",
    warrant_country: Code = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """Published notices of the public extract, filtered and paged (no login)."""
    typed = {
        "kind": kind if kind in KINDS else "red",
        "name": name.strip(),
        "forename": forename.strip(),
        "nationality": nationality.strip().upper(),
        "sex": sex.upper() if sex.upper() in SEXES else "",
        "age_min": age_min.strip(),
        "age_max": age_max.strip(),
        "warrant_country": warrant_country.strip().upper(),
    }
    found, error = None, None
    try:
        filters = public.Filters(
            forename=typed["forename"] or None,
            name=typed["name"] or None,
            nationality=typed["nationality"] or None,
            sex_id=typed["sex"] or None,
            arrest_warrant_country_id=typed["warrant_country"] or None,
            age_min=_age(typed["age_min"], "minimum age"),
            age_max=_age(typed["age_max"], "maximum age"),
            page=page_number,
            per_page=PER_PAGE,
        )
        found = public.page(session, typed["kind"], filters, today=utcnow().date())
    except PalermoError as failure:
        error = i18n.said(failure)
    last = max(1, math.ceil(found["total"] / PER_PAGE)) if found else 1
    return page(
        request,
        "notices/public_list.html",
        None,
        typed=typed,
        kinds=KINDS,
        sexes=SEXES,
        found=found,
        error=error,
        page_number=page_number,
        last=last,
        query_of=lambda number: "?" + urlencode({**_given(typed), "page": number}),
        slug=public.slug,
        status_code=422 if error else 200,
    )


def _given(typed: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in typed.items() if v}


@router.get("/public/notices/{kind}/{entity_slug}", response_class=HTMLResponse)
def public_notice(
    request: Request,
    session: SessionDep,
    kind: Annotated[str, Path(max_length=8)],
    entity_slug: Annotated[str, Path(max_length=16)],
) -> Response:
    """One notice of the public extract ("2026-00012" for notice 2026/00012)."""
    notice: dict[str, Any] = public.one(session, kind, entity_slug)
    return page(
        request,
        "notices/public_notice.html",
        None,
        notice=notice,
        kind=kind,
        kind_title=KINDS.get(kind, ""),
        sexes=SEXES,
    )
