"""The action-day board: the plan with each country's countdown, the targets members add,
every result reported (the latest first) and the totals per country and overall. The lead
starts the day and closes it; while it is planned or live the board refreshes itself every
ten seconds (HTMX polls its live part)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.cases import actions, service
from palermo.cases.schemas import ActionDayOut, ResultIn, TargetIn
from palermo.cases.vocabulary import ActionStatus, ResultKind
from palermo.deps import PrincipalDep, SessionDep
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import ActionDay, Case
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web.cases.forms import Again, FormSpec, Posted, Refused, act, shaped
from palermo.web.cases.views import Reader, case_at_work, day_url, reader_of, render

router = APIRouter(include_in_schema=False)

POLL_SECONDS = 10
TARGET = FormSpec(
    fields=("country", "label", "record_id"),
    places=(("does not act in", "country"), ("record", "record_id")),
)
RESULT = FormSpec(
    fields=("country", "kind", "quantity", "unit", "item", "target", "note"),
    places=(
        ("item and a unit", "unit"),
        ("quantity", "quantity"),
        ("whole numbers", "quantity"),
        ("does not act in", "country"),
        ("reported by its agencies", "country"),
        ("target", "target"),
    ),
)
MOVE = FormSpec(fields=())
DONE = {
    "planned": N_("Action day planned"),  # by the plan's form (planning.py)
    "target": N_("Target added"),
    "result": N_("Result reported"),
    "start": N_("Action day started"),
    "close": N_("Action day closed"),
}


# The board ---------------------------------------------------------------------------------
def clock(planned: datetime, now: datetime, status: ActionStatus) -> str:
    """A country's countdown: how long until its teams act, or that they have."""
    if planned <= now:
        return "due" if status is ActionStatus.planned else "started"
    minutes = math.ceil((planned - now).total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"in {days} d {hours} h"
    return f"in {hours} h {minutes:02d} min" if hours else f"in {minutes} min"


def _board_context(day: ActionDayOut, case: Case) -> dict[str, object]:
    """What the board's live part shows, in the page and in each refresh of it."""
    now = utcnow()
    return {
        "case": case,
        "day": day,
        "clocks": {c.country: clock(c.planned_at, now, day.status) for c in day.countries},
        "polling": day.status is not ActionStatus.closed,
        "poll_seconds": POLL_SECONDS,
        "now": now,
    }


def _offered(day: ActionDayOut, reader: Reader) -> dict[str, list[str] | None]:
    """The board's forms for the reader (the result form with the countries it reports in:
    its own, or every one for the lead — as `actions.report` allows —, its own first)."""
    forms: dict[str, list[str] | None] = {}
    if reader.lead:
        move = {ActionStatus.planned: "start", ActionStatus.live: "close"}.get(day.status)
        if move:
            forms[move] = None
    if reader.contributing and day.status is not ActionStatus.closed:
        forms["target"] = None
    reporting = sorted(
        (c.country for c in day.countries if reader.lead or c.country == reader.country),
        key=lambda country: country != reader.country,  # its own first
    )
    if reader.contributing and day.status is ActionStatus.live and reporting:
        forms["result"] = reporting
    return forms


def _board_page(
    request: Request,
    session: Session,
    principal: Principal,
    case: Case,
    day: ActionDay,
    *,
    forms: dict[str, Refused] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    out = service.action_day_out(session, day)
    return render(
        request,
        "cases/board.html",
        principal,
        offered=_offered(out, reader_of(session, principal, case)),
        kinds=list(ResultKind),
        forms=forms or {},
        done=DONE.get(done, ""),
        status_code=status_code,
        **_board_context(out, case),
    )


def _again(
    request: Request, session: Session, principal: Principal, case: Case, day: ActionDay
) -> Again:
    return lambda forms, code: _board_page(
        request, session, principal, case, day, forms=forms, status_code=code
    )


@router.get("/cases/{case_id}/action-days/{day_id}", response_class=HTMLResponse)
def board_page(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The board: the plan, targets, every result reported and the totals."""
    case = case_at_work(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)
    return _board_page(request, session, principal, case, day, done=done)


@router.get("/cases/{case_id}/action-days/{day_id}/live", response_class=HTMLResponse)
def board_live(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    shown: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The board's live part, as it is now; the whole page again once the day has started
    or closed since it was drawn (its forms change)."""
    case = case_at_work(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)
    if shown != day.status.value:
        return Response(headers={"HX-Refresh": "true"})
    out = service.action_day_out(session, day)
    return render(request, "cases/_board.html", principal, **_board_context(out, case))


@router.post("/cases/{case_id}/action-days/{day_id}/targets", response_class=HTMLResponse)
def add_target(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """A target in one of the day's countries (a record my agency sees in full, or a label)."""
    case = case_at_work(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)

    def step() -> object:
        body = shaped(TargetIn, {**form, "country": form.get("country", "").upper()})
        return actions.add_target(
            session,
            principal=principal,
            case=case,
            day=day,
            country=body.country,
            label=body.label,
            record_id=body.record_id,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="target",
        spec=TARGET,
        values=form,
        then=day_url(case, day, "target") + "#targets",
        again=_again(request, session, principal, case, day),
    )


@router.post("/cases/{case_id}/action-days/{day_id}/results", response_class=HTMLResponse)
def report_result(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """Report an arrest, a search, a seizure, a victim safeguarded or an asset frozen."""
    case = case_at_work(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)

    def step() -> object:
        body = shaped(ResultIn, form)
        return actions.report(
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

    return act(
        session,
        step,
        form="result",
        spec=RESULT,
        values=form,
        then=day_url(case, day, "result") + "#board",
        again=_again(request, session, principal, case, day),
    )


def _move(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    to: str,
    form: dict[str, str],
) -> Response:
    case = case_at_work(session, principal, case_id)
    day = actions.action_day_of(session, case, day_id)
    move = actions.start if to == "start" else actions.close
    return act(
        session,
        lambda: move(session, principal=principal, case=case, day=day, now=utcnow()),
        form=to,
        spec=MOVE,
        values=form,
        then=day_url(case, day, to),
        again=_again(request, session, principal, case, day),
    )


@router.post("/cases/{case_id}/action-days/{day_id}/start", response_class=HTMLResponse)
def start(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead starts the day: the board is live and takes results."""
    return _move(request, session, principal, case_id, day_id, "start", form)


@router.post("/cases/{case_id}/action-days/{day_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The lead closes the day; its results stand."""
    return _move(request, session, principal, case_id, day_id, "close", form)
