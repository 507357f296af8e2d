"""Which legal bases a request between two states can rest on — and which it cannot, and
why. Given the requesting and requested states, the kind of request, its date and (when
known) the conduct's ICCS codes and each state's maximum penalty, every instrument of the
registry is weighed: does it provide for this kind of request, does it bind both states on
that date, does the conduct fall within its scope, does a reservation of either state set it
aside. The applicable ones come first, the most specific first (lex specialis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from palermo.errors import Invalid
from palermo.identity.service import country_code
from palermo.judicial.penal import DualCriminalityCheck, NationalOffence, dual_criminality
from palermo.judicial.treaties import (
    PRECEDENCE,
    REQUEST_TITLES,
    DualCriminality,
    Effect,
    Registry,
    RequestType,
    Treaty,
)
from palermo.offences import is_within, offence


@dataclass(frozen=True)
class Basis:
    treaty: Treaty
    applies: bool
    article: str | None
    dual_criminality: DualCriminality | None
    reasons: list[str] = field(default_factory=list)  # why not, or on what conditions


def _binding(treaty: Treaty, country: str, on: date) -> str | None:
    """Why the treaty does not bind `country` on `on`, or None."""
    if treaty.members is not None:
        return None if country in treaty.members else f"{country} is not bound by it"
    party = treaty.parties.get(country)
    if party is None:
        return f"{country} is not a party"
    if party.in_force_on is not None and party.in_force_on > on:
        return f"it binds {country} only from {party.in_force_on}"
    return None


def _out_of_scope(treaty: Treaty, offences: Sequence[str]) -> list[str]:
    if treaty.scope.iccs is None or not offences:
        return []
    return [
        f"{code} ({offence(code).label}) is outside its scope"
        for code in offences
        if not any(is_within(code, within) for within in treaty.scope.iccs)
    ]


def _seriousness(
    treaty: Treaty, requesting: str, penalties: Mapping[str, Decimal | None]
) -> tuple[list[str], list[str]]:
    """(reasons it does not apply, conditions it applies on) from the serious-crime
    threshold, judged on the requesting state's maximum penalty (None: life)."""
    threshold = treaty.scope.serious_crime_years
    if threshold is None:
        return [], []
    if requesting not in penalties:
        return [], [f"if the conduct is a serious crime (at least {threshold} years)"]
    years = penalties[requesting]
    if years is not None and years < threshold:
        return [
            f"not a serious crime in {requesting}: at most {years} years, "
            f"below {threshold} (unless one of the convention's own offences)"
        ], []
    return [], []


def _below_threshold(
    treaty: Treaty, request: RequestType, penalties: Mapping[str, Decimal | None]
) -> list[str]:
    """Extradition only for offences punishable in both states by at least the treaty's
    threshold (a state with no penalty known is left to dual criminality)."""
    threshold = treaty.extradition_threshold_years
    if request is not RequestType.extradition or threshold is None:
        return []
    return [
        f"punishable in {state} by at most {years} years, below its {threshold}-year "
        "threshold for extradition"
        for state, years in penalties.items()
        if years is not None and years < threshold
    ]


def _reservations(
    registry: Registry, treaty: Treaty, request: RequestType, requesting: str, requested: str
) -> tuple[list[str], list[str]]:
    """A reservation binds the state that made it when it is the one asked (a state that
    does not extradite on the convention refuses extradition requests resting on it)."""
    blocking, conditions = [], []
    for country in (requested, requesting):
        for held in registry.reservations_of(treaty, country):
            said = f"{country}'s reservation to Art. {held.article}"
            if held.effect is Effect.not_legal_basis_for_extradition:
                if request is RequestType.extradition and country == requested:
                    blocking.append(f"{said}: it does not extradite on this convention")
            elif held.effect is Effect.no_extradition_of_nationals:
                if request is RequestType.extradition and country == requested:
                    conditions.append(f"{said}: it does not extradite its own nationals")
            elif held.effect is Effect.dual_criminality_for_mla:
                if request is RequestType.mla and country == requested:
                    conditions.append(f"{said}: it assists only if dual criminality holds")
            else:
                conditions.append(f"{said}: {held.text}")
    return blocking, conditions


def weigh(
    registry: Registry,
    treaty: Treaty,
    *,
    requesting: str,
    requested: str,
    request: RequestType,
    on: date,
    offences: Sequence[str] = (),
    penalties: Mapping[str, Decimal | None] | None = None,
) -> Basis:
    """One instrument weighed for one request."""
    article = treaty.covers.get(request)
    if article is None:
        return Basis(
            treaty, False, None, None, [f"it does not provide for {REQUEST_TITLES[request]}"]
        )
    reasons: list[str] = []
    if treaty.in_force_on is not None and treaty.in_force_on > on:
        reasons.append(f"not in force on {on} (from {treaty.in_force_on})")
    reasons += [why for c in (requesting, requested) if (why := _binding(treaty, c, on))]
    reasons += _out_of_scope(treaty, offences)
    reasons += _below_threshold(treaty, request, penalties or {})
    serious, conditions = _seriousness(treaty, requesting, penalties or {})
    if treaty.scope.iccs is not None and not offences:
        labels = ", ".join(offence(code).label.lower() for code in treaty.scope.iccs)
        conditions.insert(0, f"if the conduct falls within its scope ({labels})")
    reasons += serious
    blocking, held = _reservations(registry, treaty, request, requesting, requested)
    reasons += blocking
    applies = not reasons
    if treaty.in_force_on is None:
        conditions.append("its entry into force is not recorded in the registry")
    return Basis(
        treaty,
        applies,
        article,
        treaty.dual_criminality.get(request),
        (conditions + held) if applies else reasons,
    )


def legal_bases(
    registry: Registry,
    *,
    requesting: str,
    requested: str,
    request: RequestType,
    on: date,
    offences: Sequence[str] = (),
    penalties: Mapping[str, Decimal | None] | None = None,
) -> list[Basis]:
    """Every instrument weighed: the applicable ones first, the most specific first."""
    weighed = [
        weigh(
            registry,
            treaty,
            requesting=requesting,
            requested=requested,
            request=request,
            on=on,
            offences=offences,
            penalties=penalties,
        )
        for treaty in registry.treaties.values()
    ]
    return sorted(
        weighed,
        key=lambda b: (not b.applies, PRECEDENCE.index(b.treaty.kind), b.treaty.code),
    )


@dataclass(frozen=True)
class Resolution:
    requesting: str
    requested: str
    request: RequestType
    on: date
    bases: list[Basis]
    dual_criminality: DualCriminalityCheck | None  # with the conduct's ICCS codes


def resolve(
    registry: Registry,
    *,
    requesting: str,
    requested: str,
    request: RequestType,
    on: date,
    offences: Sequence[str] = (),
    national: Sequence[NationalOffence] | None = None,
) -> Resolution:
    """What a request can rest on: with the conduct's ICCS codes, dual criminality in both
    states and their maximum penalties (which the serious-crime thresholds are judged on)."""
    a, b = country_code(requesting), country_code(requested)
    if a == b:
        raise Invalid("a request goes from one state to another")
    check = (
        dual_criminality(offences, requesting=a, requested=b, offences=national)
        if offences
        else None
    )
    bases = legal_bases(
        registry,
        requesting=a,
        requested=b,
        request=request,
        on=on,
        offences=offences,
        penalties=check.penalties() if check else None,
    )
    return Resolution(a, b, request, on, bases, check)
