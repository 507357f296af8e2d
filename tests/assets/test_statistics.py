"""Recovery statistics against figures worked out by hand: four assets, two countries, two
offences, three years, every stage from identified to shared or released."""

from __future__ import annotations

from datetime import date

from palermo.assets import orders, statistics
from palermo.assets.lifecycle import AssetState
from palermo.assets.schemas import DecisionIn, RecognitionIn
from tests.assets.conftest import NOW, Desk

S = AssetState
EARLY = date(2024, 1, 15)


def build(desk: Desk) -> None:
    a1 = desk.asset("Villa", value="1000000", valued_on=date(2024, 1, 10), offences=["0601"])
    desk.move(a1, S.frozen, desk.order("freezing", a1, issued_on=EARLY), on=date(2024, 2, 1))
    desk.move(
        a1, S.confiscated, desk.order("confiscation", a1, issued_on=EARLY), on=date(2025, 3, 1)
    )
    a2 = desk.asset(
        "Dubai villa",
        country="AE",
        value="9500000",
        currency="AED",
        valued_on=date(2025, 6, 10),
        offences=["0601", "0204"],
    )
    freezing = desk.order("freezing", a2)
    asked = orders.request_recognition(
        desk.db,
        principal=desk["nl"],
        order_id=freezing.id,
        payload=RecognitionIn(country="AE"),
        now=NOW,
    )
    orders.decide_recognition(
        desk.db,
        principal=desk["ae_ca"],
        recognition_id=asked.id,
        payload=DecisionIn(recognised=True, authority="Dubai Courts", on=date(2025, 6, 20)),
        now=NOW,
    )
    desk.move(a2, S.frozen, freezing, on=date(2025, 7, 1), by="ae")
    a3 = desk.asset(
        "Car", kind="vehicle", value="200000", valued_on=date(2024, 5, 1), offences=["0204"]
    )
    desk.move(a3, S.seized, desk.order("seizure", a3, issued_on=EARLY), on=date(2024, 6, 1))
    desk.move(
        a3, S.confiscated, desk.order("confiscation", a3, issued_on=EARLY), on=date(2024, 12, 1)
    )
    decision = desk.order(
        "disposal",
        a3,
        issued_on=EARLY,
        disposal="sharing",
        shares=[
            {"recipient": "Netherlands", "country": "NL", "percent": "50"},
            {"recipient": "United Arab Emirates", "country": "AE", "percent": "50"},
        ],
    )
    desk.move(a3, S.disposed, decision, on=date(2025, 1, 15))
    desk.move(a3, S.shared, decision, on=date(2025, 2, 1))
    a4 = desk.asset("Cash", kind="cash", value="50000", valued_on=date(2025, 1, 1), offences=[])
    desk.move(a4, S.frozen, desk.order("freezing", a4, issued_on=EARLY), on=date(2025, 2, 1))
    desk.move(a4, S.released, desk.order("release", a4, issued_on=EARLY), on=date(2025, 4, 1))


def rows(figures: list[statistics.Figure]) -> list[tuple[str, int, str, int, int]]:
    return [(f.stage, f.year, f.key, f.assets, f.minor) for f in figures]


def test_value_by_stage_country_offence_and_year(desk: Desk) -> None:
    build(desk)
    figures = statistics.compute(desk.db, desk["nl"], now=NOW)
    dubai = 227_964_802  # 9,500,000 AED / 4.16731 (rate of 2025-06-01)
    assert rows(figures.by_country) == [
        ("frozen", 2024, "NL", 1, 100_000_000),
        ("frozen", 2025, "AE", 1, dubai),
        ("frozen", 2025, "NL", 1, 5_000_000),
        ("seized", 2024, "NL", 1, 20_000_000),
        ("confiscated", 2024, "NL", 1, 20_000_000),
        ("confiscated", 2025, "NL", 1, 100_000_000),
        ("returned", 2025, "NL", 1, 20_000_000),
    ]
    assert rows(figures.by_offence) == [
        ("frozen", 2024, "0601", 1, 100_000_000),
        ("frozen", 2025, "0204", 1, dubai),
        ("frozen", 2025, "0601", 1, dubai),
        ("frozen", 2025, "none", 1, 5_000_000),
        ("seized", 2024, "0204", 1, 20_000_000),
        ("confiscated", 2024, "0204", 1, 20_000_000),
        ("confiscated", 2025, "0601", 1, 100_000_000),
        ("returned", 2025, "0204", 1, 20_000_000),
    ]
    assert rows(figures.totals) == [
        ("frozen", 2024, "", 1, 100_000_000),
        ("frozen", 2025, "", 2, dubai + 5_000_000),
        ("seized", 2024, "", 1, 20_000_000),
        ("confiscated", 2024, "", 1, 20_000_000),
        ("confiscated", 2025, "", 1, 100_000_000),
        ("returned", 2025, "", 1, 20_000_000),
    ]


def test_days_spent_in_each_stage(desk: Desk) -> None:
    build(desk)
    stays = {s.state: s for s in statistics.compute(desk.db, desk["nl"], now=NOW).stays}
    # identified: 22 (villa), 21 (Dubai), 31 (car), 31 (cash) days.
    assert (stays[S.identified].completed, stays[S.identified].ongoing) == (4, 0)
    assert (stays[S.identified].median_days, stays[S.identified].mean_days) == (26.5, 26.25)
    # frozen: 394 (villa, 2024-02-01 → 2025-03-01) and 59 (cash); Dubai still frozen.
    assert (stays[S.frozen].completed, stays[S.frozen].median_days) == (2, 226.5)
    assert stays[S.frozen].ongoing == 1
    assert (stays[S.seized].completed, stays[S.seized].median_days) == (1, 183.0)
    assert (stays[S.confiscated].median_days, stays[S.confiscated].ongoing) == (45.0, 1)
    assert (stays[S.disposed].median_days, stays[S.disposed].ongoing) == (17.0, 0)
    assert (stays[S.traced].completed, stays[S.traced].median_days) == (0, None)
    assert S.shared not in stays
    assert S.released not in stays


def test_figures_cover_only_the_assets_one_sees(desk: Desk) -> None:
    build(desk)
    assert statistics.compute(desk.db, desk["fr"], now=NOW).totals == []
    seen_in_uae = statistics.compute(desk.db, desk["ae"], now=NOW)
    assert [(f.stage, f.key) for f in seen_in_uae.by_country] == [("frozen", "AE")]
