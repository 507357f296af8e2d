"""The joint investigation team's agreement, from the workspace's overview: the lead drafts
it between contributing members, each party signs it, the lead records an extension or
closes it with the team's evaluation."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from palermo.cases import jit
from palermo.cases.schemas import ExtendIn, JitCloseIn, JitIn, SignIn
from palermo.deps import PrincipalDep, SessionDep
from palermo.models.base import utcnow
from palermo.policy import cases as policy
from palermo.routing import APIRouter
from palermo.web.cases.forms import FormSpec, Posted, act, listed, shaped
from palermo.web.cases.workspace import again, back

router = APIRouter(include_in_schema=False)

DRAFT = FormSpec(
    fields=("reference", "purpose", "starts_on", "ends_on", "evidence_rules", "parties"),
    places=(("ends_on", "ends_on"), ("part", "parties"), ("contributing member", "parties")),
)
SIGN = FormSpec(fields=("signed_on",), places=(("signed_on", "signed_on"),))
EXTEND = FormSpec(
    fields=("new_end", "reason", "agreed_on"),
    places=(("new_end", "new_end"), ("agreed_on", "agreed_on")),
)
CLOSE = FormSpec(
    fields=("closed_on", "evaluation"),
    places=(("evaluation", "evaluation"), ("closed_on", "closed_on")),
)


@router.post("/cases/{case_id}/jit", response_class=HTMLResponse)
def draft(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead drafts the agreement: its parties (ticked), each under its own law."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        parties = [
            {"agency": code, "applicable_law": form.get(f"law-{code}", "")}
            for code in listed(form.get("parties", ""))
        ]
        body = shaped(JitIn, {**form, "parties": parties})
        return jit.draft(
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

    return act(
        session,
        step,
        form="jit",
        spec=DRAFT,
        values=form,
        then=back(case, "jit", "jit"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/jit/sign", response_class=HTMLResponse)
def sign(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """A party signs; the agreement is in force once every party has."""
    case = policy.case_for(session, principal, case_id)
    return act(
        session,
        lambda: jit.sign(
            session,
            principal=principal,
            case=case,
            signed_on=shaped(SignIn, form).signed_on,
            now=utcnow(),
        ),
        form="jit-sign",
        spec=SIGN,
        values=form,
        then=back(case, "jit-sign", "jit"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/jit/extend", response_class=HTMLResponse)
def extend(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead records a later end the parties agreed, with the reason."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        body = shaped(ExtendIn, form)
        return jit.extend(
            session,
            principal=principal,
            case=case,
            new_end=body.new_end,
            reason=body.reason,
            agreed_on=body.agreed_on,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="jit-extend",
        spec=EXTEND,
        values=form,
        then=back(case, "jit-extend", "jit"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/jit/close", response_class=HTMLResponse)
def close(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead closes the team with its evaluation."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        body = shaped(JitCloseIn, form)
        return jit.close(
            session,
            principal=principal,
            case=case,
            closed_on=body.closed_on,
            evaluation=body.evaluation,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="jit-close",
        spec=CLOSE,
        values=form,
        then=back(case, "jit-close", "jit"),
        again=again(request, session, principal, case),
    )
