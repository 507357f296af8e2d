"""Case routes (/api/cases/…): membership, subjects, tasks, the JIT agreement, authorisations
of special investigative techniques and action days. A case is a 404 to non-members."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from palermo.cases import actions, jit, membership, service, subjects, tasks, techniques
from palermo.cases.schemas import (
    ActionDayIn,
    ActionDayOut,
    ActivityIn,
    AuthorisationIn,
    AuthorisationOut,
    CaseDetail,
    CaseIn,
    CaseOut,
    CloseIn,
    ExtendIn,
    JitCloseIn,
    JitIn,
    JitOut,
    MemberIn,
    MemberOut,
    ResultIn,
    RevokeIn,
    RoleIn,
    SignIn,
    SubjectIn,
    TargetIn,
    TargetOut,
    TaskIn,
    TaskOut,
    TaskUpdate,
)
from palermo.cases.vocabulary import CaseStatus
from palermo.deps import OffsetQuery, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.models.base import utcnow
from palermo.models.cases import Case
from palermo.policy import cases as policy
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/cases", tags=["cases"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict)
CREATED = status.HTTP_201_CREATED
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("", response_model=list[CaseOut], responses=COMMON)
def list_cases(
    session: SessionDep,
    principal: PrincipalDep,
    status: CaseStatus | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    offset: OffsetQuery = 0,
    limit: Annotated[int, Query(ge=1, le=service.PAGE)] = service.PAGE,
) -> list[CaseOut]:
    """The cases your agency is a member of."""
    return service.listing(session, principal, status=status, q=q, offset=offset, limit=limit)


@router.post("", response_model=CaseDetail, status_code=CREATED, responses=COMMON)
def open_case(body: CaseIn, session: SessionDep, principal: PrincipalDep) -> CaseDetail:
    """Open a case led by your agency."""
    now = utcnow()
    case = membership.open_case(
        session,
        principal=principal,
        title=body.title,
        summary=body.summary,
        offences=body.offences,
        legal_basis=body.legal_basis,
        opened_on=body.opened_on or now.date(),
        now=now,
        agency_code=body.agency,
    )
    return service.detail(session, principal, case, now=now)


@router.get("/authorisations/expiring", response_model=list[AuthorisationOut], responses=COMMON)
def expiring_authorisations(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> list[AuthorisationOut]:
    """Authorisations your agency acts under that expire soon, or expired this month."""
    now = utcnow()
    found = techniques.expiring(
        session,
        principal,
        within_days=days or settings.cases_authorisation_warning_days,
        today=now.date(),
    )
    # Each case's authorisations are drawn once, however many of them are due.
    cases = {due.case.id: due.case for due in found}
    shown = {
        a.id: a
        for case in cases.values()
        for a in service.authorisations_out(session, case, now.date())
    }
    return [shown[due.authorisation.id] for due in found]


def _case(session: SessionDep, principal: PrincipalDep, case_id: uuid.UUID) -> Case:
    return policy.case_for(session, principal, case_id)


@router.get("/{case_id}", response_model=CaseDetail, responses=COMMON)
def read_case(case_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> CaseDetail:
    policy.may_work(principal)
    return service.detail(session, principal, _case(session, principal, case_id), now=utcnow())


@router.post("/{case_id}/close", response_model=CaseDetail, responses=COMMON)
def close_case(
    case_id: uuid.UUID, body: CloseIn, session: SessionDep, principal: PrincipalDep
) -> CaseDetail:
    now = utcnow()
    case = _case(session, principal, case_id)
    membership.close(
        session,
        principal=principal,
        case=case,
        closure=body.closure,
        closed_on=body.closed_on,
        now=now,
    )
    return service.detail(session, principal, case, now=now)


@router.post(
    "/{case_id}/members", response_model=list[MemberOut], status_code=CREATED, responses=COMMON
)
def admit_member(
    case_id: uuid.UUID, body: MemberIn, session: SessionDep, principal: PrincipalDep
) -> list[MemberOut]:
    """The lead admits an agency under its legal basis."""
    case = _case(session, principal, case_id)
    membership.admit(
        session,
        principal=principal,
        case=case,
        agency_code=body.agency,
        role=body.role,
        legal_basis=body.legal_basis,
        now=utcnow(),
    )
    return service.members_out(session, case)


@router.patch("/{case_id}/members/{agency}", response_model=list[MemberOut], responses=COMMON)
def change_role(
    case_id: uuid.UUID, agency: str, body: RoleIn, session: SessionDep, principal: PrincipalDep
) -> list[MemberOut]:
    """The lead changes a member's role (naming another lead hands the lead over)."""
    case = _case(session, principal, case_id)
    membership.change_role(
        session, principal=principal, case=case, agency_code=agency, role=body.role, now=utcnow()
    )
    return service.members_out(session, case)


@router.delete("/{case_id}/members/{agency}", status_code=NO_CONTENT, responses=COMMON)
def leave_case(
    case_id: uuid.UUID, agency: str, session: SessionDep, principal: PrincipalDep
) -> Response:
    """A member leaves (or the lead removes it); it no longer sees the case."""
    case = _case(session, principal, case_id)
    membership.leave(session, principal=principal, case=case, agency_code=agency, now=utcnow())
    return Response(status_code=NO_CONTENT)


@router.post("/{case_id}/subjects", status_code=NO_CONTENT, responses=COMMON)
def add_subject(
    case_id: uuid.UUID, body: SubjectIn, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Add a record you see in full as a subject of the case."""
    case = _case(session, principal, case_id)
    subjects.add_subject(
        session, principal=principal, case=case, record_id=body.record_id, now=utcnow()
    )
    return Response(status_code=NO_CONTENT)


@router.post("/{case_id}/tasks", response_model=TaskOut, status_code=CREATED, responses=COMMON)
def set_task(
    case_id: uuid.UUID, body: TaskIn, session: SessionDep, principal: PrincipalDep
) -> TaskOut:
    now = utcnow()
    case = _case(session, principal, case_id)
    task = tasks.set_task(
        session,
        principal=principal,
        case=case,
        title=body.title,
        description=body.description,
        agency_code=body.agency,
        assignee=body.assignee,
        due_on=body.due_on,
        now=now,
    )
    return service.tasks_out(session, [task], now.date())[0]


@router.patch("/{case_id}/tasks/{number}", response_model=TaskOut, responses=COMMON)
def update_task(
    case_id: uuid.UUID, number: int, body: TaskUpdate, session: SessionDep, principal: PrincipalDep
) -> TaskOut:
    now = utcnow()
    case = _case(session, principal, case_id)
    task = tasks.update_task(
        session,
        principal=principal,
        case=case,
        number=number,
        status=body.status,
        result=body.result,
        result_records=body.result_records,
        now=now,
    )
    return service.tasks_out(session, [task], now.date())[0]


def _jit(session: SessionDep, principal: PrincipalDep, case: Case) -> JitOut:
    found = service.jit_out(session, case, utcnow().date())
    assert found is not None
    return found


@router.post("/{case_id}/jit", response_model=JitOut, status_code=CREATED, responses=COMMON)
def draft_jit(
    case_id: uuid.UUID, body: JitIn, session: SessionDep, principal: PrincipalDep
) -> JitOut:
    """The lead drafts the JIT agreement; it is in force once every party signed."""
    case = _case(session, principal, case_id)
    jit.draft(
        session,
        principal=principal,
        case=case,
        reference=body.reference,
        purpose=body.purpose,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        evidence_rules=body.evidence_rules,
        terms=[jit.PartyTerms(p.agency, p.applicable_law) for p in body.parties],
        now=utcnow(),
    )
    return _jit(session, principal, case)


@router.post("/{case_id}/jit/signatures", response_model=JitOut, responses=COMMON)
def sign_jit(
    case_id: uuid.UUID, body: SignIn, session: SessionDep, principal: PrincipalDep
) -> JitOut:
    case = _case(session, principal, case_id)
    jit.sign(session, principal=principal, case=case, signed_on=body.signed_on, now=utcnow())
    return _jit(session, principal, case)


@router.post("/{case_id}/jit/extensions", response_model=JitOut, responses=COMMON)
def extend_jit(
    case_id: uuid.UUID, body: ExtendIn, session: SessionDep, principal: PrincipalDep
) -> JitOut:
    case = _case(session, principal, case_id)
    jit.extend(
        session,
        principal=principal,
        case=case,
        new_end=body.new_end,
        reason=body.reason,
        agreed_on=body.agreed_on,
        now=utcnow(),
    )
    return _jit(session, principal, case)


@router.post("/{case_id}/jit/close", response_model=JitOut, responses=COMMON)
def close_jit(
    case_id: uuid.UUID, body: JitCloseIn, session: SessionDep, principal: PrincipalDep
) -> JitOut:
    case = _case(session, principal, case_id)
    jit.close(
        session,
        principal=principal,
        case=case,
        closed_on=body.closed_on,
        evaluation=body.evaluation,
        now=utcnow(),
    )
    return _jit(session, principal, case)


def _authorisation(
    session: SessionDep, case: Case, authorisation_id: uuid.UUID
) -> AuthorisationOut:
    listed = service.authorisations_out(session, case, utcnow().date())
    return next(a for a in listed if a.id == authorisation_id)


@router.post(
    "/{case_id}/authorisations",
    response_model=AuthorisationOut,
    status_code=CREATED,
    responses=COMMON,
)
def record_authorisation(
    case_id: uuid.UUID, body: AuthorisationIn, session: SessionDep, principal: PrincipalDep
) -> AuthorisationOut:
    """Record the authorisation of a special investigative technique your agency acts under."""
    case = _case(session, principal, case_id)
    found = techniques.record_authorisation(
        session,
        principal=principal,
        case=case,
        technique=body.technique,
        reference=body.reference,
        authority=body.authority,
        scope=body.scope,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        jurisdictions=body.jurisdictions,
        now=utcnow(),
    )
    return _authorisation(session, case, found.id)


@router.post(
    "/{case_id}/authorisations/{authorisation_id}/revoke",
    response_model=AuthorisationOut,
    responses=COMMON,
)
def revoke_authorisation(
    case_id: uuid.UUID,
    authorisation_id: uuid.UUID,
    body: RevokeIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AuthorisationOut:
    case = _case(session, principal, case_id)
    held = techniques.authorisation_of(session, case, authorisation_id)
    techniques.revoke(
        session, principal=principal, case=case, authorisation=held, on=body.on, now=utcnow()
    )
    return _authorisation(session, case, held.id)


@router.post(
    "/{case_id}/authorisations/{authorisation_id}/activities",
    response_model=AuthorisationOut,
    status_code=CREATED,
    responses=COMMON,
)
def log_activity(
    case_id: uuid.UUID,
    authorisation_id: uuid.UUID,
    body: ActivityIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AuthorisationOut:
    """Log activity under an authorisation; refused outside its days and jurisdictions."""
    case = _case(session, principal, case_id)
    held = techniques.authorisation_of(session, case, authorisation_id)
    techniques.log_activity(
        session,
        principal=principal,
        case=case,
        authorisation=held,
        on=body.on,
        country=body.country,
        description=body.description,
        now=utcnow(),
    )
    return _authorisation(session, case, held.id)


@router.post(
    "/{case_id}/action-days", response_model=ActionDayOut, status_code=CREATED, responses=COMMON
)
def plan_action_day(
    case_id: uuid.UUID, body: ActionDayIn, session: SessionDep, principal: PrincipalDep
) -> ActionDayOut:
    """The lead plans an action day: per country, the agency leading there and its local
    time."""
    case = _case(session, principal, case_id)
    day = actions.plan(
        session,
        principal=principal,
        case=case,
        name=body.name,
        countries=[
            actions.CountryPlan(c.country, c.agency, c.local_time, c.timezone)
            for c in body.countries
        ],
        now=utcnow(),
    )
    return service.action_day_out(session, day)


@router.get("/{case_id}/action-days/{day_id}", response_model=ActionDayOut, responses=COMMON)
def read_action_day(
    case_id: uuid.UUID, day_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ActionDayOut:
    """The board: plan, targets, every result reported, totals per country and overall."""
    policy.may_work(principal)
    case = _case(session, principal, case_id)
    return service.action_day_out(session, actions.action_day_of(session, case, day_id))


@router.post(
    "/{case_id}/action-days/{day_id}/targets",
    response_model=TargetOut,
    status_code=CREATED,
    responses=COMMON,
)
def add_target(
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    body: TargetIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> TargetOut:
    case = _case(session, principal, case_id)
    target = actions.add_target(
        session,
        principal=principal,
        case=case,
        day=actions.action_day_of(session, case, day_id),
        country=body.country,
        label=body.label,
        record_id=body.record_id,
        now=utcnow(),
    )
    return TargetOut(
        id=target.id, country=target.country, label=target.label, record_id=target.record_id
    )


@router.post("/{case_id}/action-days/{day_id}/start", response_model=ActionDayOut, responses=COMMON)
def start_action_day(
    case_id: uuid.UUID, day_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ActionDayOut:
    case = _case(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)
    actions.start(session, principal=principal, case=case, day=day, now=utcnow())
    return service.action_day_out(session, day)


@router.post(
    "/{case_id}/action-days/{day_id}/results",
    response_model=ActionDayOut,
    status_code=CREATED,
    responses=COMMON,
)
def report_result(
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    body: ResultIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> ActionDayOut:
    """Report an arrest, a search, a seizure, a victim safeguarded or an asset frozen."""
    case = _case(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)
    actions.report(
        session,
        principal=principal,
        case=case,
        day=day,
        country=body.country,
        kind=body.kind,
        quantity=body.quantity,
        unit=body.unit,
        item=body.item,
        target_id=body.target,
        note=body.note,
        now=utcnow(),
    )
    return service.action_day_out(session, day)


@router.post("/{case_id}/action-days/{day_id}/close", response_model=ActionDayOut, responses=COMMON)
def close_action_day(
    case_id: uuid.UUID, day_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ActionDayOut:
    case = _case(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)
    actions.close(session, principal=principal, case=case, day=day, now=utcnow())
    return service.action_day_out(session, day)
