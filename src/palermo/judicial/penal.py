"""National offences mapped to ICCS, and dual criminality.

Each state's offences (statute and article, title, maximum penalty) are mapped to ICCS
codes; the conduct a request is about is described by ICCS codes too. A state criminalises
the conduct when one of its offences maps to the conduct's code, to a category containing
it, or to one of its subcategories (a narrower national offence may still cover the facts:
it is shown, marked as narrower). Dual criminality holds when both states do; the maximum
penalties then give the extradition threshold and the Palermo definition of serious crime
(at least four years, Art. 2(b)).

The table ships as `judicial/data/national-offences.csv` (sources in `data/SOURCES.md`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

from palermo.offences import is_within, offence

SERIOUS_CRIME_YEARS = Decimal(4)  # Palermo Convention Art. 2(b)
HEADER = ["country", "reference", "title", "iccs", "max_penalty", "source"]


@dataclass(frozen=True)
class NationalOffence:
    country: str
    reference: str  # statute and article
    title: str
    iccs: tuple[str, ...]
    max_years: Decimal | None  # None: life imprisonment
    source: str

    @property
    def penalty(self) -> str:
        return "life" if self.max_years is None else f"{self.max_years.normalize():f} years"


def _most(penalties: Iterable[Decimal | None]) -> Decimal | None:
    """The heaviest of several maximum penalties (None is life, heavier than any term)."""
    found = list(penalties)
    return None if any(p is None for p in found) else max(p for p in found if p is not None)


def at_least(years: Decimal | None, threshold: Decimal) -> bool:
    return years is None or years >= threshold


def parse(text: str, where: str = "national-offences.csv") -> tuple[NationalOffence, ...]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != HEADER:
        raise ValueError(f"{where}: header is {header!r}, expected {HEADER!r}")
    found = []
    for line, row in enumerate(reader, start=2):
        if len(row) != len(HEADER):
            raise ValueError(f"{where}:{line}: {len(row)} fields, expected {len(HEADER)}")
        country, reference, title, codes, penalty, source = (cell.strip() for cell in row)
        iccs = tuple(c.strip() for c in codes.split(";") if c.strip())
        if not iccs:
            raise ValueError(f"{where}:{line}: no ICCS code")
        for code in iccs:
            offence(code)
        try:
            years = None if penalty == "life" else Decimal(penalty)
        except InvalidOperation:
            raise ValueError(
                f"{where}:{line}: max_penalty {penalty!r} is not years or 'life'"
            ) from None
        found.append(NationalOffence(country, reference, title, iccs, years, source))
    return tuple(found)


@cache
def packaged() -> tuple[NationalOffence, ...]:
    text = (files("palermo") / "judicial" / "data" / "national-offences.csv").read_text(
        encoding="utf-8"
    )
    return parse(text)


@dataclass(frozen=True)
class Match:
    offence: NationalOffence
    narrower: bool  # the national offence is a subcategory of the conduct's code


def criminalised(offences: Sequence[NationalOffence], country: str, code: str) -> list[Match]:
    """The offences of `country` that cover conduct of ICCS `code`."""
    matches = []
    for candidate in offences:
        if candidate.country != country:
            continue
        if any(is_within(code, mapped) for mapped in candidate.iccs):
            matches.append(Match(candidate, narrower=False))
        elif any(is_within(mapped, code) for mapped in candidate.iccs):
            matches.append(Match(candidate, narrower=True))
    return matches


@dataclass(frozen=True)
class ConductCheck:
    """Dual criminality for one ICCS code of the conduct."""

    code: str
    requesting: list[Match]
    requested: list[Match]

    @property
    def holds(self) -> bool:
        return bool(self.requesting) and bool(self.requested)

    def max_years(self, side: str) -> Decimal | None:
        matches = self.requesting if side == "requesting" else self.requested
        return _most(m.offence.max_years for m in matches)


@dataclass(frozen=True)
class DualCriminalityCheck:
    requesting: str
    requested: str
    conduct: list[ConductCheck]

    @property
    def holds(self) -> bool:
        return bool(self.conduct) and all(c.holds for c in self.conduct)

    @property
    def failing(self) -> list[str]:
        """Why it fails: each code for which one of the states has no offence on record
        (the registry may lack it: the central authority confirms)."""
        reasons = []
        for check in self.conduct:
            for side, state in (("requesting", self.requesting), ("requested", self.requested)):
                if not getattr(check, side):
                    reasons.append(
                        f"{check.code} ({offence(check.code).label}): no offence of {state} "
                        "is recorded for it"
                    )
        return reasons

    def penalties(self) -> Mapping[str, Decimal | None]:
        """Each state's heaviest maximum penalty for the conduct (what an extradition
        threshold and the serious-crime test look at); a state with no offence is left out."""
        found: dict[str, Decimal | None] = {}
        for state, side in ((self.requesting, "requesting"), (self.requested, "requested")):
            matched = [c for c in self.conduct if getattr(c, side)]
            if matched:
                found[state] = _most(c.max_years(side) for c in matched)
        return found

    def extraditable(self, threshold_years: Decimal) -> bool:
        """Dual criminality holds and both maximum penalties reach the threshold."""
        penalties = self.penalties()
        return self.holds and all(at_least(y, threshold_years) for y in penalties.values())

    def serious_crime(self, state: str) -> bool:
        """Palermo Art. 2(b): punishable by at least four years in that state."""
        penalties = self.penalties()
        return state in penalties and at_least(penalties[state], SERIOUS_CRIME_YEARS)


def dual_criminality(
    conduct: Sequence[str],
    *,
    requesting: str,
    requested: str,
    offences: Sequence[NationalOffence] | None = None,
) -> DualCriminalityCheck:
    """Compare the conduct's ICCS codes with both states' offences."""
    table = packaged() if offences is None else offences
    for code in conduct:
        offence(code)
    return DualCriminalityCheck(
        requesting=requesting,
        requested=requested,
        conduct=[
            ConductCheck(
                code=code,
                requesting=criminalised(table, requesting, code),
                requested=criminalised(table, requested, code),
            )
            for code in dict.fromkeys(conduct)
        ],
    )
