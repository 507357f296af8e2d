"""Requests as the API and the CLI show them: the list a principal's agency sees, and one
request as its side reads it, with the steps that side may take now. Listing and reading
are consultations, and audited as such."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.identity.principal import Principal
from palermo.judicial import deadlines, requests, statistics
from palermo.judicial.lifecycle import (
    GROUND_TITLES,
    STEPS,
    RequestKind,
    Side,
    Status,
    Step,
    steps_from,
)
from palermo.judicial.request_schemas import (
    DeadlineOut,
    Direction,
    DualCriminalitySnapshot,
    PairOut,
    PersonOut,
    RequestEventOut,
    RequestOut,
    RequestPartOut,
    RequestSummaryOut,
)
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy
from palermo.records.repository import agency_codes

PAGE = 100


def next_steps(status: Status, sides: frozenset[Side]) -> list[Step]:
    """The steps a reader on `sides` may take from `status`."""
    return [step for step in steps_from(status) if STEPS[step][2] & sides]


def _summary_fields(
    request: JudicialRequest, principal: Principal, codes: dict[uuid.UUID, str]
) -> dict[str, Any]:
    sides = policy.sides(principal, request)
    return {
        "id": request.id,
        "reference": request.reference,
        "kind": request.kind,
        "measures": request.measures,
        "requesting": codes[request.requesting_agency_id],
        "requested": codes[request.requested_agency_id],
        "executing": codes[request.executing_agency_id] if request.executing_agency_id else None,
        "requesting_country": request.requesting_country,
        "requested_country": request.requested_country,
        "treaty": request.treaty,
        "urgent": request.urgent,
        "status": request.status,
        "status_since": request.status_since,
        "sent_at": request.sent_at,
        "requested_by": request.requested_by,
        "my_sides": [side for side in Side if side in sides],
        "next_steps": next_steps(request.status, sides),
    }


def _agencies(request: JudicialRequest) -> list[uuid.UUID]:
    sides = [request.requesting_agency_id, request.requested_agency_id]
    return sides + ([request.executing_agency_id] if request.executing_agency_id else [])


def detail(session: Session, principal: Principal, request: JudicialRequest) -> RequestOut:
    """The request as the principal's side sees it (not audited: `read` is)."""
    timeline = requests.events(session, request)
    executed = requests.parts(session, request)
    codes = agency_codes(
        session,
        [
            *_agencies(request),
            *(e.agency_id for e in timeline),
            *(p.agency_id for p in executed),
        ],
    )
    ground = request.ground
    return RequestOut(
        **_summary_fields(request, principal, codes),
        offences=request.offences,
        requesting_authority=request.requesting_authority,
        proceedings=request.proceedings,
        facts=request.facts,
        assistance=request.assistance,
        persons=[PersonOut.model_validate(p) for p in request.persons],
        purpose=request.purpose,
        handling=request.handling,
        case_id=request.case_id,
        notice_id=request.notice_id,
        asset_order_id=request.asset_order_id,
        message_id=request.message_id,
        drafted_by=request.drafted_by,
        created_at=request.created_at,
        acknowledged_at=request.acknowledged_at,
        closed_at=request.closed_at,
        ground=ground,
        ground_title=GROUND_TITLES[ground] if ground else None,
        reasons=request.reasons,
        consulted_on=request.consulted_on,
        conditions=request.conditions or {},
        dual_criminality=(
            DualCriminalitySnapshot.model_validate(request.dual_criminality)
            if request.dual_criminality
            else None
        ),
        missing=requests.missing_contents(request) if request.status is Status.draft else [],
        events=[
            RequestEventOut(
                at=e.at,
                agency=codes[e.agency_id],
                actor=e.actor,
                step=e.step,
                from_status=Status(e.from_status) if e.from_status else None,
                to_status=Status(e.to_status),
                note=e.note,
            )
            for e in timeline
        ],
        deadlines=[
            DeadlineOut(
                milestone=d.milestone.value,
                due_on=d.due_on,
                met_on=d.met_on,
                basis=d.basis,
                overdue=d.overdue(utcnow().date()),
            )
            for d in deadlines.deadlines(
                request, timeline, deadlines.order_kinds(session, [request]).get(request.id)
            )
        ],
        parts=[
            RequestPartOut(
                id=p.id,
                measure=p.measure,
                executed_on=p.executed_on,
                summary=p.summary,
                agency=codes[p.agency_id],
                recorded_by=p.recorded_by,
                recorded_at=p.recorded_at,
            )
            for p in executed
        ],
    )


def read(session: Session, principal: Principal, request: JudicialRequest) -> RequestOut:
    """The request as the principal's side sees it; the reading is audited."""
    policy.may_work(principal)
    audit(
        session,
        action="judicial.read",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference},
    )
    return detail(session, principal, request)


def listing(
    session: Session,
    principal: Principal,
    *,
    direction: Direction | None = None,
    status: Status | None = None,
    kind: RequestKind | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = PAGE,
) -> list[RequestSummaryOut]:
    """The requests the principal's agencies are on a side of, the newest first: outgoing
    (they request) or incoming (requested of them, or given them to execute)."""
    policy.may_work(principal)
    mine = principal.acting_agency_ids
    query = select(JudicialRequest).where(policy.visible(principal))
    if direction is Direction.outgoing:
        query = query.where(JudicialRequest.requesting_agency_id.in_(mine))
    elif direction is Direction.incoming:
        query = query.where(
            or_(
                JudicialRequest.requested_agency_id.in_(mine),
                JudicialRequest.executing_agency_id.in_(mine),
            )
        )
    if status is not None:
        query = query.where(JudicialRequest.status == status)
    if kind is not None:
        query = query.where(JudicialRequest.kind == kind)
    if q and q.strip():
        like = f"%{q.strip()}%"
        query = query.where(
            or_(JudicialRequest.reference.ilike(like), JudicialRequest.proceedings.ilike(like))
        )
    found = list(
        session.scalars(
            query.order_by(JudicialRequest.created_at.desc(), JudicialRequest.reference.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    audit(
        session,
        action="judicial.list",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[r.id for r in found],
        detail={
            "direction": direction.value if direction else None,
            "status": status.value if status else None,
            "kind": kind.value if kind else None,
            "q": q,
        },
    )
    codes = agency_codes(session, [a for r in found for a in _agencies(r)])
    return [RequestSummaryOut(**_summary_fields(r, principal, codes)) for r in found]


def pair_out(figures: statistics.PairFigures) -> PairOut:
    return PairOut(
        requesting=figures.requesting,
        requested=figures.requested,
        sent=figures.sent,
        answered=figures.answered,
        refused=figures.refused,
        withdrawn=figures.withdrawn,
        open=figures.open,
        overdue=figures.overdue,
        median_days_to_acknowledge=figures.median_days_to_acknowledge,
        median_days_to_close=figures.median_days_to_close,
    )
