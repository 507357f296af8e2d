"""Notice routes: requests and their life (/api/notices…) and the public extract
(/notices/v1/…, read-only, no login: the shape of Interpol's public web service)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from palermo.deps import ContextDep, OffsetQuery, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.models.base import utcnow
from palermo.notices import checks, hits, public, service, views
from palermo.notices.schemas import (
    ActionIn,
    FindingOut,
    HitDecisionIn,
    HitReportOut,
    NoticeIn,
    NoticeOut,
)
from palermo.notices.workflow import person_action
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/notices", tags=["notices"])
public_router = APIRouter(prefix="/notices/v1", tags=["public notices"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict)


class NoticeList(BaseModel):
    total: int
    items: list[NoticeOut]


@router.post("/check", response_model=list[FindingOut], responses=COMMON)
def check(body: NoticeIn, principal: PrincipalDep) -> list[FindingOut]:
    """Run the automatic checks on a request without saving it (the form's live validation).
    Duplicates are looked for on submission."""
    found = checks.check(service.request_of(body), today=utcnow().date())
    return [
        FindingOut(rule=f.rule, severity=f.severity, message=f.message, field=f.field)
        for f in found
    ]


@router.post("", response_model=NoticeOut, status_code=201, responses=COMMON)
def create(body: NoticeIn, session: SessionDep, principal: PrincipalDep) -> NoticeOut:
    """Draft a notice or diffusion request for your agency."""
    notice = service.create(session, principal=principal, payload=body, now=utcnow())
    return views.view(session, principal, notice)


@router.get("", response_model=NoticeList, responses=COMMON)
def listing(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    kind: str | None = None,
    status: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    mine: bool = False,
    queue: Annotated[bool, Query(description="requests awaiting your review")] = False,
    offset: OffsetQuery = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NoticeList:
    found = service.listing(
        session,
        principal,
        kind=kind,
        status=status,
        text=q,
        mine=mine,
        queue=queue,
        offset=offset,
        limit=limit,
        context=context,
    )
    return NoticeList(
        total=found.total, items=[views.view(session, principal, n) for n in found.items]
    )


@router.get("/{notice_id}", response_model=NoticeOut, responses=COMMON)
def read(
    notice_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, context: ContextDep
) -> NoticeOut:
    """One notice (send X-Purpose and X-Justification: its subject is personal data)."""
    notice = service.read(session, principal=principal, notice_id=notice_id, context=context)
    return views.view(session, principal, notice)


@router.put("/{notice_id}", response_model=NoticeOut, responses=COMMON)
def edit(
    notice_id: uuid.UUID, body: NoticeIn, session: SessionDep, principal: PrincipalDep
) -> NoticeOut:
    """Change a draft."""
    notice = service.update(
        session, principal=principal, notice_id=notice_id, payload=body, now=utcnow()
    )
    return views.view(session, principal, notice)


@router.post("/{notice_id}/{action}", response_model=NoticeOut, responses=COMMON)
def act(
    notice_id: uuid.UUID,
    action: str,
    body: ActionIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> NoticeOut:
    """Move the notice: submit, claim, return, publish (with the review checklist), refuse,
    extend, suspend, reinstate, cancel or withdraw. An illegal move answers 409."""
    person_action(action)
    notice = service.act(
        session,
        principal=principal,
        notice_id=notice_id,
        action=action,
        body=body,
        settings=settings,
        now=utcnow(),
    )
    return views.view(session, principal, notice)


@router.post("/hits/{hit_id}/decision", response_model=HitReportOut, responses=COMMON)
def decide_hit(
    hit_id: uuid.UUID, body: HitDecisionIn, session: SessionDep, principal: PrincipalDep
) -> HitReportOut:
    """The requesting agency confirms (or not) that the person hit is the one sought."""
    hit = hits.decide(
        session,
        principal=principal,
        hit_id=hit_id,
        confirmed=body.confirmed,
        note=body.note,
        now=utcnow(),
    )
    return HitReportOut.model_validate(hit, from_attributes=True)


# The public extract --------------------------------------------------------------------
@public_router.get("/{kind}", responses=error_responses(Invalid, NotFound))
def public_list(
    kind: str,
    session: SessionDep,
    forename: Annotated[str | None, Query(max_length=100)] = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    nationality: Annotated[str | None, Query(max_length=2)] = None,
    sex_id: Annotated[str | None, Query(alias="sexId", max_length=1)] = None,
    warrant_country: Annotated[
        str | None, Query(alias="arrestWarrantCountryId", max_length=2)
    ] = None,
    age_min: Annotated[int | None, Query(alias="ageMin", ge=0, le=130)] = None,
    age_max: Annotated[int | None, Query(alias="ageMax", ge=0, le=130)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(alias="resultPerPage", ge=1, le=public.MAX_PER_PAGE)] = 20,
) -> dict[str, Any]:
    """Published notices of the public extract (red, yellow, un), filtered and paged."""
    filters = public.Filters(
        forename=forename,
        name=name,
        nationality=nationality,
        sex_id=sex_id,
        arrest_warrant_country_id=warrant_country,
        age_min=age_min,
        age_max=age_max,
        page=page,
        per_page=per_page,
    )
    return public.page(session, kind, filters, today=utcnow().date())


@public_router.get("/{kind}/{entity_slug}", responses=error_responses(NotFound))
def public_detail(kind: str, entity_slug: str, session: SessionDep) -> dict[str, Any]:
    """One notice of the public extract ("2026-00012" for entity 2026/00012)."""
    return public.one(session, kind, entity_slug)
