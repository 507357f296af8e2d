"""The drafting wizard's live check: for step 1 as it stands — the two states, the kind of
request, the day it is to be sent and the conduct's ICCS codes — every legal basis weighed
(those that apply first, the most specific first; the others with why not), dual
criminality per code with each state's offences and penalties and the serious-crime verdict,
and the legal-basis select offering the applicable ones first. Drawn with the wizard, and
again (an HTMX fragment) each time step 1 changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Invalid
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind
from palermo.judicial.api import dual_criminality_out
from palermo.judicial.legal_basis import Basis, resolve
from palermo.judicial.lifecycle import RequestKind
from palermo.judicial.schemas import DualCriminalityOut
from palermo.judicial.treaties import RequestType, Treaty, packaged
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.judicial.views import central_authority, drafting_authority, render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Check:
    """The live part of the wizard: what the request can rest on, and dual criminality."""

    problem: i18n.Said | None = None  # why nothing could be weighed yet
    kind: RequestType = RequestType.mla
    requesting: str = ""
    requested: str = ""
    on: date | None = None
    bases: list[Basis] = field(default_factory=list)
    dual_criminality: DualCriminalityOut | None = None
    chosen: str = ""  # the legal basis selected

    @property
    def applicable(self) -> list[Basis]:
        return [b for b in self.bases if b.applies]

    @property
    def inapplicable(self) -> list[Basis]:
        return [b for b in self.bases if not b.applies]

    @property
    def every(self) -> list[Treaty]:
        """The registry, for the select when nothing could be weighed."""
        return sorted(packaged().treaties.values(), key=lambda t: t.code)


def check(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    requested: str,
    offences: Sequence[str],
    on: str,
    treaty: str,
    as_typed: bool = False,
) -> Check:
    """Weigh every legal basis for the request as typed so far. The legal basis chosen stays
    chosen while it applies (or `as_typed`, on a refused form); otherwise the first that
    applies is."""
    chosen = treaty.strip().upper()
    mine = central_authority(session, principal)
    other = directory.agency_by_code(session, requested) if requested.strip() else None
    if mine is None or other is None or other.kind != AgencyKind.central_authority:
        return Check(
            problem=i18n.Said(
                N_(
                    "Choose the requested central authority: the legal bases are weighed for "
                    "the two states, the kind of request, its day and the conduct's offences."
                )
            ),
            chosen=chosen,
        )
    try:
        day = date.fromisoformat(on) if on.strip() else utcnow().date()
    except ValueError:
        not_a_day = N_("%(day)s is not a day (YYYY-MM-DD)")
        return Check(problem=i18n.Said(not_a_day, {"day": repr(on)}), chosen=chosen)
    request = RequestType(kind if kind in RequestKind.__members__ else RequestKind.mla.value)
    try:
        found = resolve(
            packaged(),
            requesting=mine.country,
            requested=other.country,
            request=request,
            on=day,
            offences=list(dict.fromkeys(offences)),
        )
    except Invalid as error:
        return Check(problem=i18n.said(error), chosen=chosen)
    conduct = found.dual_criminality
    applicable = [b.treaty.code for b in found.bases if b.applies]
    if not as_typed and chosen not in applicable and applicable:
        chosen = applicable[0]
    return Check(
        kind=request,
        requesting=found.requesting,
        requested=found.requested,
        on=found.on,
        bases=found.bases,
        dual_criminality=dual_criminality_out(conduct) if conduct else None,
        chosen=chosen,
    )


@router.get("/judicial/new/check", response_class=HTMLResponse)
def check_fragment(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    kind: Annotated[str, Query(max_length=16)] = "",
    requested: Annotated[str, Query(max_length=32)] = "",
    offences: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    on: Annotated[str, Query(max_length=10)] = "",
    treaty: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The legal bases and dual criminality for the wizard's step 1 as it stands."""
    drafting_authority(session, principal)
    found = check(
        session,
        principal,
        kind=kind,
        requested=requested,
        offences=[code for code in offences if code],
        on=on,
        treaty=treaty,
    )
    return render(request, session, "judicial/_check.html", principal, check=found, forms={})
