"""Treaty routes (/api/treaties/…): the registry, and what a request between two states can
rest on — the legal bases that apply and those that do not, with dual criminality."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from palermo.deps import PrincipalDep
from palermo.errors import Invalid, NotFound, Unauthorized, error_responses
from palermo.judicial import penal
from palermo.judicial.legal_basis import resolve as resolve_request
from palermo.judicial.schemas import (
    BasisOut,
    ConductOut,
    DualCriminalityOut,
    OffenceMatchOut,
    PartyOut,
    ReservationOut,
    ResolutionOut,
    TreatyOut,
)
from palermo.judicial.treaties import Registry, RequestType, Treaty, packaged
from palermo.offences import offence
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/treaties", tags=["judicial cooperation"])
COMMON = error_responses(Unauthorized, Invalid, NotFound)


def treaty_out(registry: Registry, treaty: Treaty) -> TreatyOut:
    cited = {*treaty.sources, *(p.source for p in treaty.parties.values())}
    return TreatyOut(
        code=treaty.code,
        title=treaty.title,
        short=treaty.short,
        kind=treaty.kind,
        adopted_on=treaty.adopted_on,
        in_force_on=treaty.in_force_on,
        covers=dict(treaty.covers),
        dual_criminality=dict(treaty.dual_criminality),
        scope_iccs=list(treaty.scope.iccs) if treaty.scope.iccs is not None else None,
        serious_crime_years=treaty.scope.serious_crime_years,
        extradition_threshold_years=treaty.extradition_threshold_years,
        scope_note=treaty.scope.note,
        members=sorted(treaty.members) if treaty.members is not None else None,
        parties=[
            PartyOut(
                country=p.country,
                deposited_on=p.deposited_on,
                in_force_on=p.in_force_on,
                source=p.source,
            )
            for p in sorted(treaty.parties.values(), key=lambda p: p.country)
        ],
        reservations=[
            ReservationOut(country=r.country, article=r.article, effect=r.effect, text=r.text)
            for r in registry.reservations
            if r.treaty == treaty.code
        ],
        sources={s: registry.sources[s] for s in sorted(cited) if s in registry.sources},
    )


def dual_criminality_out(check: penal.DualCriminalityCheck) -> DualCriminalityOut:
    def matches(found: list[penal.Match]) -> list[OffenceMatchOut]:
        return [
            OffenceMatchOut(
                reference=m.offence.reference,
                title=m.offence.title,
                max_penalty=m.offence.penalty,
                narrower=m.narrower,
            )
            for m in found
        ]

    penalties = check.penalties()
    return DualCriminalityOut(
        requesting=check.requesting,
        requested=check.requested,
        holds=check.holds,
        failing=check.failing,
        conduct=[
            ConductOut(
                code=c.code,
                label=offence(c.code).label,
                holds=c.holds,
                requesting=matches(c.requesting),
                requested=matches(c.requested),
            )
            for c in check.conduct
        ],
        max_penalty_years=dict(penalties),
        serious_crime={state: check.serious_crime(state) for state in penalties},
    )


@router.get("", response_model=list[TreatyOut], responses=COMMON)
def list_treaties(principal: PrincipalDep) -> list[TreatyOut]:
    """Every convention and treaty in the registry."""
    registry = packaged()
    return [treaty_out(registry, t) for t in registry.treaties.values()]


@router.get("/resolve", response_model=ResolutionOut, responses=COMMON)
def resolve(
    principal: PrincipalDep,
    requesting: Annotated[str, Query(min_length=2, max_length=3)],
    requested: Annotated[str, Query(min_length=2, max_length=3)],
    request: RequestType,
    offence_code: Annotated[list[str], Query(alias="offence", max_length=20)] = [],  # noqa: B006
    on: date | None = None,
) -> ResolutionOut:
    """The legal bases a request from `requesting` to `requested` can rest on, and those it
    cannot (and why); with ICCS codes of the conduct, dual criminality in both states."""
    found = resolve_request(
        packaged(),
        requesting=requesting,
        requested=requested,
        request=request,
        on=on or date.today(),
        offences=offence_code,
    )
    return ResolutionOut(
        requesting=found.requesting,
        requested=found.requested,
        request=request,
        on=found.on,
        bases=[
            BasisOut(
                treaty=x.treaty.code,
                title=x.treaty.title,
                kind=x.treaty.kind,
                applies=x.applies,
                article=x.article,
                dual_criminality=x.dual_criminality,
                reasons=x.reasons,
            )
            for x in found.bases
        ],
        dual_criminality=(
            dual_criminality_out(found.dual_criminality) if found.dual_criminality else None
        ),
    )


@router.get("/{code}", response_model=TreatyOut, responses=COMMON)
def read_treaty(code: str, principal: PrincipalDep) -> TreatyOut:
    registry = packaged()
    try:
        return treaty_out(registry, registry.treaty(code))
    except KeyError:
        raise NotFound(f"no treaty {code!r}") from None
