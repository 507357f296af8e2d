"""An action day's results report: what each country achieved and the total, to print (the
page) or to take away (CSV, one line per country and result)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.cases import actions, service
from palermo.cases.schemas import ActionDayOut, TallyOut
from palermo.cases.vocabulary import ResultKind
from palermo.deps import PrincipalDep, SessionDep
from palermo.http import download_response
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import Case
from palermo.routing import APIRouter
from palermo.web.cases.views import case_at_work, render

router = APIRouter(include_in_schema=False)

TOTAL = "ALL"  # the report's line for every country together
COLUMNS = ("country", "kind", "item", "unit", "quantity")


@dataclass(frozen=True)
class Line:
    """One result of a country (or of all): people and places counted, or a quantity seized
    or frozen of an item in a unit."""

    kind: ResultKind
    item: str
    unit: str
    quantity: Decimal


def lines(tally: TallyOut) -> list[Line]:
    counted = [
        Line(ResultKind.arrest, "", actions.PEOPLE_AND_PLACES, Decimal(tally.arrests)),
        Line(ResultKind.search, "", actions.PEOPLE_AND_PLACES, Decimal(tally.searches)),
        Line(
            ResultKind.victim_safeguarded,
            "",
            actions.PEOPLE_AND_PLACES,
            Decimal(tally.victims_safeguarded),
        ),
    ]
    return counted + [Line(q.kind, q.item, q.unit, q.quantity) for q in tally.quantities]


def sections(day: ActionDayOut) -> list[tuple[str, list[Line]]]:
    """Each country's lines, in the order of the plan, then the total's."""
    return [(country, lines(t)) for country, t in day.by_country.items()] + [
        (TOTAL, lines(day.total))
    ]


def csv_text(day: ActionDayOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for country, found in sections(day):
        for line in found:
            quantity = f"{line.quantity.normalize():f}"
            writer.writerow([country, line.kind.value, line.item, line.unit, quantity])
    return out.getvalue()


def _day(
    session: Session, principal: Principal, case_id: uuid.UUID, day_id: uuid.UUID
) -> tuple[Case, ActionDayOut]:
    case = case_at_work(session, principal, case_id)
    return case, service.action_day_out(session, actions.action_day_of(session, case, day_id))


@router.get("/cases/{case_id}/action-days/{day_id}/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    case_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """The results per country and in total, laid out to print."""
    case, day = _day(session, principal, case_id, day_id)
    return render(
        request,
        "cases/report.html",
        principal,
        case=case,
        day=day,
        sections=sections(day),
        plans={c.country: c for c in day.countries},
        total=TOTAL,
        printed_at=utcnow(),
    )


@router.get("/cases/{case_id}/action-days/{day_id}/report.csv")
def report_csv(
    case_id: uuid.UUID, day_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The same results as CSV: country (ALL for the total), kind, item, unit, quantity."""
    case, day = _day(session, principal, case_id, day_id)
    name = re.sub(r"[^A-Za-z0-9.-]+", "-", f"{case.reference}-{day.name}-results") + ".csv"
    return download_response(csv_text(day).encode(), name, "text/csv")
