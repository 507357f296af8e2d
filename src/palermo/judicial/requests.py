"""Requests between central authorities: drafted, checked and sent through the secure
exchange, then acknowledged, assigned, executed in parts and answered — or refused on a
coded ground, with reasons, after consultation — or withdrawn. Every step is a line in the
request's timeline and the audit log, and the other side is notified."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, refusals_logged
from palermo.audit.service import record as audit
from palermo.db import next_number
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.exchange import messages
from palermo.exchange.keys import Keyring
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind
from palermo.judicial.legal_basis import resolve
from palermo.judicial.lifecycle import (
    EXTRADITION_ONLY,
    FINAL,
    GROUND_TITLES,
    KIND_TITLES,
    MEASURE_TITLES,
    STEPS,
    Ground,
    Measure,
    RequestKind,
    Status,
    Step,
    steps_from,
)
from palermo.judicial.schemas import RequestIn
from palermo.judicial.treaties import DualCriminality, RequestType, packaged
from palermo.models.base import latest_date
from palermo.models.cases import Case
from palermo.models.identity import Agency
from palermo.models.judicial import JudicialRequest, RequestEvent, RequestPart
from palermo.models.records import Notification
from palermo.notifications import texts
from palermo.offences import offence
from palermo.policy import cases as case_policy
from palermo.policy import judicial as policy
from palermo.translatable import N_, written

NOTIFICATION = "judicial_request"


def _central_authority(session: Session, code: str) -> Agency:
    agency = directory.agency_by_code(session, code)
    if agency is None:
        raise Invalid(N_("unknown agency %(code)s"), code=repr(code))
    if agency.kind != AgencyKind.central_authority:
        raise Invalid(
            N_(
                "%(code)s is not a central authority: requests go between central "
                "authorities (Palermo Art. 18(13))"
            ),
            code=agency.code,
        )
    return agency


def _requesting(session: Session, principal: Principal) -> Agency:
    policy.may_work(principal)
    agency = directory.agency_by_code(session, principal.agency_code or "")
    if agency is None or agency.kind != AgencyKind.central_authority:
        raise Forbidden(N_("requests are drafted and sent by central authorities"))
    return agency


def _checked(session: Session, principal: Principal, payload: RequestIn) -> tuple[Agency, Agency]:
    """The requesting and requested central authorities of a draft, its codes and case
    checked (the rest is checked in full when it is sent)."""
    agency = _requesting(session, principal)
    requested = _central_authority(session, payload.requested)
    if requested.country == agency.country:
        raise Invalid(N_("a request goes to the central authority of another state"))
    for code in payload.offences:
        offence(code)
    if payload.case is not None:
        case_policy.case_for(session, principal, payload.case)
    return agency, requested


def _write(request: JudicialRequest, payload: RequestIn, requested: Agency) -> None:
    """The draft's contents, as the payload says."""
    request.kind = payload.kind
    request.measures = [m.value for m in payload.measures]
    request.requested_agency_id = requested.id
    request.requested_country = requested.country
    request.treaty = payload.treaty.upper()
    request.offences = list(dict.fromkeys(payload.offences))
    request.requesting_authority = payload.requesting_authority
    request.proceedings = payload.proceedings
    request.facts = payload.facts
    request.assistance = payload.assistance
    request.persons = [p.model_dump() for p in payload.persons]
    request.purpose = payload.purpose
    request.urgent = payload.urgent
    request.handling = payload.handling
    request.requested_by = payload.requested_by
    request.case_id = payload.case
    request.notice_id = payload.notice
    request.asset_order_id = payload.asset_order


def draft(
    session: Session, *, principal: Principal, payload: RequestIn, now: datetime
) -> JudicialRequest:
    """A draft of the principal's central authority to another state's; it is checked in
    full when sent."""
    agency, requested = _checked(session, principal, payload)
    prefix = f"{agency.code}/R/{now.year}/"
    number = next_number(session, f"request:{prefix}", numbered=lambda: 0)
    request = JudicialRequest(
        reference=f"{prefix}{number:04d}",
        requesting_agency_id=agency.id,
        requesting_country=agency.country,
        status=Status.draft,
        status_since=now,
        conditions={},
        drafted_by=principal.username,
        created_at=now,
    )
    _write(request, payload, requested)
    session.add(request)
    session.flush()
    _event(session, request, principal, agency.id, "draft", None, now, "")
    audit(
        session,
        action="judicial.draft",
        operation=Operation.collection,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference, "kind": request.kind.value},
    )
    return request


def revise(
    session: Session,
    *,
    principal: Principal,
    request: JudicialRequest,
    payload: RequestIn,
    now: datetime,
) -> JudicialRequest:
    """The requesting authority rewrites its draft; once sent, a request is not rewritten
    (it is withdrawn and drafted anew)."""
    if request.status is not Status.draft:
        raise Conflict(
            N_("request %(reference)s is %(status)s: only a draft is revised"),
            reference=request.reference,
            status=request.status.value,
        )
    agency, requested = _checked(session, principal, payload)
    if agency.id != request.requesting_agency_id:
        raise Forbidden(N_("the requesting authority revises its draft"))
    _write(request, payload, requested)
    _event(session, request, principal, agency.id, "revise", Status.draft, now, "")
    audit(
        session,
        action="judicial.revise",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference},
    )
    session.flush()
    return request


def missing_contents(request: JudicialRequest) -> list[str]:
    """What Palermo Art. 18(15) requires that the request does not say (facts may be left
    out only when the request asks for nothing but the service of documents)."""
    missing = []
    required = {
        "requesting_authority": "the authority making the request (18(15)(a))",
        "proceedings": "the subject and nature of the proceedings and the authority "
        "conducting them (18(15)(b))",
        "facts": "a summary of the relevant facts (18(15)(c))",
        "assistance": "a description of the assistance sought and any procedure to follow "
        "(18(15)(d))",
        "purpose": "the purpose for which the evidence, information or action is sought "
        "(18(15)(f))",
    }
    service_only = request.kind is RequestKind.mla and request.measures == [
        Measure.service_of_documents.value
    ]
    for name, what in required.items():
        if name == "facts" and service_only:
            continue
        if not str(getattr(request, name) or "").strip():
            missing.append(f"{name}: {what}")
    if request.kind is RequestKind.mla and not request.measures:
        missing.append("measures: what the assistance is (taking evidence, searches…)")
    if request.kind is RequestKind.extradition and not request.persons:
        missing.append("persons: the person sought (identity, nationality, location)")
    if request.kind is RequestKind.recognition and request.asset_order_id is None:
        missing.append("asset_order: the freezing or confiscation order to recognise")
    return missing


def _check_basis(request: JudicialRequest, on: date) -> dict[str, Any] | None:
    """The legal basis must apply on the day the request is sent; where it requires dual
    criminality, the conduct must be an offence in both states. Returns the dual-criminality
    check (to keep with the request)."""
    registry = packaged()
    if request.treaty not in registry.treaties:
        raise Invalid(
            N_("unknown legal basis %(treaty)s: see `palermo treaties list`"),
            treaty=repr(request.treaty),
        )
    found = resolve(
        registry,
        requesting=request.requesting_country,
        requested=request.requested_country,
        request=RequestType(request.kind.value),
        on=on,
        offences=request.offences,
    )
    (basis,) = [b for b in found.bases if b.treaty.code == request.treaty]
    if not basis.applies:
        applicable = [b.treaty.code for b in found.bases if b.applies]
        raise Invalid(
            f"{request.treaty} is no legal basis for this request: "
            + "; ".join(basis.reasons)
            + (f" (applicable: {', '.join(applicable)})" if applicable else " (none applies)")
        )
    check = found.dual_criminality
    if basis.dual_criminality is DualCriminality.required:
        if check is None:
            raise Invalid(
                N_(
                    "%(treaty)s requires dual criminality for this request: name the "
                    "conduct's offences (ICCS codes)"
                ),
                treaty=request.treaty,
            )
        if not check.holds:
            raise Invalid("dual criminality fails: " + "; ".join(check.failing))
    if check is None:
        return None
    return {
        "holds": check.holds,
        "failing": check.failing,
        "max_penalty_years": {
            k: (str(v) if v is not None else "life") for k, v in check.penalties().items()
        },
    }


def send(
    session: Session,
    *,
    principal: Principal,
    keyring: Keyring,
    request: JudicialRequest,
    max_attachment_bytes: int,
    now: datetime,
) -> JudicialRequest:
    """Send the request to the requested central authority, through the secure exchange
    under its handling code; refused, naming the rule, if a required content is missing,
    the legal basis does not apply or dual criminality fails where it is required."""
    with refusals_logged(
        session,
        action="judicial.send",
        operation=Operation.disclosure,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference},
    ):
        _allowed(principal, request, Step.send)
        missing = missing_contents(request)
        if missing:
            raise Invalid("the request lacks what it must say: " + "; ".join(missing))
        if request.requested_by is not None and request.requested_by < now.date():
            raise Invalid(
                N_("requested_by %(requested_by)s is already past"),
                requested_by=request.requested_by,
            )
        request.dual_criminality = _check_basis(request, now.date())
    requested = session.get(Agency, request.requested_agency_id)
    assert requested is not None
    sent = messages.send(
        session,
        keyring,
        principal=principal,
        draft=messages.Draft.of(
            recipients=[requested.code],
            subject=f"{KIND_TITLES[request.kind]} request {request.reference}",
            body=_letter(request),
            handling_code=request.handling,
            priority="urgent" if request.urgent else "routine",
            reply_by=request.requested_by,
            # Filed under the case it serves (its members see it there), or under itself.
            case_ref=_case_reference(session, request) or request.reference,
            max_attachment_bytes=max_attachment_bytes,
            today=now.date(),
        ),
        now=now,
    )
    request.message_id = sent.id
    request.sent_at = now
    _move(session, principal, request, Step.send, now, note=f"message {sent.id}")
    return request


def _case_reference(session: Session, request: JudicialRequest) -> str | None:
    if request.case_id is None:
        return None
    return session.scalar(select(Case.reference).where(Case.id == request.case_id))


def _letter(request: JudicialRequest) -> str:
    """The request as the requested authority reads it."""
    lines = [
        f"{KIND_TITLES[request.kind]} request {request.reference}",
        f"Legal basis: {packaged().treaty(request.treaty).title}",
        f"Requesting authority: {request.requesting_authority}",
        f"Proceedings: {request.proceedings}",
    ]
    if request.measures:
        measures = ", ".join(MEASURE_TITLES[Measure(m)] for m in request.measures)
        lines.append(f"Assistance sought: {measures}")
    if request.offences:
        labels = "; ".join(f"{c} {offence(c).label}" for c in request.offences)
        lines.append(f"Offences (ICCS): {labels}")
    lines += [
        "",
        "Facts:",
        request.facts or "(service of documents only)",
        "",
        "Assistance and procedure:",
        request.assistance,
        "",
        f"Purpose: {request.purpose}",
    ]
    for person in request.persons:
        where = ", ".join(v for v in (person.get("nationality"), person.get("location")) if v)
        lines.append(f"Person: {person['name']}" + (f" ({where})" if where else ""))
    if request.requested_by:
        lines.append(f"Answer requested by {request.requested_by}.")
    return "\n".join(lines)


def _allowed(principal: Principal, request: JudicialRequest, step: Step) -> None:
    policy.may_work(principal)
    sources, _, who = STEPS[step]
    if request.status not in sources:
        possible = ", ".join(s.value for s in steps_from(request.status)) or "none"
        raise Conflict(
            N_(
                "request %(reference)s is %(status)s: no %(step)s from there (possible "
                "steps: %(possible)s)"
            ),
            reference=request.reference,
            status=request.status.value,
            step=step.value,
            possible=possible,
        )
    if not who & policy.sides(principal, request):
        raise Forbidden(N_("the %(who)s authority takes this step"), who=" or ".join(sorted(who)))


def _event(
    session: Session,
    request: JudicialRequest,
    principal: Principal,
    agency_id: uuid.UUID,
    step: str,
    before: Status | None,
    now: datetime,
    note: str,
) -> None:
    session.add(
        RequestEvent(
            request_id=request.id,
            at=now,
            agency_id=agency_id,
            actor=principal.username,
            step=step,
            from_status=before.value if before else None,
            to_status=request.status.value,
            note=note,
        )
    )


def _acting_agency(principal: Principal, request: JudicialRequest) -> uuid.UUID:
    for agency_id in (
        request.requested_agency_id,
        request.requesting_agency_id,
        request.executing_agency_id,
    ):
        if agency_id in principal.acting_agency_ids:
            return agency_id
    raise Forbidden(N_("your agency is on neither side of this request"))


def _move(
    session: Session,
    principal: Principal,
    request: JudicialRequest,
    step: Step,
    now: datetime,
    *,
    note: str = "",
    to: Status | None = None,
) -> JudicialRequest:
    before = request.status
    target = to or STEPS[step][1]
    assert target is not None
    request.status, request.status_since = target, now
    if target in FINAL:
        request.closed_at = now
    acting = _acting_agency(principal, request)
    _event(session, request, principal, acting, step.value, before, now, note)
    for other in {request.requesting_agency_id, request.requested_agency_id} - {acting}:
        session.add(
            Notification(
                agency_id=other,
                kind=NOTIFICATION,
                message=written(
                    texts.REQUEST_STEP,
                    reference=request.reference,
                    before=before.value,
                    after=target.value,
                ),
                created_at=now,
            )
        )
    audit(
        session,
        action=f"judicial.{step.value}",
        operation=Operation.disclosure if step is Step.send else Operation.alteration,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference, "from": before.value, "to": target.value},
    )
    session.flush()
    return request


def take_step(
    session: Session,
    *,
    principal: Principal,
    request: JudicialRequest,
    step: Step,
    now: datetime,
    note: str = "",
) -> JudicialRequest:
    """A step with nothing more to it than its note: acknowledge, consult, resume, withdraw."""
    if step not in (Step.acknowledge, Step.consult, Step.resume, Step.withdraw):
        raise Invalid(
            N_("%(step)s is taken with what it needs (see its own command)"), step=step.value
        )
    with refusals_logged(
        session,
        action=f"judicial.{step.value}",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference},
    ):
        _allowed(principal, request, step)
        if step is Step.consult and not note.strip():
            raise Invalid(N_("say what the consultation is about (the ground considered)"))
    if step is Step.acknowledge:
        request.acknowledged_at = now
    if step is Step.consult:
        request.resumes_to = request.status
    target = request.resumes_to if step is Step.resume else None
    return _move(session, principal, request, step, now, note=note, to=target)


def assign(
    session: Session,
    *,
    principal: Principal,
    request: JudicialRequest,
    agency_code: str,
    now: datetime,
) -> JudicialRequest:
    """The requested central authority gives the request to an authority of its state."""
    _allowed(principal, request, Step.assign)
    executing = directory.agency_by_code(session, agency_code)
    if executing is None:
        raise Invalid(N_("unknown agency %(agency_code)s"), agency_code=repr(agency_code))
    if (
        executing.country != request.requested_country
        or executing.kind == AgencyKind.private_partner
    ):
        raise Invalid(
            N_("%(code)s is no authority of %(requested_country)s"),
            code=executing.code,
            requested_country=request.requested_country,
        )
    request.executing_agency_id = executing.id
    return _move(session, principal, request, Step.assign, now, note=f"to {executing.code}")


def execute_part(
    session: Session,
    *,
    principal: Principal,
    request: JudicialRequest,
    measure: Measure | None,
    executed_on: date,
    summary: str,
    now: datetime,
) -> RequestPart:
    """Record a part executed (a witness heard, records produced, a search made)."""
    _allowed(principal, request, Step.execute)
    if measure is not None and measure.value not in request.measures:
        raise Invalid(N_("%(measure)s is not among the measures requested"), measure=measure.value)
    if executed_on > latest_date(now) or (request.sent_at and executed_on < request.sent_at.date()):
        raise Invalid(
            N_("executed_on %(executed_on)s is outside the request's life"), executed_on=executed_on
        )
    if not summary.strip():
        raise Invalid(N_("say what was done (summary)"))
    part = RequestPart(
        request_id=request.id,
        measure=measure.value if measure else None,
        executed_on=executed_on,
        summary=summary,
        agency_id=_acting_agency(principal, request),
        recorded_by=principal.username,
        recorded_at=now,
    )
    session.add(part)
    _move(session, principal, request, Step.execute, now, note=summary[:500])
    return part


def answer(
    session: Session,
    *,
    principal: Principal,
    request: JudicialRequest,
    summary: str,
    speciality: str,
    confidentiality: str,
    now: datetime,
) -> JudicialRequest:
    """The requested authority answers; what it returns carries the conditions of its use:
    speciality (only for the proceedings named, Art. 18(19)) and confidentiality (18(20))."""
    _allowed(principal, request, Step.answer)
    if not summary.strip():
        raise Invalid(N_("say what the answer is (summary)"))
    request.conditions = {
        "speciality": speciality.strip()
        or f"Only for the proceedings named in {request.reference} (Palermo Art. 18(19))",
        "confidentiality": confidentiality.strip(),
    }
    return _move(session, principal, request, Step.answer, now, note=summary)


def refuse(
    session: Session,
    *,
    principal: Principal,
    request: JudicialRequest,
    ground: Ground,
    reasons: str,
    consulted_on: date,
    now: datetime,
) -> JudicialRequest:
    """Refuse, after consultation, on a coded ground with reasons (Palermo Art. 18(23),
    18(26), 16(16)); refused — and the refusal logged — otherwise."""
    with refusals_logged(
        session,
        action="judicial.refuse",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[request.id],
        detail={"reference": request.reference, "ground": ground.value},
    ):
        _allowed(principal, request, Step.refuse)
        if len(reasons.strip()) < 20:
            raise Invalid(N_("a refusal gives its reasons (Art. 18(23)): a few sentences at least"))
        if ground in EXTRADITION_ONLY and request.kind is not RequestKind.extradition:
            raise Invalid(
                N_("%(ground_titles)s: a ground for refusing extradition only"),
                ground_titles=GROUND_TITLES[ground],
            )
        if ground is Ground.no_dual_criminality:
            rule = (
                packaged()
                .treaty(request.treaty)
                .dual_criminality.get(RequestType(request.kind.value))
            )
            if rule is DualCriminality.not_required:
                raise Invalid(
                    N_("%(treaty)s does not require dual criminality"), treaty=request.treaty
                )
        began = request.status_since.date()
        if consulted_on < began or consulted_on > latest_date(now):
            raise Invalid(
                N_("consulted_on %(consulted_on)s is not within the consultation (from %(began)s)"),
                consulted_on=consulted_on,
                began=began,
            )
    request.ground, request.reasons, request.consulted_on = ground, reasons, consulted_on
    return _move(session, principal, request, Step.refuse, now, note=GROUND_TITLES[ground])


def parts(session: Session, request: JudicialRequest) -> list[RequestPart]:
    return list(
        session.scalars(
            select(RequestPart)
            .where(RequestPart.request_id == request.id)
            .order_by(RequestPart.executed_on, RequestPart.recorded_at)
        )
    )


def events(session: Session, request: JudicialRequest) -> list[RequestEvent]:
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request.id)
            .order_by(RequestEvent.at, RequestEvent.id)
        )
    )


def find(session: Session, principal: Principal, key: str) -> JudicialRequest:
    """A request by id or reference, if the principal's agency is on one of its sides."""
    policy.may_work(principal)
    found = session.scalars(
        select(JudicialRequest).where(
            JudicialRequest.reference == key.upper(), policy.visible(principal)
        )
    ).one_or_none()
    if found is not None:
        return found
    try:
        return policy.request_for(session, principal, key)
    except NotFound:
        raise NotFound(N_("no request %(key)s"), key=key) from None
