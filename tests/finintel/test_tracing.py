"""Following the money: time order and amount attribution."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from palermo.errors import Invalid, NotFound
from palermo.finintel.tracing import Direction, Method, trace
from tests.finintel.world import Ledger

H = timedelta(hours=1)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A robbery's 10,000 reaches `mule`, who already held 5,000 of a salary; the mule pays
    6,000 to `shell` (after both credits), and 4,000 to `car-dealer` *before* the proceeds
    arrived. `shell` pays 5,000 to `abroad` in the UAE, which buys a 9,000 yacht."""
    book = Ledger()
    book.pay("employer", "mule", 5_000, 1 * H)
    book.pay("mule", "car-dealer", 4_000, 2 * H)
    book.pay("victim", "mule", 10_000, 3 * H)
    book.pay("mule", "shell", 6_000, 4 * H)
    book.pay("shell", "abroad", 5_000, 5 * H, countries=("NL", "AE"))
    book.pay("mule", "landlord", 5_000, 6 * H)
    book.pay("abroad", "yacht", 9_000, 7 * H)
    return book.write(tmp_path / "tx.parquet")


def flows(result) -> dict[tuple[str | None, str | None], float]:
    return {(f.move.source, f.move.target): round(f.attributed, 2) for f in result.flows}


def test_money_cannot_travel_back_in_time(ledger: Path) -> None:
    """The car was paid before the proceeds arrived: none of them went to the dealer."""
    result = trace([ledger], "t000002", hops=3)
    assert ("mule", "car-dealer") not in flows(result)


def test_fifo_pays_from_the_oldest_funds_first(ledger: Path) -> None:
    """The 6,000 to the shell is paid first from the 1,000 left of the salary, then 5,000
    of the proceeds; the landlord gets the other 5,000 of the proceeds."""
    result = trace([ledger], "t000002", hops=3)
    assert flows(result) == {
        ("victim", "mule"): 10_000,
        ("mule", "shell"): 5_000,
        ("mule", "landlord"): 5_000,
        ("shell", "abroad"): round(5_000 * 5_000 / 6_000, 2),
    }
    assert result.links()[0] == {"source": "victim", "target": "mule", "attributed_eur": 10_000}


def test_pro_rata_shares_every_debit(ledger: Path) -> None:
    """At the 6,000 debit the mule holds 1,000 of salary and 10,000 of proceeds."""
    result = trace([ledger], "t000002", hops=2, method=Method.pro_rata)
    assert flows(result)[("mule", "shell")] == round(6_000 * 10_000 / 11_000, 2)


def test_backward_from_an_account_finds_its_sources(ledger: Path) -> None:
    result = trace([ledger], "abroad", direction=Direction.backward, hops=3)
    assert flows(result) == {
        ("shell", "abroad"): 5_000,
        ("mule", "shell"): 5_000,
        ("employer", "mule"): round(5_000 * 1_000 / 6_000, 2),
        ("victim", "mule"): round(5_000 * 5_000 / 6_000, 2),
    }
    assert {a["account"] for a in result.accounts()} == {
        "abroad",
        "shell",
        "mule",
        "employer",
        "victim",
    }


def test_debits_beyond_the_data_are_of_unknown_origin(ledger: Path) -> None:
    """`abroad` received 5,000 before paying 9,000: 4,000 came from funds the data does
    not show."""
    result = trace([ledger], "yacht", direction=Direction.backward, hops=2)
    assert round(result.unknown_origin, 2) == 4_000
    assert flows(result)[("shell", "abroad")] == 5_000


def test_bad_origins_and_bounds_are_refused(ledger: Path) -> None:
    with pytest.raises(NotFound, match="nobody"):
        trace([ledger], "nobody")
    with pytest.raises(Invalid, match="hops"):
        trace([ledger], "mule", hops=0)
    with pytest.raises(NotFound, match="no transactions"):
        trace([], "mule")
