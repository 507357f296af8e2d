"""Who works a case: the lead admits agencies under their legal basis, changes roles (naming
another lead hands the lead over), removes a member or closes the case; a member leaves."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from palermo.cases import membership
from palermo.cases.schemas import CloseIn, MemberIn, RoleIn
from palermo.deps import PrincipalDep, SessionDep
from palermo.models.base import utcnow
from palermo.policy import cases as policy
from palermo.routing import APIRouter
from palermo.web.cases.forms import FormSpec, Posted, act, shaped
from palermo.web.cases.views import reader_of
from palermo.web.cases.workspace import again, back

router = APIRouter(include_in_schema=False)

MEMBER = FormSpec(
    fields=("agency", "role", "legal_basis"),
    places=(
        ("agency", "agency"),
        ("private partner", "agency"),
        ("already a member", "agency"),
        ("one lead", "role"),
    ),
)
ROLE = FormSpec(fields=("role",), places=(("lead", "role"),))
LEAVE = FormSpec(fields=())
CLOSE = FormSpec(fields=("closure", "closed_on"), places=(("closed_on", "closed_on"),))


@router.post("/cases/{case_id}/members", response_class=HTMLResponse)
def admit(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead admits an agency under its legal basis."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        body = shaped(MemberIn, {**form, "agency": form.get("agency", "").upper()})
        return membership.admit(
            session,
            principal=principal,
            case=case,
            agency_code=body.agency,
            role=body.role,
            legal_basis=body.legal_basis,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="member",
        spec=MEMBER,
        values=form,
        then=back(case, "member", "members"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/members/{agency}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    case_id: uuid.UUID,
    agency: str,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead changes a member's role."""
    case = policy.case_for(session, principal, case_id)
    return act(
        session,
        lambda: membership.change_role(
            session,
            principal=principal,
            case=case,
            agency_code=agency,
            role=shaped(RoleIn, form).role,
            now=utcnow(),
        ),
        form=f"role-{agency}",
        spec=ROLE,
        values=form,
        then=back(case, "role", "members"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/members/{agency}/leave", response_class=HTMLResponse)
def leave(
    request: Request,
    case_id: uuid.UUID,
    agency: str,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """A member leaves the case (it no longer sees it), or the lead removes one."""
    case = policy.case_for(session, principal, case_id)
    own = agency.upper() == reader_of(session, principal, case).agency
    return act(
        session,
        lambda: membership.leave(
            session, principal=principal, case=case, agency_code=agency, now=utcnow()
        ),
        form=f"leave-{agency}",
        spec=LEAVE,
        values=form,
        then="/cases?done=left" if own else back(case, "left", "members"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead closes the case, saying how it ended."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        body = shaped(CloseIn, form)
        return membership.close(
            session,
            principal=principal,
            case=case,
            closure=body.closure,
            closed_on=body.closed_on,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="close",
        spec=CLOSE,
        values=form,
        then=back(case, "close", "overview"),
        again=again(request, session, principal, case),
    )
