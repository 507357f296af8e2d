"""Reference rates to the euro, so amounts in any currency can be compared and summed.

The rates are approximate and fixed (one day's quotation, see `data/FX-SOURCE.md`): good enough
to rank and threshold flows, not to re-price a transaction. An FIU that keeps its own table
points `load_rates` at it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from palermo.errors import Invalid
from palermo.translatable import N_

RATES_FILE = Path(__file__).parent / "data" / "fx-rates.csv"

# Withdrawn from ISO 4217 when their countries joined the euro, but still on older
# transactions; they convert at their irrevocably fixed rates.
EURO_PREDECESSORS = frozenset({"BGN", "HRK"})

ISO_4217 = frozenset(c.alpha_3 for c in pycountry.currencies) | EURO_PREDECESSORS


def iso_codes(currency: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Which values are ISO 4217 codes (vectorised; a null is not)."""
    return pc.is_in(currency, value_set=pa.array(sorted(ISO_4217)))


class UnknownCurrency(Invalid):
    """Amounts in currencies without a rate: each code with the lines that carry it."""

    code = "unknown_currency"

    def __init__(self, lines: Mapping[str, Sequence[int]], rates: Rates) -> None:
        parts = []
        for code, numbers in lines.items():
            shown = ", ".join(map(str, numbers[:10])) + (", …" if len(numbers) > 10 else "")
            parts.append(f"{rates.why_unknown(code)} (line {shown})")
        super().__init__("; ".join(parts))
        self.lines = {code: list(numbers) for code, numbers in lines.items()}


@dataclass(frozen=True)
class Rates:
    """Units of each currency that one euro buys, as the ECB quotes them (USD 1.1355)."""

    units_per_eur: Mapping[str, float] = field(repr=False)
    source: str  # the file they were read from, for messages

    @cached_property
    def _table(self) -> tuple[pa.Array, pa.Array]:
        codes = sorted(self.units_per_eur)
        return pa.array(codes), pa.array([self.units_per_eur[c] for c in codes], pa.float64())

    def rate(self, currency: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Units per euro for each code (upper case ISO 4217); null where there is no rate."""
        codes, values = self._table
        return pc.take(values, pc.index_in(currency, value_set=codes))

    def to_eur(
        self,
        amount: pa.Array | pa.ChunkedArray,
        currency: pa.Array | pa.ChunkedArray,
        *,
        lines: Sequence[int] | None = None,
    ) -> pa.Array:
        """`amount` in euros. A code without a rate raises `UnknownCurrency` naming it and
        its `lines` (the position counted from 1 when no line numbers are given)."""
        rate = self.rate(currency)
        unknown = pc.and_(pc.is_null(rate), pc.is_valid(currency)).to_numpy(zero_copy_only=False)
        if unknown.any():
            positions = np.flatnonzero(unknown)
            found: dict[str, list[int]] = {}
            for position, code in zip(
                positions, pc.take(currency, positions).to_pylist(), strict=True
            ):
                line = lines[int(position)] if lines is not None else int(position) + 1
                found.setdefault(code, []).append(line)
            raise UnknownCurrency(found, self)
        return pc.divide(pc.cast(amount, pa.float64()), rate)

    def check(self, code: str) -> str:
        """The code as used in the store (upper case), if it has a rate; Invalid otherwise."""
        normal = code.strip().upper()
        if normal not in self.units_per_eur:
            raise Invalid(self.why_unknown(normal))
        return normal

    def why_unknown(self, code: str) -> str:
        if code not in ISO_4217:
            return f"{code!r} is not an ISO 4217 currency code"
        found = pycountry.currencies.get(alpha_3=code)
        name = f" ({found.name})" if found else ""
        return f"no reference rate to the euro for {code}{name} in {self.source}"


def load_rates(path: Path | None = None) -> Rates:
    """The rates of `path` (columns `currency,units_per_eur`; others ignored), or the packaged
    table. Every row is checked: an ISO 4217 code, once, with a positive rate."""
    source = path or RATES_FILE
    rates: dict[str, float] = {}
    with source.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not {"currency", "units_per_eur"} <= set(reader.fieldnames or ()):
            raise Invalid(
                N_("%(name)s: the header must name currency and units_per_eur"), name=source.name
            )
        for row in reader:
            where = f"{source.name} line {reader.line_num}"
            code = (row["currency"] or "").strip().upper()
            if code not in ISO_4217:
                raise Invalid(
                    N_("%(where)s: %(code)s is not an ISO 4217 currency code"),
                    where=where,
                    code=repr(code),
                )
            if code in rates:
                raise Invalid(N_("%(where)s: %(code)s is listed twice"), where=where, code=code)
            try:
                value = float(row["units_per_eur"] or "")
            except ValueError:
                value = math.nan
            if not (value > 0 and math.isfinite(value)):
                raise Invalid(
                    N_("%(where)s: rate %(rate)s is not a positive number"),
                    where=where,
                    rate=repr(row["units_per_eur"]),
                )
            rates[code] = value
    if rates.setdefault("EUR", 1.0) != 1.0:
        raise Invalid(N_("%(name)s: EUR must have the rate 1"), name=source.name)
    return Rates(units_per_eur=rates, source=source.name)
