"""Every query of the statistics. Each takes the reader and puts the policy's filter in its
WHERE clause, so what the reader may not see is never counted; the counting is done by the
database, except where a figure sits in JSON (a case's offences, a screening's audit line),
which the two databases read differently — those rows are read under the same filters and
counted here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Label,
    cast,
    distinct,
    exists,
    extract,
    func,
    literal_column,
    not_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from palermo.cases.vocabulary import ResultKind
from palermo.identity.principal import Principal
from palermo.models.audit import AuditEvent
from palermo.models.cases import ActionDay, ActionResult, Case
from palermo.models.identity import Agency
from palermo.models.notices import Notice
from palermo.models.records import Record, RecordOffence
from palermo.models.screening import ListEntry
from palermo.policy import cases as case_policy
from palermo.policy import notices as notice_policy
from palermo.policy.records import visibility
from palermo.records.envelope import Purpose
from palermo.stats.schemas import NO_OFFENCE, CountryCount, NoticeCount, OffenceCount

# Statistics are strategic analysis: records count for whom they may be analysed.
PURPOSE = Purpose.criminal_analysis
SCREENING = "screening.search"  # the audit action of every screening (screening.service)


def _year(column: InstrumentedAttribute[date] | InstrumentedAttribute[datetime]) -> Label[int]:
    return cast(extract("year", column), Integer).label("year")


def _section(code: InstrumentedAttribute[str]) -> Label[str]:
    # Literal bounds: PostgreSQL matches a GROUP BY expression to the selected one only when
    # both are written alike, and two bound parameters are never alike.
    return func.substr(code, literal_column("1"), literal_column("2")).label("section")


def _counted_records(principal: Principal, now: datetime) -> list[ColumnElement[bool]]:
    """Records the reader sees in full for analysis; watch-list entries left out."""
    listed = exists(select(ListEntry.record_id).where(ListEntry.record_id == Record.id))
    return [visibility(principal, PURPOSE, now=now).full, not_(listed)]


def records_by_offence(
    session: Session, principal: Principal, *, now: datetime
) -> list[OffenceCount]:
    """A record counts once in each ICCS section of its offence codes (a record naming
    0601 and 06011 counts once in 06), or under NO_OFFENCE."""
    year, section = _year(Record.created_at), _section(RecordOffence.iccs_code)
    rows = session.execute(
        select(year, section, func.count(distinct(Record.id)))
        .outerjoin(RecordOffence, RecordOffence.record_id == Record.id)
        .where(*_counted_records(principal, now))
        .group_by(year, section)
    )
    return [OffenceCount(year=y, iccs_section=s or NO_OFFENCE, count=n) for y, s, n in rows]


def records_by_country(
    session: Session, principal: Principal, *, now: datetime
) -> list[CountryCount]:
    """Records by their owner agency's country."""
    year = _year(Record.created_at)
    rows = session.execute(
        select(year, Agency.country, func.count(Record.id))
        .join(Agency, Agency.id == Record.owner_agency_id)
        .where(*_counted_records(principal, now))
        .group_by(year, Agency.country)
    )
    return [CountryCount(year=y, country=c, count=n) for y, c, n in rows]


@dataclass(frozen=True)
class CaseRow:
    year: int
    country: str  # the lead agency's
    offences: list[str]


def cases(session: Session, principal: Principal) -> list[CaseRow]:
    """The cases the reader's agencies are members of (the offences are a JSON list)."""
    rows = session.execute(
        select(_year(Case.opened_on), Agency.country, Case.offences)
        .join(Agency, Agency.id == Case.lead_agency_id)
        .where(case_policy.member_of(principal))
    )
    return [CaseRow(year=y, country=c, offences=list(o)) for y, c, o in rows]


def notices(session: Session, principal: Principal) -> list[NoticeCount]:
    year = _year(Notice.created_at)
    rows = session.execute(
        select(year, Notice.kind, Notice.status, func.count(Notice.id))
        .where(notice_policy.visible(session, principal))
        .group_by(year, Notice.kind, Notice.status)
    )
    return [NoticeCount(year=y, kind=k.value, status=s.value, count=n) for y, k, s, n in rows]


@dataclass(frozen=True)
class Screening:
    """One screening as its audit line tells it."""

    year: int
    month: int
    names: int
    hits: int  # records found


def screenings(session: Session, principal: Principal) -> list[Screening]:
    """The screenings of the reader's agencies (audit lines are marked with the agency's
    code; the figures sit in the line's JSON)."""
    codes = select(Agency.code).where(Agency.id.in_(principal.acting_agency_ids))
    found = []
    for at, entry in session.execute(
        select(AuditEvent.at, AuditEvent.entry).where(
            AuditEvent.action == SCREENING, AuditEvent.agency.in_(codes)
        )
    ):
        content = json.loads(entry)
        found.append(
            Screening(
                year=int(at[:4]),  # ISO 8601 text, "2026-03-04T…Z"
                month=int(at[5:7]),
                names=int(content["detail"].get("queries", 0)),
                hits=len(content.get("object_ids", [])),
            )
        )
    return found


@dataclass(frozen=True)
class ResultSum:
    year: int
    country: str
    kind: ResultKind
    item: str  # in lower case
    unit: str
    milli: int


def operation_results(session: Session, principal: Principal) -> list[ResultSum]:
    """Results of the action days of the reader's cases, summed by year, country, kind, item
    and unit."""
    year, item = _year(ActionResult.reported_at), func.lower(ActionResult.item).label("item")
    rows = session.execute(
        select(
            year,
            ActionResult.country,
            ActionResult.kind,
            item,
            ActionResult.unit,
            func.sum(ActionResult.quantity_milli),
        )
        .join(ActionDay, ActionDay.id == ActionResult.action_day_id)
        .join(Case, Case.id == ActionDay.case_id)
        .where(case_policy.member_of(principal))
        .group_by(year, ActionResult.country, ActionResult.kind, item, ActionResult.unit)
    )
    return [ResultSum(y, c, k, i, u, int(m)) for y, c, k, i, u, m in rows]
