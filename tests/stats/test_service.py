"""The figures on a real database, through the real services: each reader counts what it may
see and nothing else — a record shared hit-only, not shared, or not permitted for analysis is
not counted, nor a watch-list entry; cases and their operation results only for members;
notices as the notices policy shows them; screenings of one's own agency."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from palermo.cases import actions
from palermo.cases.vocabulary import ResultKind
from palermo.errors import Forbidden
from palermo.models.base import utcnow
from palermo.models.screening import ListEntry
from palermo.policy.records import AccessContext
from palermo.records.envelope import AccessLevel, Purpose, ShareScope
from palermo.records.schemas import ShareIn
from palermo.screening import index as screening_index
from palermo.screening import service as screening
from palermo.screening.scoring import ScreeningQuery
from palermo.stats import service
from palermo.stats.schemas import (
    CountryCount,
    NoticeCount,
    OffenceCount,
    OperationResult,
    ScreeningMonth,
)
from tests.cases.conftest import NOW, Team
from tests.conftest import audit_actions
from tests.notices import conftest as notices_world
from tests.notices.conftest import Desk, red_request
from tests.stats.conftest import collect, team

__all__ = ["team"]
desk = notices_world.desk  # NCB-DE requesting, the secretariat reviewing, NCB-FR and others

LAST_YEAR = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
EVERYONE = ShareIn(scope=ShareScope.everyone)
EVERYONE_HIT_ONLY = ShareIn(scope=ShareScope.everyone, level=AccessLevel.hit_only)
SCREENING = AccessContext.of("criminal_investigation", "case 2026/0417, Operation Tide")


def offences(*rows: tuple[int, str, int]) -> list[OffenceCount]:
    return [OffenceCount(year=y, iccs_section=s, count=n) for y, s, n in rows]


def countries(*rows: tuple[int, str, int]) -> list[CountryCount]:
    return [CountryCount(year=y, country=c, count=n) for y, c, n in rows]


def test_records_count_only_what_the_reader_sees_in_full_for_analysis(team: Team) -> None:
    collect(team, "nl", ["0601", "06"])  # one record, two codes of section 06
    collect(team, "nl", ["0201"], now=LAST_YEAR)
    collect(team, "nl", [])
    listed = collect(team, "nl", ["0701"], shares=[EVERYONE])
    team.db.add(ListEntry(record_id=listed, source="un", reference="QDi.1", imported_at=NOW))
    collect(team, "de", ["0601"], shares=[EVERYONE])  # counted by everyone
    collect(team, "de", ["0601"], shares=[EVERYONE_HIT_ONLY])  # the Germans' own
    collect(team, "de", ["06"])  # not shared
    collect(team, "de", ["0601"], shares=[EVERYONE], purposes=[Purpose.criminal_investigation])
    team.db.commit()

    dutch = service.statistics(team.db, team["nl"], now=NOW)
    assert dutch.records_by_offence == offences((2025, "02", 1), (2026, "06", 2), (2026, "none", 1))
    assert dutch.records_by_country == countries((2025, "NL", 1), (2026, "DE", 1), (2026, "NL", 2))

    german = service.statistics(team.db, team["de"], now=NOW)
    assert german.records_by_offence == offences((2026, "06", 4))
    assert german.records_by_country == countries((2026, "DE", 4))

    french = service.statistics(team.db, team["fr"], now=NOW)
    assert french.records_by_offence == offences((2026, "06", 1))
    assert french.records_by_country == countries((2026, "DE", 1))

    assert dutch.years == [2026, 2025]
    last_year = dutch.in_year(2025)
    assert last_year.records_by_offence == offences((2025, "02", 1))
    assert last_year.records_by_country == countries((2025, "NL", 1))
    assert last_year.screening == []


def test_cases_and_operation_results_are_those_of_the_readers_cases(team: Team) -> None:
    case = team.case(
        members={"DE-BKA": "participant"},
        offences=["0601", "06", "07031"],
        opened_on=date(2025, 3, 1),
    )
    team.case("Operation Riviera", by="fr", offences=["0201"], opened_on=date(2026, 1, 10))
    day = actions.plan(
        team.db,
        principal=team["nl"],
        case=case,
        name="Action day Harbour",
        countries=[
            actions.CountryPlan("NL", "NL-NP", datetime(2026, 6, 10, 6, 0), "Europe/Amsterdam"),
            actions.CountryPlan("DE", "DE-BKA", datetime(2026, 6, 10, 6, 0), "Europe/Berlin"),
        ],
        now=NOW,
    )
    actions.start(team.db, principal=team["nl"], case=case, day=day, now=NOW)
    for by, country, kind, quantity, unit, item in [
        ("nl", "NL", ResultKind.arrest, "2", None, ""),
        ("nl", "NL", ResultKind.search, "3", None, ""),
        ("de", "DE", ResultKind.arrest, "1", None, ""),
        ("de", "DE", ResultKind.seizure, "12.5", "kg", "Cocaine"),
        ("de", "DE", ResultKind.seizure, "0.5", "KG", "cocaine"),  # one item, one unit
    ]:
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
    team.db.commit()

    for member in ("nl", "de"):
        found = service.statistics(team.db, team[member], now=NOW)
        assert found.cases_by_offence == offences((2025, "06", 1), (2025, "07", 1))
        assert found.cases_by_country == countries((2025, "NL", 1))
        assert found.operation_results == [
            OperationResult(year=2026, country=c, kind=k, item=i, unit=u, quantity=Decimal(q))
            for c, k, i, u, q in [
                ("DE", "arrest", "", "count", "1"),
                ("DE", "seizure", "cocaine", "kg", "13"),
                ("NL", "arrest", "", "count", "2"),
                ("NL", "search", "", "count", "3"),
            ]
        ]

    outsider = service.statistics(team.db, team["fr"], now=NOW)
    assert outsider.cases_by_offence == offences((2026, "02", 1))
    assert outsider.cases_by_country == countries((2026, "FR", 1))
    assert outsider.operation_results == []
    # Europol's analysts were never admitted: the case does not exist for them.
    assert service.statistics(team.db, team["europol"], now=NOW).cases_by_country == []


def test_screening_volume_and_hit_rate_are_the_readers_agencys(team: Team) -> None:
    screening_index._INDEXES.clear()  # a previous test's records, rolled back, are gone
    name = "Julián Restrepo Ochoa"
    collect(team, "nl", ["0601"], name=name)
    for by, query in [("nl", name), ("nl", "Zbigniew Quaxley-Vorpington"), ("de", name)]:
        screening.screen(
            team.db,
            principal=team[by],
            context=SCREENING,
            query=ScreeningQuery.of(query),
            now=utcnow(),
        )
    team.db.commit()
    today = utcnow()

    found = service.statistics(team.db, team["nl"], now=NOW)
    assert found.screening == [
        ScreeningMonth(year=today.year, month=today.month, screenings=2, names=2, with_hits=1)
    ]
    assert found.screening[0].hit_rate == 0.5
    assert service.statistics(team.db, team["fr"], now=NOW).screening == []


def test_notices_are_counted_as_the_notices_policy_shows_them(desk: Desk) -> None:
    desk.publish(red_request())
    desk.create(red_request())  # a draft: the requester's alone
    year = utcnow().year

    requester = service.statistics(desk.db, desk.requester, now=NOW)
    assert requester.notices == [
        NoticeCount(year=year, kind="red", status="draft", count=1),
        NoticeCount(year=year, kind="red", status="published", count=1),
    ]
    other = service.statistics(desk.db, desk.fr_officer, now=NOW)
    assert other.notices == [NoticeCount(year=year, kind="red", status="published", count=1)]


def test_each_role_reads_the_figures_of_its_work_and_partners_none(team: Team) -> None:
    collect(team, "nl", ["0601"])
    auditor = service.statistics(team.db, team["nl_auditor"], now=NOW)
    assert auditor.records_by_offence is None
    assert auditor.cases_by_offence is None
    assert auditor.notices is None
    assert auditor.operation_results is None
    assert auditor.screening == []  # their agency's, from the audit log

    admin = service.statistics(team.db, team["nl_admin"], now=NOW)
    assert admin.records_by_offence == offences((2026, "06", 1))  # administrators read records
    assert admin.cases_by_offence is None  # but work no cases

    with pytest.raises(Forbidden):
        service.statistics(team.db, team["bank"], now=NOW)
    assert "stats.statistics" in audit_actions(team.db)
