"""Planning an action day: the lead chooses the member agencies that act, one in each
country, each at a local wall-clock time in its time zone; on to the day's board."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import available_timezones

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.cases import actions, service
from palermo.cases.schemas import ActionDayIn
from palermo.cases.vocabulary import CONTRIBUTING, MemberRole
from palermo.deps import PrincipalDep, SessionDep
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import ActionDay, Case
from palermo.routing import APIRouter
from palermo.web.cases.forms import FormSpec, Posted, Refused, act, listed, shaped
from palermo.web.cases.views import case_at_work, day_url, reader_of, render

router = APIRouter(include_in_schema=False)

PLAN = FormSpec(
    fields=("name", "countries"),
    places=tuple(
        (words, "countries")
        for words in ("planned twice", "member", "agency of", "time zone", "local", "country")
    ),
)


def _plan_page(
    request: Request,
    session: Session,
    principal: Principal,
    case: Case,
    *,
    forms: dict[str, Refused] | None = None,
    status_code: int = 200,
) -> Response:
    tomorrow = utcnow().date() + timedelta(days=1)
    members = sorted(
        (m for m in service.members_out(session, case) if m.role in CONTRIBUTING),
        key=lambda m: (list(MemberRole).index(m.role), m.agency),
    )
    # One agency leads in each country: the first of each is ticked to begin with.
    first = {m.country: m.agency for m in reversed(members)}
    return render(
        request,
        "cases/plan.html",
        principal,
        case=case,
        members=members,
        leading=set(first.values()),
        timezones=sorted(available_timezones()),
        default_time=f"{tomorrow.isoformat()}T06:00",
        offered=dict.fromkeys(["plan"] if reader_of(session, principal, case).lead else []),
        forms=forms or {},
        status_code=status_code,
    )


@router.get("/cases/{case_id}/action-days/new", response_class=HTMLResponse)
def plan_form(
    request: Request, case_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The lead's plan: which member agencies act, each at its local time."""
    return _plan_page(request, session, principal, case_at_work(session, principal, case_id))


@router.post("/cases/{case_id}/action-days/new", response_class=HTMLResponse)
def plan(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    case = case_at_work(session, principal, case_id)
    countries = {m.agency: m.country for m in service.members_out(session, case)}

    def step() -> ActionDay:
        body = shaped(
            ActionDayIn,
            {
                "name": form.get("name", ""),
                "countries": [
                    {
                        "country": countries.get(code, ""),
                        "agency": code,
                        "local_time": form.get(f"local_time-{code}", ""),
                        "timezone": form.get(f"timezone-{code}", ""),
                    }
                    for code in listed(form.get("acts", ""))
                ],
            },
        )
        return actions.plan(
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

    return act(
        session,
        step,
        form="plan",
        spec=PLAN,
        values=form,
        then=lambda day: day_url(case, day, "planned"),
        again=lambda forms, code: _plan_page(
            request, session, principal, case, forms=forms, status_code=code
        ),
    )
