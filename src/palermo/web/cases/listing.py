"""My cases (searched, filtered by status), the form that opens one, and the authorisations
my agency acts under that expire soon."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from palermo.cases import membership, service, techniques
from palermo.cases.schemas import CaseIn
from palermo.cases.vocabulary import CaseStatus
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import Case
from palermo.offences import iccs
from palermo.policy import cases as policy
from palermo.routing import APIRouter
from palermo.web.cases.forms import FormSpec, Posted, Refused, act, listed, shaped
from palermo.web.cases.views import render

router = APIRouter(include_in_schema=False)

OPEN = FormSpec(
    fields=("title", "summary", "offences", "legal_basis", "opened_on"),
    places=(("ICCS", "offences"), ("offence", "offences"), ("opened", "opened_on")),
)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The cases my agency is a member of, the latest opened first."""
    policy.may_work(principal)
    chosen = CaseStatus(status) if status in CaseStatus.__members__ else None
    found = service.listing(session, principal, status=chosen, q=q.strip() or None)
    hx = request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request")
    return render(
        request,
        "cases/_results.html" if hx else "cases/list.html",
        principal,
        cases=found,
        filters={"q": q, "status": chosen.value if chosen else ""},
        statuses=list(CaseStatus),
        limit=service.PAGE,
        done="You left the case." if done == "left" else "",
    )


def _open_page(
    request: Request,
    principal: Principal,
    *,
    forms: dict[str, Refused] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "cases/new.html",
        principal,
        offences=list(iccs().values()),
        today=utcnow().date(),
        forms=forms or {},
        status_code=status_code,
    )


@router.get("/cases/new", response_class=HTMLResponse)
def open_form(request: Request, principal: PrincipalDep) -> Response:
    policy.may_work(principal)
    return _open_page(request, principal)


@router.post("/cases/new", response_class=HTMLResponse)
def open_case(
    request: Request, session: SessionDep, principal: PrincipalDep, form: Posted
) -> Response:
    """Open a case led by my agency; on to its workspace."""
    policy.may_work(principal)

    def step() -> Case:
        now = utcnow()
        body = shaped(CaseIn, {**form, "offences": listed(form.get("offences", ""))})
        return membership.open_case(
            session,
            principal=principal,
            title=body.title,
            summary=body.summary,
            offences=body.offences,
            legal_basis=body.legal_basis,
            opened_on=body.opened_on or now.date(),
            now=now,
        )

    return act(
        session,
        step,
        form="open",
        spec=OPEN,
        values=form,
        then=lambda case: f"/cases/{case.id}?done=opened",
        again=lambda forms, code: _open_page(request, principal, forms=forms, status_code=code),
    )


@router.get("/cases/authorisations/expiring", response_class=HTMLResponse)
def expiring_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> Response:
    """Authorisations of special investigative techniques my agency acts under that expire
    within `days` (or expired this month), the soonest first: renew them or stop."""
    window = days or settings.cases_authorisation_warning_days
    due = techniques.expiring(session, principal, within_days=window, today=utcnow().date())
    return render(request, "cases/expiring.html", principal, due=due, days=window)
