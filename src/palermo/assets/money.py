"""Amounts as hundredths of the currency unit: exact sums, shares that reconcile to the cent."""

from __future__ import annotations

from decimal import Decimal

from palermo.errors import Invalid
from palermo.translatable import N_

CENT = Decimal("0.01")


def to_minor(amount: Decimal, what: str = "amount") -> int:
    """`amount` in hundredths; a negative or sub-cent amount is refused (the API's shapes
    have already refused what is not a finite number)."""
    if amount < 0:
        raise Invalid(N_("%(what)s %(amount)s is negative"), what=what, amount=amount)
    if amount != amount.quantize(CENT):
        raise Invalid(
            N_("%(what)s %(amount)s has more than two decimals"), what=what, amount=amount
        )
    return int(amount * 100)


def decimal(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(CENT)


def shown(minor: int, currency: str) -> str:
    """`1,234,567.89 EUR`."""
    return f"{decimal(minor):,.2f} {currency}"


def split(total: int, basis_points: list[int]) -> list[int]:
    """`total` divided by shares (basis points summing to 10,000), each rounded down and the
    cents left over given to the largest remainders, so the parts sum to `total` exactly."""
    exact = [total * bp for bp in basis_points]
    parts = [e // 10_000 for e in exact]
    left = total - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] % 10_000), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts
