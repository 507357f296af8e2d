"""Dated exchange rates: a value is converted with the rate of its own date.

The packaged tables (see `data/RATES-SOURCE.md`) hold the ECB's daily reference rates and a
monthly snapshot for every other currency; an agency may record its central bank's rate of a
day, which wins. The most recent quotation on or before the date is used, if it is at most
`MAX_AGE` old; otherwise the value is refused, naming currency and date."""

from __future__ import annotations

import bisect
import csv
import gzip
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.errors import Invalid
from palermo.finintel.currencies import ISO_4217
from palermo.models.assets import CurrencyRate

DATA = Path(__file__).parent / "data"
PACKAGED = {
    "ECB": DATA / "ecb-eurofxref.csv.gz",
    "exchange-api": DATA / "exchange-api-monthly.csv.gz",
}
MAX_AGE = timedelta(days=62)  # the monthly snapshots are at most two months apart


@dataclass(frozen=True)
class Quote:
    """Units of a currency one euro bought on `on`, and where the figure comes from."""

    units_per_eur: float
    on: date
    source: str


@dataclass(frozen=True)
class Conversion:
    minor: int  # hundredths of the target currency
    rate: float  # units of the source currency per unit of the target
    rate_on: date  # the older of the two quotations used
    source: str


@dataclass(frozen=True)
class _Series:
    dates: list[date]
    values: list[float]
    source: str


@cache
def _packaged() -> dict[str, list[_Series]]:
    series: dict[str, list[_Series]] = {}
    for source, path in PACKAGED.items():
        with gzip.open(path, "rt", newline="") as handle:
            reader = csv.reader(handle)
            codes = next(reader)[1:]
            columns: list[tuple[list[date], list[float]]] = [([], []) for _ in codes]
            for row in reader:
                day = date.fromisoformat(row[0])
                for (dates, values), cell in zip(columns, row[1:], strict=True):
                    if cell:
                        dates.append(day)
                        values.append(float(cell))
        for code, (dates, values) in zip(codes, columns, strict=True):
            series.setdefault(code, []).append(_Series(dates, values, source))
    return series


def quote(session: Session, currency: str, on: date) -> Quote:
    """The rate of `currency` for a value of `on`; Invalid when there is none recent enough."""
    if currency == "EUR":
        return Quote(1.0, on, "EUR")
    found: list[Quote] = []
    recorded = session.scalars(
        select(CurrencyRate)
        .where(CurrencyRate.currency == currency, CurrencyRate.valid_on <= on)
        .order_by(CurrencyRate.valid_on.desc())
        .limit(1)
    ).first()
    if recorded is not None:
        found.append(Quote(recorded.units_per_eur, recorded.valid_on, recorded.source))
    for series in _packaged().get(currency, []):
        at = bisect.bisect_right(series.dates, on) - 1
        if at >= 0:
            found.append(Quote(series.values[at], series.dates[at], series.source))
    # The most recent wins; on the same day a recorded rate (listed first) does.
    best = max(found, key=lambda q: q.on, default=None)
    if best is None or on - best.on > MAX_AGE:
        raise Invalid(
            f"no exchange rate for {currency} on or within {MAX_AGE.days} days before "
            f"{on.isoformat()}: record one (palermo assets rates add)"
        )
    return best


def convert(session: Session, minor: int, currency: str, on: date, to: str) -> Conversion:
    """`minor` hundredths of `currency` in hundredths of `to`, at the rates of `on`."""
    if currency == to:
        return Conversion(minor, 1.0, on, "same currency")
    source, target = quote(session, currency, on), quote(session, to, on)
    rate = source.units_per_eur / target.units_per_eur
    names = " and ".join(dict.fromkeys(q.source for q in (source, target) if q.source != "EUR"))
    return Conversion(round(minor / rate), rate, min(source.on, target.on), names)


def check_currency(code: str) -> str:
    """An upper-case ISO 4217 code, or Invalid naming what was given."""
    normal = code.strip().upper()
    if normal not in ISO_4217:
        raise Invalid(f"{code!r} is not an ISO 4217 currency code")
    return normal
