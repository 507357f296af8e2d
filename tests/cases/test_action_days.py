"""Action days: planned per country at local times, results reported on a live board by the
countries' agencies, totals per country and overall."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from palermo.cases import actions, service
from palermo.cases.vocabulary import ActionStatus, ResultKind
from palermo.errors import Conflict, Forbidden, Invalid
from palermo.models.cases import ActionDay, Case
from tests.cases.conftest import NOW, Team


@pytest.fixture
def case(team: Team) -> Case:
    return team.case(
        members={"DE-BKA": "participant", "CO-DIJIN": "participant", "EUROPOL": "observer"}
    )


def plan(team: Team, case: Case) -> ActionDay:
    return actions.plan(
        team.db,
        principal=team["nl"],
        case=case,
        name="Action day Harbour",
        countries=[
            actions.CountryPlan("NL", "NL-NP", datetime(2026, 6, 10, 6, 0), "Europe/Amsterdam"),
            actions.CountryPlan("DE", "DE-BKA", datetime(2026, 6, 10, 6, 0), "Europe/Berlin"),
            actions.CountryPlan("CO", "CO-DIJIN", datetime(2026, 6, 9, 23, 0), "America/Bogota"),
        ],
        now=NOW,
    )


def test_planned_times_are_local_and_stored_in_utc(team: Team, case: Case) -> None:
    day = plan(team, case)
    planned = {c.country: c.planned_at for c in actions.countries_of(team.db, day)}
    # 06:00 in Amsterdam and Berlin in summer is 04:00 UTC; 23:00 in Bogotá is 04:00 UTC.
    assert planned == {
        "NL": datetime(2026, 6, 10, 4, 0, tzinfo=UTC),
        "DE": datetime(2026, 6, 10, 4, 0, tzinfo=UTC),
        "CO": datetime(2026, 6, 10, 4, 0, tzinfo=UTC),
    }
    shown = service.action_day_out(team.db, day)
    assert {c.country: c.local_time for c in shown.countries}["CO"] == "2026-06-09 23:00 -05"


def test_plans_name_members_of_the_right_country(team: Team, case: Case) -> None:
    def attempt(country: str, agency: str, zone: str = "Europe/Paris") -> None:
        actions.plan(
            team.db,
            principal=team["nl"],
            case=case,
            name="Day",
            countries=[actions.CountryPlan(country, agency, datetime(2026, 6, 10, 6), zone)],
            now=NOW,
        )

    with pytest.raises(Invalid, match="not a contributing member"):
        attempt("FR", "FR-OFAST")
    with pytest.raises(Invalid, match="agency of DE, not of NL"):
        attempt("NL", "DE-BKA")
    with pytest.raises(Invalid, match="unknown time zone"):
        attempt("NL", "NL-NP", "Europe/Atlantis")
    with pytest.raises(Forbidden, match="only the lead"):
        actions.plan(team.db, principal=team["de"], case=case, name="Day", countries=[], now=NOW)


def report(
    team: Team,
    case: Case,
    day: ActionDay,
    by: str,
    country: str,
    kind: ResultKind,
    quantity: str = "1",
    unit: str | None = None,
    item: str = "",
) -> None:
    actions.report(
        team.db,
        principal=team[by],
        case=case,
        day=day,
        country=country,
        kind=kind,
        quantity=quantity,
        unit=unit,
        item=item,
        target_id=None,
        note="",
        now=NOW,
    )


def test_totals_per_country_and_overall(team: Team, case: Case) -> None:
    day = plan(team, case)
    with pytest.raises(Conflict, match="live board"):
        report(team, case, day, "nl", "NL", ResultKind.arrest)
    actions.start(team.db, principal=team["nl"], case=case, day=day, now=NOW)
    # The Netherlands: 3 + 2 arrests, 4 searches, 412.5 + 87.25 kg cocaine, EUR 15,000.50 cash.
    report(team, case, day, "nl", "NL", ResultKind.arrest, "3")
    report(team, case, day, "nl", "NL", ResultKind.arrest, "2")
    report(team, case, day, "nl", "NL", ResultKind.search, "4")
    report(team, case, day, "nl", "NL", ResultKind.seizure, "412.5", "kg", "cocaine")
    report(team, case, day, "nl", "NL", ResultKind.seizure, "87.25", "kg", "Cocaine")
    report(team, case, day, "nl", "NL", ResultKind.seizure, "15000.50", "EUR", "cash")
    # Germany: 2 arrests, 1 search, EUR 9,999.50 cash, 12 phones, an account of EUR 250,000.
    report(team, case, day, "de", "DE", ResultKind.arrest, "2")
    report(team, case, day, "de", "DE", ResultKind.search)
    report(team, case, day, "de", "DE", ResultKind.seizure, "9999.50", "EUR", "cash")
    report(team, case, day, "de", "DE", ResultKind.seizure, "12", "units", "phones")
    report(team, case, day, "de", "DE", ResultKind.asset_frozen, "250000", "EUR", "bank account")
    # Colombia: 1 arrest, 2 victims safeguarded, 1,200 kg cocaine; the lead reports one
    # more arrest there on DIJIN's behalf.
    report(team, case, day, "co", "CO", ResultKind.arrest)
    report(team, case, day, "co", "CO", ResultKind.victim_safeguarded, "2")
    report(team, case, day, "co", "CO", ResultKind.seizure, "1200", "kg", "cocaine")
    report(team, case, day, "nl", "CO", ResultKind.arrest)

    results = actions.results(team.db, day)
    nl, de, co, total = (
        results.by_country["NL"],
        results.by_country["DE"],
        results.by_country["CO"],
        results.total,
    )
    assert (nl.counts[ResultKind.arrest], nl.counts[ResultKind.search]) == (5, 4)
    assert nl.quantity(ResultKind.seizure, "cocaine", "kg") == Decimal("499.75")
    assert nl.quantity(ResultKind.seizure, "cash", "EUR") == Decimal("15000.5")
    assert (de.counts[ResultKind.arrest], de.counts[ResultKind.search]) == (2, 1)
    assert de.quantity(ResultKind.asset_frozen, "bank account", "EUR") == Decimal(250000)
    assert (co.counts[ResultKind.arrest], co.counts[ResultKind.victim_safeguarded]) == (2, 2)
    assert total.counts[ResultKind.arrest] == 9
    assert total.counts[ResultKind.search] == 5
    assert total.counts[ResultKind.victim_safeguarded] == 2
    assert total.quantity(ResultKind.seizure, "cocaine", "kg") == Decimal("1699.75")
    assert total.quantity(ResultKind.seizure, "cash", "EUR") == Decimal("25000")
    assert total.quantity(ResultKind.seizure, "phones", "units") == Decimal(12)

    shown = service.action_day_out(team.db, day)
    assert (shown.total.arrests, shown.total.searches, shown.total.victims_safeguarded) == (9, 5, 2)
    assert len(shown.board) == 15

    actions.close(team.db, principal=team["nl"], case=case, day=day, now=NOW)
    assert day.status is ActionStatus.closed
    with pytest.raises(Conflict, match="closed"):
        report(team, case, day, "nl", "NL", ResultKind.arrest)


def test_bad_results_are_refused_by_what_is_wrong(team: Team, case: Case) -> None:
    day = plan(team, case)
    actions.start(team.db, principal=team["nl"], case=case, day=day, now=NOW)
    cases = [
        ("de", "NL", ResultKind.arrest, "1", None, "", Forbidden, "reported by its agencies"),
        ("nl", "FR", ResultKind.arrest, "1", None, "", Invalid, "does not act in FR"),
        ("nl", "NL", ResultKind.arrest, "1.5", None, "", Invalid, "whole numbers"),
        ("nl", "NL", ResultKind.seizure, "3", None, "cocaine", Invalid, "an item and a unit"),
        ("nl", "NL", ResultKind.seizure, "0", "kg", "cocaine", Invalid, "positive"),
        ("nl", "NL", ResultKind.seizure, "1.0001", "kg", "cocaine", Invalid, "three decimals"),
        ("europol", "NL", ResultKind.arrest, "1", None, "", Forbidden, "observers"),
    ]
    for by, country, kind, quantity, unit, item, error, why in cases:
        with pytest.raises(error, match=why):
            report(team, case, day, by, country, kind, quantity, unit, item)
    assert actions.board(team.db, day) == []


def test_units_have_one_spelling_so_totals_do_not_split(team: Team, case: Case) -> None:
    day = plan(team, case)
    actions.start(team.db, principal=team["nl"], case=case, day=day, now=NOW)
    report(team, case, day, "nl", "NL", ResultKind.seizure, "100", "eur", "cash")
    report(team, case, day, "nl", "NL", ResultKind.seizure, "50.5", " EUR ", "Cash")
    report(team, case, day, "nl", "NL", ResultKind.seizure, "2", "KG", "cocaine")
    report(team, case, day, "nl", "NL", ResultKind.seizure, "1", "kg", "cocaine")
    total = actions.results(team.db, day).total
    assert sorted(total.quantities) == [
        (ResultKind.seizure, "cash", "EUR"),
        (ResultKind.seizure, "cocaine", "kg"),
    ]
    assert total.quantity(ResultKind.seizure, "cash", "EUR") == Decimal("150.5")
    assert total.quantity(ResultKind.seizure, "cocaine", "kg") == Decimal(3)
