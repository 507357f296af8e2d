"""Request routes (/api/requests/…): requests for judicial cooperation between central
authorities, drafted, sent, acknowledged, assigned, executed in parts and answered, or
refused after consultation, or withdrawn. A request is a 404 to anyone on none of its sides;
a step that is not possible from where the request stands is a 409 naming those that are."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status
from sqlalchemy.orm import Session

from palermo.deps import OffsetQuery, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.exchange.deps import KeyringDep
from palermo.identity.principal import Principal
from palermo.judicial import requests, statistics, views
from palermo.judicial.lifecycle import RequestKind, Status, Step
from palermo.judicial.request_schemas import (
    AnswerIn,
    AssignIn,
    Direction,
    PairOut,
    PartIn,
    RefusalIn,
    RequestOut,
    RequestSummaryOut,
    StepIn,
)
from palermo.judicial.schemas import RequestIn
from palermo.models.base import utcnow
from palermo.policy import judicial as policy
from palermo.routing import APIRouter

requests_router = APIRouter(prefix="/api/requests", tags=["judicial cooperation"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict)
CREATED = status.HTTP_201_CREATED


@requests_router.get("", response_model=list[RequestSummaryOut], responses=COMMON)
def list_requests(
    session: SessionDep,
    principal: PrincipalDep,
    direction: Direction | None = None,
    status: Status | None = None,
    kind: RequestKind | None = None,
    q: Annotated[str | None, Query(max_length=100, description="reference or proceedings")] = None,
    offset: OffsetQuery = 0,
    limit: Annotated[int, Query(ge=1, le=views.PAGE)] = views.PAGE,
) -> list[RequestSummaryOut]:
    """The requests your agency makes (outgoing) or that are made of it or given it to
    execute (incoming), the newest first, with the steps you may take on each."""
    return views.listing(
        session,
        principal,
        direction=direction,
        status=status,
        kind=kind,
        q=q,
        offset=offset,
        limit=limit,
    )


@requests_router.post("", response_model=RequestOut, status_code=CREATED, responses=COMMON)
def draft_request(body: RequestIn, session: SessionDep, principal: PrincipalDep) -> RequestOut:
    """Draft a request of your central authority to another state's; `missing` names what
    Palermo Art. 18(15) requires that it does not say yet."""
    request = requests.draft(session, principal=principal, payload=body, now=utcnow())
    return views.detail(session, principal, request)


@requests_router.get("/statistics", response_model=list[PairOut], responses=COMMON)
def response_times(session: SessionDep, principal: PrincipalDep) -> list[PairOut]:
    """Response times per pair of countries, the slowest first (figures only)."""
    figures = statistics.response_times(session, principal, today=utcnow().date())
    return [views.pair_out(f) for f in figures]


@requests_router.get("/{request_id}", response_model=RequestOut, responses=COMMON)
def read_request(request_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> RequestOut:
    """The request as your side sees it: contents, status, timeline, parts executed and the
    steps you may take now."""
    return views.read(session, principal, policy.request_for(session, principal, request_id))


@requests_router.put("/{request_id}", response_model=RequestOut, responses=COMMON)
def revise_request(
    request_id: uuid.UUID, body: RequestIn, session: SessionDep, principal: PrincipalDep
) -> RequestOut:
    """Rewrite your draft (a sent request is withdrawn and drafted anew instead)."""
    request = policy.request_for(session, principal, request_id)
    requests.revise(session, principal=principal, request=request, payload=body, now=utcnow())
    return views.detail(session, principal, request)


@requests_router.post("/{request_id}/send", response_model=RequestOut, responses=COMMON)
def send_request(
    request_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> RequestOut:
    """Send the draft to the requested central authority as a secure message under its
    handling code; refused, naming the rule, if a required content is missing, the legal
    basis does not apply that day or dual criminality fails where the basis requires it."""
    request = requests.send(
        session,
        principal=principal,
        keyring=keyring,
        request=policy.request_for(session, principal, request_id),
        max_attachment_bytes=settings.max_attachment_bytes,
        now=utcnow(),
    )
    return views.detail(session, principal, request)


def _take(
    session: Session, principal: Principal, request_id: uuid.UUID, step: Step, body: StepIn | None
) -> RequestOut:
    request = requests.take_step(
        session,
        principal=principal,
        request=policy.request_for(session, principal, request_id),
        step=step,
        now=utcnow(),
        note=body.note if body else "",
    )
    return views.detail(session, principal, request)


@requests_router.post("/{request_id}/acknowledge", response_model=RequestOut, responses=COMMON)
def acknowledge_request(
    request_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, body: StepIn | None = None
) -> RequestOut:
    """The requested central authority acknowledges receipt."""
    return _take(session, principal, request_id, Step.acknowledge, body)


@requests_router.post("/{request_id}/assign", response_model=RequestOut, responses=COMMON)
def assign_request(
    request_id: uuid.UUID, body: AssignIn, session: SessionDep, principal: PrincipalDep
) -> RequestOut:
    """The requested central authority gives the request to an authority of its state to
    execute; that authority then sees it."""
    request = requests.assign(
        session,
        principal=principal,
        request=policy.request_for(session, principal, request_id),
        agency_code=body.agency,
        now=utcnow(),
    )
    return views.detail(session, principal, request)


@requests_router.post(
    "/{request_id}/parts", response_model=RequestOut, status_code=CREATED, responses=COMMON
)
def execute_part(
    request_id: uuid.UUID, body: PartIn, session: SessionDep, principal: PrincipalDep
) -> RequestOut:
    """Record a part executed (a witness heard, records produced, a search made)."""
    request = policy.request_for(session, principal, request_id)
    requests.execute_part(
        session,
        principal=principal,
        request=request,
        measure=body.measure,
        executed_on=body.executed_on,
        summary=body.summary,
        now=utcnow(),
    )
    return views.detail(session, principal, request)


@requests_router.post("/{request_id}/answer", response_model=RequestOut, responses=COMMON)
def answer_request(
    request_id: uuid.UUID, body: AnswerIn, session: SessionDep, principal: PrincipalDep
) -> RequestOut:
    """Answer: what is returned, under speciality (Art. 18(19)) and confidentiality
    (Art. 18(20)) conditions."""
    request = requests.answer(
        session,
        principal=principal,
        request=policy.request_for(session, principal, request_id),
        summary=body.summary,
        speciality=body.speciality,
        confidentiality=body.confidentiality,
        now=utcnow(),
    )
    return views.detail(session, principal, request)


@requests_router.post("/{request_id}/consult", response_model=RequestOut, responses=COMMON)
def consult_on_request(
    request_id: uuid.UUID, body: StepIn, session: SessionDep, principal: PrincipalDep
) -> RequestOut:
    """Consult the requesting state before refusing or postponing (Art. 18(26)); the note
    says what about."""
    return _take(session, principal, request_id, Step.consult, body)


@requests_router.post("/{request_id}/resume", response_model=RequestOut, responses=COMMON)
def resume_request(
    request_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, body: StepIn | None = None
) -> RequestOut:
    """The consultation is settled: the request goes on where it stood."""
    return _take(session, principal, request_id, Step.resume, body)


@requests_router.post("/{request_id}/refuse", response_model=RequestOut, responses=COMMON)
def refuse_request(
    request_id: uuid.UUID, body: RefusalIn, session: SessionDep, principal: PrincipalDep
) -> RequestOut:
    """Refuse, after consultation, on a coded ground with reasons; fiscal matters are no
    ground (Arts. 16(15), 18(22)) and extradition grounds are not offered for MLA."""
    request = requests.refuse(
        session,
        principal=principal,
        request=policy.request_for(session, principal, request_id),
        ground=body.ground,
        reasons=body.reasons,
        consulted_on=body.consulted_on,
        now=utcnow(),
    )
    return views.detail(session, principal, request)


@requests_router.post("/{request_id}/withdraw", response_model=RequestOut, responses=COMMON)
def withdraw_request(
    request_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, body: StepIn | None = None
) -> RequestOut:
    """The requesting authority withdraws the request before it ends."""
    return _take(session, principal, request_id, Step.withdraw, body)
