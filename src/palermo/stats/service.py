"""The figures a reader may see, computed and audited (see the package's docstring for what
is counted for whom)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.cases.actions import MILLI
from palermo.cases.vocabulary import COUNTED
from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.policy import cases as case_policy
from palermo.policy import notices as notice_policy
from palermo.policy.records import hits_only, reads_records
from palermo.stats import READERS, repository
from palermo.stats.schemas import (
    NO_OFFENCE,
    CountryCount,
    NoticeCount,
    OffenceCount,
    OperationResult,
    ScreeningMonth,
    Statistics,
)


def may_read(principal: Principal) -> None:
    """Refuse (403) private partners: they screen, and learn of others' data only hits."""
    if hits_only(principal) or not (principal.is_operator or principal.has_role(*READERS)):
        raise Forbidden("statistics are read by the staff of authorities, not private partners")


def _allowed(check: Callable[[Principal], None], principal: Principal) -> bool:
    try:
        check(principal)
    except Forbidden:
        return False
    return True


def statistics(session: Session, principal: Principal, *, now: datetime) -> Statistics:
    """Every figure the reader may see, over all years; the consultation is audited."""
    may_read(principal)
    records = reads_records(principal)
    cases = _allowed(case_policy.may_work, principal)
    case_rows = repository.cases(session, principal) if cases else []
    found = Statistics(
        records_by_offence=_by_offence(repository.records_by_offence(session, principal, now=now))
        if records
        else None,
        records_by_country=_by_country(repository.records_by_country(session, principal, now=now))
        if records
        else None,
        cases_by_offence=_case_sections(case_rows) if cases else None,
        cases_by_country=_case_countries(case_rows) if cases else None,
        notices=_notices(repository.notices(session, principal))
        if notice_policy.uses_notices(principal)
        else None,
        screening=_months(repository.screenings(session, principal)),
        operation_results=_results(repository.operation_results(session, principal))
        if cases
        else None,
    )
    audit(
        session,
        action="stats.statistics",
        operation=Operation.consultation,
        principal=principal,
        purpose=repository.PURPOSE,
        detail={name: len(rows) for name, rows in found.figures().items() if rows is not None},
    )
    return found


def _by_offence(rows: Iterable[OffenceCount]) -> list[OffenceCount]:
    return sorted(rows, key=lambda r: (r.year, r.iccs_section))


def _by_country(rows: Iterable[CountryCount]) -> list[CountryCount]:
    return sorted(rows, key=lambda r: (r.year, r.country))


def _case_sections(rows: list[repository.CaseRow]) -> list[OffenceCount]:
    """A case counts once in each ICCS section of its offences."""
    counts: Counter[tuple[int, str]] = Counter()
    for row in rows:
        for section in {code[:2] for code in row.offences} or {NO_OFFENCE}:
            counts[(row.year, section)] += 1
    return _by_offence(
        OffenceCount(year=year, iccs_section=section, count=n)
        for (year, section), n in counts.items()
    )


def _case_countries(rows: list[repository.CaseRow]) -> list[CountryCount]:
    counts = Counter((row.year, row.country) for row in rows)
    return _by_country(
        CountryCount(year=year, country=country, count=n) for (year, country), n in counts.items()
    )


def _notices(rows: Iterable[NoticeCount]) -> list[NoticeCount]:
    """In the order of the kinds and of the workflow."""
    kinds, statuses = list(NoticeKind), list(NoticeStatus)
    return sorted(
        rows,
        key=lambda r: (
            r.year,
            kinds.index(NoticeKind(r.kind)),
            statuses.index(NoticeStatus(r.status)),
        ),
    )


def _months(screenings: Iterable[repository.Screening]) -> list[ScreeningMonth]:
    cells: dict[tuple[int, int], list[int]] = {}
    for screening in screenings:
        cell = cells.setdefault((screening.year, screening.month), [0, 0, 0])
        cell[0] += 1
        cell[1] += screening.names
        cell[2] += screening.hits > 0
    return [
        ScreeningMonth(year=year, month=month, screenings=n, names=names, with_hits=hits)
        for (year, month), (n, names, hits) in sorted(cells.items())
    ]


def _results(sums: Iterable[repository.ResultSum]) -> list[OperationResult]:
    """People and places are counted by kind alone, the rest by item and unit (as an
    action day's own tally does)."""
    totals: Counter[tuple[int, str, str, str, str]] = Counter()
    for s in sums:
        item = "" if s.kind in COUNTED else s.item
        totals[(s.year, s.country, s.kind.value, item, s.unit)] += s.milli
    return [
        OperationResult(
            year=year,
            country=country,
            kind=kind,
            item=item,
            unit=unit,
            quantity=Decimal(milli) / MILLI,
        )
        for (year, country, kind, item, unit), milli in sorted(totals.items())
    ]
