"""The treaty registry: the conventions and treaties under which states ask one another for
mutual legal assistance, extradition, the recognition of freezing and confiscation orders
and joint investigation teams — their parties, the dates they bind each party from, their
scope and the reservations that change how they apply.

The registry ships as `judicial/data/treaties.json` (sources in `data/SOURCES.md`); it is
read once and checked as it is read, so a malformed entry fails loudly, naming itself."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from palermo.errors import Invalid
from palermo.offences import offence

E = TypeVar("E", bound=enum.StrEnum)


class RequestType(enum.StrEnum):
    mla = "mla"  # mutual legal assistance
    extradition = "extradition"
    recognition = "recognition"  # of freezing and confiscation orders
    jit = "jit"  # joint investigation team


REQUEST_TITLES = {
    RequestType.mla: "mutual legal assistance",
    RequestType.extradition: "extradition",
    RequestType.recognition: "recognition of freezing and confiscation orders",
    RequestType.jit: "a joint investigation team",
}


class TreatyKind(enum.StrEnum):
    bilateral = "bilateral"
    union_law = "union_law"  # binds the member states of a union, no ratification each
    regional = "regional"
    multilateral = "multilateral"


# The more specific instrument is looked at first (lex specialis): a bilateral treaty
# before the union's law, before a regional convention, before a worldwide one.
PRECEDENCE = list(TreatyKind)


class DualCriminality(enum.StrEnum):
    required = "required"  # the conduct must be an offence in both states
    optional = "optional"  # the requested state may refuse without it
    not_required = "not_required"


class Effect(enum.StrEnum):
    """What a reservation or declaration does to requests under the treaty."""

    not_legal_basis_for_extradition = "not_legal_basis_for_extradition"  # UNTOC Art. 16(5)
    no_extradition_of_nationals = "no_extradition_of_nationals"
    dual_criminality_for_mla = "dual_criminality_for_mla"
    other = "other"  # recorded and shown, not applied


@dataclass(frozen=True)
class Party:
    country: str
    deposited_on: date | None
    in_force_on: date | None  # None: a party, the date not recorded
    source: str


@dataclass(frozen=True)
class Scope:
    iccs: tuple[str, ...] | None  # None: any offence
    serious_crime_years: Decimal | None
    note: str


@dataclass(frozen=True)
class TimeLimits:
    """What an instrument gives the requested state, in days from the request: to
    acknowledge it, to decide on it, to execute it (None: no limit set)."""

    acknowledge_days: int | None
    decide_days: int | None
    execute_days: int | None
    articles: str
    # For recognition: the kinds of order (freezing, confiscation…) the limits are for;
    # None: every kind.
    orders: frozenset[str] | None = None


@dataclass(frozen=True)
class Reservation:
    treaty: str
    country: str
    article: str
    effect: Effect
    text: str
    source: str


@dataclass(frozen=True)
class Treaty:
    code: str
    title: str
    short: str
    kind: TreatyKind
    adopted_on: date
    in_force_on: date | None
    covers: Mapping[RequestType, str]  # request type → article
    scope: Scope
    dual_criminality: Mapping[RequestType, DualCriminality]
    extradition_threshold_years: Decimal | None
    members: frozenset[str] | None  # union law: the states it binds
    parties: Mapping[str, Party]
    sources: tuple[str, ...]
    deadlines: Mapping[RequestType, TimeLimits]

    @property
    def name(self) -> str:
        return f"{self.short} ({self.code})" if self.short else self.title


@dataclass(frozen=True)
class Registry:
    treaties: Mapping[str, Treaty]
    reservations: tuple[Reservation, ...]
    sources: Mapping[str, str]

    def treaty(self, code: str) -> Treaty:
        found = self.treaties.get(code.upper())
        if found is None:
            raise KeyError(code)
        return found

    def reservations_of(self, treaty: Treaty, country: str) -> list[Reservation]:
        return [r for r in self.reservations if r.treaty == treaty.code and r.country == country]


class RegistryError(ValueError):
    """The registry file is malformed: the message names the entry and the field."""


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RegistryError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _years(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    years = Decimal(str(value))
    if not years.is_finite() or years <= 0:
        raise RegistryError(f"{where}: {value!r} is not a positive number of years")
    return years


def _enum(cls: type[E], value: Any, where: str) -> E:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise RegistryError(f"{where}: {value!r} is not one of {allowed}") from None


def _treaty(entry: Mapping[str, Any], sources: Mapping[str, str]) -> Treaty:
    code = str(entry.get("code") or "").upper()
    where = f"treaty {code or '?'}"
    if not code:
        raise RegistryError("a treaty without a code")
    scope = entry.get("scope") or {}
    iccs = scope.get("iccs")
    for iccs_code in iccs or ():
        try:
            offence(iccs_code)
        except Invalid as wrong:
            raise RegistryError(f"{where}, scope: {wrong.message}") from None
    parties = {}
    for country, party in (entry.get("parties") or {}).items():
        parties[country] = Party(
            country=country,
            deposited_on=_date(party.get("deposited_on"), f"{where}, party {country}"),
            in_force_on=_date(party.get("in_force_on"), f"{where}, party {country}"),
            source=str(party.get("source") or ""),
        )
    cited = [*entry.get("sources", []), *(p.source for p in parties.values())]
    unknown = sorted({s for s in cited if s and s != "unverified" and s not in sources})
    if unknown:
        raise RegistryError(f"{where}: unknown sources {', '.join(unknown)}")
    kind = _enum(TreatyKind, entry.get("kind"), f"{where}, kind")
    members = entry.get("members")
    if (kind is TreatyKind.union_law) != (members is not None):
        raise RegistryError(f"{where}: union law lists its members, a treaty its parties")
    return Treaty(
        code=code,
        title=str(entry["title"]),
        short=str(entry.get("short") or ""),
        kind=kind,
        adopted_on=_date(entry.get("adopted_on"), f"{where}, adopted_on") or date.min,
        in_force_on=_date(entry.get("in_force_on"), f"{where}, in_force_on"),
        covers={
            _enum(RequestType, k, f"{where}, covers"): str(v)
            for k, v in (entry.get("covers") or {}).items()
        },
        scope=Scope(
            iccs=tuple(iccs) if iccs is not None else None,
            serious_crime_years=_years(scope.get("serious_crime_years"), f"{where}, scope"),
            note=str(scope.get("note") or ""),
        ),
        dual_criminality={
            _enum(RequestType, k, f"{where}, dual_criminality"): _enum(
                DualCriminality, v, f"{where}, dual_criminality.{k}"
            )
            for k, v in (entry.get("dual_criminality") or {}).items()
        },
        extradition_threshold_years=_years(
            entry.get("extradition_threshold_years"), f"{where}, extradition_threshold_years"
        ),
        members=frozenset(members) if members is not None else None,
        parties=parties,
        sources=tuple(entry.get("sources", [])),
        deadlines={
            _enum(RequestType, k, f"{where}, deadlines"): _limits(v, f"{where}, deadlines.{k}")
            for k, v in (entry.get("deadlines") or {}).items()
        },
    )


def _limits(entry: Mapping[str, Any], where: str) -> TimeLimits:
    def days(name: str) -> int | None:
        value = entry.get(name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise RegistryError(f"{where}: {name} {value!r} is not a positive number of days")
        return value

    return TimeLimits(
        acknowledge_days=days("acknowledge_days"),
        decide_days=days("decide_days"),
        execute_days=days("execute_days"),
        articles=str(entry.get("articles") or ""),
        orders=frozenset(entry["orders"]) if entry.get("orders") else None,
    )


def parse(document: Mapping[str, Any]) -> Registry:
    sources = {str(k): str(v) for k, v in (document.get("sources") or {}).items()}
    treaties: dict[str, Treaty] = {}
    for entry in document.get("treaties") or []:
        treaty = _treaty(entry, sources)
        if treaty.code in treaties:
            raise RegistryError(f"treaty {treaty.code} is listed twice")
        treaties[treaty.code] = treaty
    reservations = []
    for number, entry in enumerate(document.get("reservations") or [], start=1):
        where = f"reservation {number}"
        code = str(entry.get("treaty") or "").upper()
        if code not in treaties:
            raise RegistryError(f"{where}: unknown treaty {code!r}")
        reservations.append(
            Reservation(
                treaty=code,
                country=str(entry["country"]),
                article=str(entry.get("article") or ""),
                effect=_enum(Effect, entry.get("effect"), f"{where}, effect"),
                text=str(entry.get("text") or ""),
                source=str(entry.get("source") or ""),
            )
        )
    return Registry(treaties=treaties, reservations=tuple(reservations), sources=sources)


def load(path: Path) -> Registry:
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (KeyError, TypeError) as wrong:
        raise RegistryError(f"{path}: malformed registry ({wrong!r})") from None


@cache
def packaged() -> Registry:
    """The registry shipped with Palermo (read once)."""
    text = (files("palermo") / "judicial" / "data" / "treaties.json").read_text(encoding="utf-8")
    return parse(json.loads(text))
