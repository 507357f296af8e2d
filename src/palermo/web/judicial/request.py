"""A request's page: where it stands and the reader's side(s), its deadlines, contents, legal
basis and the dual criminality checked when it was sent, its timeline, the parts executed,
the conditions of an answer and the grounds of a refusal — and the forms of the steps the
reader's side may take now (`views.next_steps`; they are taken in `steps.py`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import PARTNER_ONLY_KINDS
from palermo.judicial import views
from palermo.judicial.lifecycle import EXTRADITION_ONLY, Ground, RequestKind, Step
from palermo.judicial.treaties import RequestType, packaged
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web.forms import Refused
from palermo.web.judicial.views import render

router = APIRouter(include_in_schema=False)

DONE = {
    "draft": N_("Draft saved: send it when it says all it must."),
    Step.send.value: N_("Request sent."),
    Step.acknowledge.value: N_("Receipt acknowledged."),
    Step.assign.value: N_("Assigned for execution."),
    Step.execute.value: N_("Part recorded."),
    Step.answer.value: N_("Answer given."),
    Step.consult.value: N_("Consultation opened."),
    Step.resume.value: N_("Request resumed."),
    Step.refuse.value: N_("Request refused."),
    Step.withdraw.value: N_("Request withdrawn."),
}


def grounds(kind: RequestKind) -> list[Ground]:
    """The grounds a refusal of this kind of request may rest on (fiscal matters are none;
    extradition's own only for extradition)."""
    return [g for g in Ground if kind is RequestKind.extradition or g not in EXTRADITION_ONLY]


def request_page(
    request: Request,
    session: Session,
    principal: Principal,
    found: JudicialRequest,
    *,
    forms: dict[str, Refused] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    shown = views.read(session, principal, found)  # audited
    treaty = packaged().treaties.get(shown.treaty)
    executors = []
    if Step.assign in shown.next_steps:
        executors = [
            a
            for a in directory.list_agencies(session, country=shown.requested_country)
            if a.kind not in PARTNER_ONLY_KINDS
        ]
    return render(
        request,
        session,
        "judicial/request.html",
        principal,
        r=shown,
        treaty=treaty,
        article=treaty.covers.get(RequestType(shown.kind.value)) if treaty else None,
        offered=[s.value for s in shown.next_steps],
        executors=executors,
        grounds=grounds(shown.kind),
        today=utcnow().date(),
        forms=forms or {},
        done=DONE.get(done, ""),
        status_code=status_code,
    )


@router.get("/judicial/{request_id}", response_class=HTMLResponse)
def read_page(
    request: Request,
    request_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The request as my side sees it (a 404 to an agency on none of its sides)."""
    policy.may_work(principal)
    found = policy.request_for(session, principal, request_id)
    return request_page(request, session, principal, found, done=done)
