"""Values in any currency at the rate of their own date; costs, an interlocutory sale, and a
disposal whose shares are paid out to the cent. Expected figures are worked out by hand from
the packaged rates (ECB: USD 1.1429 on 2025-06-10; exchange-api: AED 4.16731 on 2025-06-01)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from palermo.assets import management, rates
from palermo.assets.lifecycle import AssetState
from palermo.assets.money import split
from palermo.assets.schemas import CostIn, RateIn, SaleIn, ValuationIn
from palermo.assets.service import add_rate
from palermo.errors import Forbidden, Invalid
from palermo.models.assets import Asset, AssetOrder, AssetTransfer
from tests.assets.conftest import NOW, Desk

S = AssetState


def test_a_value_converts_at_the_rate_of_its_own_date(desk: Desk) -> None:
    yacht = desk.asset(
        "Motor yacht Sea Breeze",
        kind="vessel",
        value="2000000",
        currency="USD",
        valued_on=date(2025, 6, 10),
    )
    assert (yacht.value_minor, yacht.currency) == (200_000_000, "USD")
    assert yacht.reporting_minor == 174_993_438  # 2,000,000 / 1.1429
    # A Sunday takes Friday's quotation; AED has a monthly snapshot only.
    sunday = rates.convert(desk.db, 100_000, "USD", date(2025, 6, 8), "EUR")
    assert (sunday.rate, sunday.rate_on, sunday.source) == (1.1411, date(2025, 6, 6), "ECB")
    villa = desk.asset(country="AE", value="9500000", currency="AED", valued_on=date(2025, 6, 10))
    assert villa.reporting_minor == 227_964_802  # 9,500,000 / 4.16731 of 2025-06-01


def test_a_rate_recorded_for_the_day_wins(desk: Desk) -> None:
    rate = RateIn(currency="AED", valid_on=date(2025, 6, 10), units_per_eur=4.2, source="CBUAE")
    with pytest.raises(Forbidden, match="recorded by supervisors"):
        add_rate(desk.db, desk["nl"], rate, NOW)
    add_rate(desk.db, desk["nl_supervisor"], rate, NOW)
    villa = desk.asset(country="AE", value="9500000", currency="AED", valued_on=date(2025, 6, 10))
    assert villa.reporting_minor == 226_190_476  # 9,500,000 / 4.2
    conversion = rates.convert(desk.db, 100, "AED", date(2025, 6, 12), "EUR")
    assert (conversion.rate_on, conversion.source) == (date(2025, 6, 10), "CBUAE")


@given(
    total=st.integers(min_value=0, max_value=10**15),
    shares=st.lists(st.integers(min_value=1, max_value=9_999), min_size=1, max_size=12),
)
def test_split_always_sums_to_the_total_and_each_part_is_within_a_cent(
    total: int, shares: list[int]
) -> None:
    points = [*shares[:-1], 0]
    points[-1] = 10_000 - sum(points[:-1])
    assume(points[-1] > 0)  # the drawn shares must leave the last one something
    parts = split(total, points)
    assert sum(parts) == total
    for part, bp in zip(parts, points, strict=True):
        assert abs(part * 10_000 - total * bp) < 10_000  # off the exact share by under a cent


def test_split_gives_the_leftover_cents_to_the_largest_remainders() -> None:
    assert split(116_677_936, [5000, 3333, 1667]) == [58_338_968, 38_888_756, 19_450_212]
    assert split(100, [3334, 3333, 3333]) == [34, 33, 33]
    assert split(1, [5000, 5000]) == [1, 0]
    assert sum(split(999_999_999, [1, 9_999])) == 999_999_999


def sell(desk: Desk, asset: Asset, amount: str, on: date, order: AssetOrder | None = None) -> None:
    """An interlocutory sale by the Dutch office, under `order` (a sale order of its own if
    none is given)."""
    management.sell(
        desk.db,
        principal=desk["nl"],
        settings=desk.settings,
        asset_id=asset.id,
        payload=SaleIn(
            order=(order or desk.order("interlocutory_sale", asset)).id,
            amount=Decimal(amount),
            currency="EUR",
            sold_on=on,
        ),
        now=NOW,
    )


def test_costs_a_sale_and_a_shared_disposal_reconcile_to_the_cent(desk: Desk) -> None:
    villa = desk.asset()  # 1,250,000.00 EUR
    desk.move(villa, S.frozen, desk.order("freezing", villa), on=date(2025, 3, 1))
    desk.move(villa, S.confiscated, desk.order("confiscation", villa), on=date(2025, 3, 5))
    desk.move(villa, S.under_management, desk.order("management", villa), on=date(2025, 3, 10))
    for amount, currency, on, category in (
        ("12345.67", "EUR", date(2025, 4, 1), "storage"),
        ("1000.00", "USD", date(2025, 6, 10), "insurance"),  # 874.97 EUR
    ):
        management.cost(
            desk.db,
            principal=desk["nl"],
            settings=desk.settings,
            asset_id=villa.id,
            payload=CostIn(
                amount=Decimal(amount), currency=currency, incurred_on=on, category=category
            ),
            now=NOW,
        )
    sell(desk, villa, "1180000.00", date(2025, 5, 1))
    assert (villa.reporting_minor, villa.sold_on) == (118_000_000, date(2025, 5, 1))
    decision = desk.order(
        "disposal",
        villa,
        disposal="sharing",
        shares=[
            {"recipient": "Kingdom of the Netherlands", "country": "NL", "percent": "50"},
            {"recipient": "United Arab Emirates", "country": "AE", "percent": "33.33"},
            {"recipient": "Republic of Colombia", "country": "CO", "percent": "16.67"},
        ],
    )
    desk.move(villa, S.disposed, decision, on=date(2025, 7, 1))
    planned = management.reconcile(desk.db, villa)
    assert (planned.gross, planned.costs, planned.net) == (118_000_000, 1_322_064, 116_677_936)
    assert [p.minor for p in planned.planned] == [58_338_968, 38_888_756, 19_450_212]
    assert planned.transferred == 0
    assert planned.balanced
    desk.move(villa, S.shared, decision, on=date(2025, 7, 2))
    paid = desk.db.query(AssetTransfer).filter_by(asset_id=villa.id).order_by(AssetTransfer.id)
    assert [(t.country, t.basis_points, t.reporting_minor) for t in paid] == [
        ("NL", 5000, 58_338_968),
        ("AE", 3333, 38_888_756),
        ("CO", 1667, 19_450_212),
    ]
    done = management.reconcile(desk.db, villa)
    assert done.transferred == done.net == 116_677_936
    assert done.balanced


def test_a_sold_asset_keeps_its_proceeds_as_value(desk: Desk) -> None:
    car = desk.asset("Lamborghini Urus, NL plate N-123-XX", kind="vehicle", value="210000")
    with pytest.raises(Invalid, match="is identified: only an asset under a measure is sold"):
        sell(desk, car, "1", date(2025, 4, 1))
    desk.move(car, S.seized, desk.order("seizure", car))
    freezing = desk.order("freezing", car)
    with pytest.raises(Invalid, match=f"{freezing.reference} is a freezing order, not a sale"):
        sell(desk, car, "1", date(2025, 4, 1), freezing)
    sell(desk, car, "185000", date(2025, 4, 1))
    with pytest.raises(Invalid, match="was sold on 2025-04-01: its value is fixed"):
        management.value(
            desk.db,
            principal=desk["nl"],
            settings=desk.settings,
            asset_id=car.id,
            payload=ValuationIn(
                amount=Decimal("250000"), currency="EUR", valued_on=date(2025, 5, 1)
            ),
            now=NOW,
        )
    assert car.reporting_minor == 18_500_000


def test_a_newer_valuation_becomes_the_estimate_an_older_one_does_not(desk: Desk) -> None:
    villa = desk.asset(valued_on=date(2025, 1, 10))
    for amount, on in (("1400000", date(2025, 5, 1)), ("1100000", date(2024, 12, 1))):
        management.value(
            desk.db,
            principal=desk["nl"],
            settings=desk.settings,
            asset_id=villa.id,
            payload=ValuationIn(
                amount=Decimal(amount), currency="EUR", valued_on=on, method="expert"
            ),
            now=NOW,
        )
    assert (villa.value_minor, villa.valued_on) == (140_000_000, date(2025, 5, 1))


def test_costs_above_the_value_leave_nothing_to_transfer(desk: Desk) -> None:
    boat = desk.asset("Speedboat", kind="vessel", value="1000")
    desk.move(boat, S.seized, desk.order("seizure", boat), on=date(2025, 3, 1))
    management.cost(
        desk.db,
        principal=desk["nl"],
        settings=desk.settings,
        asset_id=boat.id,
        payload=CostIn(
            amount=Decimal("1500"), currency="EUR", incurred_on=date(2025, 3, 2), category="storage"
        ),
        now=NOW,
    )
    desk.move(boat, S.confiscated, desk.order("confiscation", boat), on=date(2025, 3, 3))
    decision = desk.order(
        "disposal",
        boat,
        disposal="compensation_of_victims",
        shares=[{"recipient": "Victims' fund", "percent": "100"}],
    )
    desk.move(boat, S.disposed, decision, on=date(2025, 3, 4))
    with pytest.raises(Invalid, match=r"exceed its value by 500\.00: nothing is left"):
        desk.move(boat, S.transferred_to_victims, decision, on=date(2025, 3, 5))
    assert boat.state is S.disposed


def test_a_sale_is_the_value_even_dated_before_the_latest_estimate(desk: Desk) -> None:
    car = desk.asset("Bentley Bentayga", kind="vehicle", value="200000", valued_on=date(2025, 1, 5))
    desk.move(car, S.seized, desk.order("seizure", car), on=date(2025, 3, 1))
    management.value(
        desk.db, principal=desk["nl"], settings=desk.settings, asset_id=car.id,
        payload=ValuationIn(amount=Decimal("300000"), currency="EUR", valued_on=date(2025, 6, 1)),
        now=NOW,
    )  # fmt: skip
    sell(desk, car, "150000", date(2025, 4, 1))
    assert (car.reporting_minor, car.valued_on) == (15_000_000, date(2025, 4, 1))
    assert management.reconcile(desk.db, car).gross == 15_000_000
