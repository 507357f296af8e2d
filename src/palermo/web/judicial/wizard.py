"""Drafting a request. Step 1: the kind, the requested central authority, the conduct's
offences (ICCS) and the day it is to be sent, with the live check (`bases.py`) of the legal
bases and dual criminality, and the legal basis chosen among them. Step 2: what Palermo
Art. 18(15) requires, the measures, the persons, urgency, handling, the date the answer is
asked by and the case it serves. Saving makes a draft; sending checks it in full."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.cases import service as cases
from palermo.cases.schemas import CaseOut
from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind
from palermo.judicial import requests
from palermo.judicial.lifecycle import Measure, RequestKind
from palermo.judicial.schemas import RequestIn
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.offences import iccs
from palermo.records.envelope import HandlingCode
from palermo.routing import APIRouter
from palermo.web.forms import FormSpec, Posted, Refused, act, listed, shaped
from palermo.web.judicial.bases import check
from palermo.web.judicial.views import drafting_authority, render

router = APIRouter(include_in_schema=False)

DRAFT = FormSpec(
    fields=(
        "kind",
        "requested",
        "offences",
        "on",
        "treaty",
        "requesting_authority",
        "proceedings",
        "facts",
        "assistance",
        "purpose",
        "measures",
        "persons",
        "urgent",
        "handling",
        "requested_by",
        "case",
        "asset_order",
    ),
    places=(
        ("unknown agency", "requested"),
        ("not a central authority", "requested"),
        ("another state", "requested"),
        ("ICCS", "offences"),
        ("no such case", "case"),
    ),
    labels={
        "requested": "Requested central authority",
        "treaty": "Legal basis",
        "requesting_authority": "Requesting authority",
        "requested_by": "Answer asked by",
        "asset_order": "Order to recognise",
    },
)


def persons_of(text: str) -> list[dict[str, str]]:
    """One person a line: name; nationality; where they are (the last two may be left out)."""
    found = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split(";")]
        if not any(parts):
            continue
        name, nationality, location = [*parts, "", ""][:3]
        given = (("name", name), ("nationality", nationality), ("location", location))
        found.append({key: value for key, value in given if value})
    return found


def draft_input(form: Mapping[str, str]) -> dict[str, Any]:
    """The posted wizard as `RequestIn`'s fields."""
    return {
        **form,
        "requested": form.get("requested", "").upper(),
        "offences": listed(form.get("offences", "")),
        "measures": listed(form.get("measures", "")),
        "persons": persons_of(form.get("persons", "")),
        "urgent": bool(form.get("urgent")),
    }


def _cases(session: Session, principal: Principal) -> list[CaseOut]:
    """The drafter's cases, one of which the request may serve."""
    try:
        return cases.listing(session, principal)
    except Forbidden:
        return []


def wizard(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    forms: dict[str, Refused] | None = None,
    status_code: int = 200,
) -> Response:
    mine = drafting_authority(session, principal)
    typed = forms["draft"].values if forms and "draft" in forms else {}
    return render(
        request,
        session,
        "judicial/new.html",
        principal,
        authorities=[
            a
            for a in directory.list_agencies(session, kind=AgencyKind.central_authority)
            if a.country != mine.country
        ],
        offences=list(iccs().values()),
        kinds=list(RequestKind),
        measures=list(Measure),
        handling_codes=list(HandlingCode),
        cases=_cases(session, principal),
        check=check(
            session,
            principal,
            kind=typed.get("kind", ""),
            requested=typed.get("requested", ""),
            offences=listed(typed.get("offences", "")),
            on=typed.get("on", ""),
            treaty=typed.get("treaty", ""),
            as_typed=bool(typed),
        ),
        today=utcnow().date(),
        forms=forms or {},
        status_code=status_code,
    )


@router.get("/judicial/new", response_class=HTMLResponse)
def draft_form(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """The wizard, for a central authority's workers."""
    return wizard(request, session, principal)


@router.post("/judicial/new", response_class=HTMLResponse)
def save_draft(
    request: Request, session: SessionDep, principal: PrincipalDep, form: Posted
) -> Response:
    """Save the draft of my central authority; on to the request's page."""
    drafting_authority(session, principal)

    def step() -> JudicialRequest:
        body = shaped(RequestIn, draft_input(form))
        return requests.draft(session, principal=principal, payload=body, now=utcnow())

    return act(
        session,
        step,
        form="draft",
        spec=DRAFT,
        values=form,
        then=lambda made: f"/judicial/{made.id}?done=draft",
        again=lambda forms, code: wizard(
            request, session, principal, forms=forms, status_code=code
        ),
    )
