"""Bad input is refused with the reason, and nothing of it is written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from palermo.errors import Conflict, Forbidden, Invalid
from palermo.models.assets import Asset, AssetOrder
from tests.assets.conftest import Desk

SHARING = "sharing"


def count(desk: Desk, model: type) -> int:
    return desk.db.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"value": "-5"}, "value -5 is negative"),
        ({"value": "10.005"}, "value 10.005 has more than two decimals"),
        ({"currency": "XYZ"}, "'XYZ' is not an ISO 4217 currency code"),
        (
            {"currency": "AED", "valued_on": date(2020, 1, 10)},
            "no exchange rate for AED on or within 62 days before 2020-01-10",
        ),
        ({"valued_on": date(2026, 7, 1)}, "valued_on 2026-07-01 is in the future"),
    ],
)
def test_an_asset_with_a_bad_value_is_refused(
    desk: Desk, fields: dict[str, Any], reason: str
) -> None:
    with pytest.raises(Invalid, match=reason):
        desk.asset(**fields)
    assert count(desk, Asset) == 0


ORDER_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("freezing", {"expires_on": None}, "temporary: give its expiry date"),
    ("seizure", {"expires_on": date(2025, 1, 1)}, "expires_on 2025-01-01 is not after issued_on"),
    ("freezing", {"issued_on": date(2026, 6, 3)}, "issued_on 2026-06-03 is in the future"),
    ("confiscation", {"legal_basis": None}, "a confiscation order needs its legal basis"),
    ("disposal", {}, r"a disposal order needs its decision type \(Palermo Art. 14\)"),
    ("release", {"disposal": "destruction"}, "only a disposal order has a disposal type"),
    ("disposal", {"disposal": SHARING}, "a sharing decision names who receives what"),
    (
        "disposal",
        {
            "disposal": SHARING,
            "shares": [
                {"recipient": "Netherlands", "country": "NL", "percent": "59.5"},
                {"recipient": "United Arab Emirates", "country": "AE", "percent": "40"},
            ],
        },
        "the shares sum to 99.50 %, not 100 %",
    ),
    (
        "disposal",
        {
            "disposal": SHARING,
            "shares": [
                {"recipient": "Netherlands", "country": "NL", "percent": "110"},
                {"recipient": "United Arab Emirates", "country": "AE", "percent": "-10"},
            ],
        },
        r"the share of United Arab Emirates is -10 %: it must be positive",
    ),
    (
        "disposal",
        {
            "disposal": SHARING,
            "shares": [{"recipient": "Netherlands", "country": "NL", "percent": "100"}],
        },
        "sharing is between two states or more",
    ),
    (
        "disposal",
        {
            "disposal": SHARING,
            "shares": [
                {"recipient": "Netherlands", "country": "NL", "percent": "50"},
                {"recipient": "a charity", "percent": "50"},
            ],
        },
        "sharing is between two states or more",
    ),
    (
        "disposal",
        {
            "disposal": "return_to_requesting_state",
            "shares": [{"recipient": "the victims", "percent": "100"}],
        },
        "a return goes to one requesting state",
    ),
    (
        "disposal",
        {
            "disposal": "destruction",
            "shares": [{"recipient": "Netherlands", "country": "NL", "percent": "100"}],
        },
        "a destruction decision pays nothing out: give no shares",
    ),
]


@pytest.mark.parametrize(("kind", "fields", "reason"), ORDER_CASES)
def test_an_incomplete_order_is_refused(
    desk: Desk, kind: str, fields: dict[str, Any], reason: str
) -> None:
    asset = desk.asset()
    with pytest.raises(Invalid, match=reason):
        desk.order(kind, asset, **fields)
    assert count(desk, AssetOrder) == 0


def test_an_order_names_assets_the_recorder_sees(desk: Desk) -> None:
    theirs = desk.asset("Apartment, Rue de Rivoli 8, Paris", by="fr", country="FR")
    mine = desk.asset()
    with pytest.raises(Invalid, match=f"no such asset: {theirs.reference}"):
        desk.order("freezing", mine, theirs)


def test_an_agency_records_only_its_own_jurisdictions_orders(desk: Desk) -> None:
    asset = desk.asset()
    with pytest.raises(Forbidden, match="an order of NL is recorded by an agency of NL"):
        desk.order("freezing", asset, by="fr", country="NL")


def test_an_order_is_recorded_once(desk: Desk) -> None:
    asset = desk.asset()
    first = desk.order("freezing", asset)
    desk.counter[0] -= 1  # the same reference again
    with pytest.raises(Conflict, match=f"order {first.reference} of NL is recorded already"):
        desk.order("freezing", asset)


def test_a_renewal_is_of_the_same_kind_and_later(desk: Desk) -> None:
    asset = desk.asset()
    first = desk.order("freezing", asset, expires_on=date(2025, 9, 1))
    with pytest.raises(Invalid, match=f"a renewal must expire after {first.reference}"):
        desk.order("freezing", asset, expires_on=date(2025, 8, 1), renews=str(first.id))
    with pytest.raises(Invalid, match="a renewal is an order of the same kind"):
        desk.order("seizure", asset, renews=str(first.id))


def test_private_partners_and_auditors_do_not_work_assets(desk: Desk) -> None:
    for who in ("bank", "nl_auditor"):
        with pytest.raises(Forbidden, match="worked by officers, analysts and supervisors"):
            desk.asset(by=who)
