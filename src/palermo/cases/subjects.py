"""The records a case is about. A subject keeps its envelope: each member sees of it what the
records policy lets that member see — in full, as a hit, or only that a member holds one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.cases.timeline import SUBJECT_ADDED, changed
from palermo.errors import Conflict
from palermo.identity.principal import Principal
from palermo.models.cases import Case, CaseSubject
from palermo.models.records import Record
from palermo.policy import cases as policy
from palermo.policy.records import visibility
from palermo.records.envelope import Purpose
from palermo.records.repository import agency_codes
from palermo.translatable import N_, written

PURPOSE = Purpose.criminal_investigation


def add_subject(
    session: Session, *, principal: Principal, case: Case, record_id: str, now: datetime
) -> CaseSubject:
    """A member adds a record it sees in full."""
    member = policy.contributor(session, principal, case)
    policy.require_record(session, principal, record_id, now)
    if session.get(CaseSubject, (case.id, record_id)) is not None:
        raise Conflict(
            N_("%(record_id)s is already a subject of %(reference)s"),
            record_id=record_id,
            reference=case.reference,
        )
    subject = CaseSubject(
        case_id=case.id, record_id=record_id, agency_id=member.agency_id, added_at=now
    )
    session.add(subject)
    schema = session.scalar(select(Record.schema).where(Record.id == record_id))
    # The timeline is read by every member: it names the record, never its caption, which
    # some members may not be allowed to see.
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.subject",
        operation=Operation.combination,
        summary=written(SUBJECT_ADDED, schema=schema, record=record_id),
        now=now,
        object_ids=[record_id],
    )
    session.flush()
    return subject


@dataclass(frozen=True)
class SubjectView:
    record_id: str
    schema: str
    caption: str | None  # None: a hit only
    owner: str
    added_by: str


@dataclass(frozen=True)
class Subjects:
    seen: list[SubjectView]
    # Subjects the reader may not see, by the agency that added them: ask it.
    withheld: dict[str, int]


def subjects(session: Session, principal: Principal, case: Case, *, now: datetime) -> Subjects:
    rules = visibility(principal, PURPOSE, now=now)
    rows = session.execute(
        select(CaseSubject, Record.schema, Record.caption, Record.owner_agency_id, rules.full)
        .join(Record, Record.id == CaseSubject.record_id)
        .where(CaseSubject.case_id == case.id, rules.any)
        .order_by(CaseSubject.added_at, Record.caption)
    ).all()
    seen_ids = {row[0].record_id for row in rows}
    hidden = session.execute(
        select(CaseSubject.agency_id).where(
            CaseSubject.case_id == case.id, CaseSubject.record_id.not_in(seen_ids)
        )
    ).scalars()
    hidden_by = Counter(hidden)
    codes = agency_codes(
        session, {r[3] for r in rows} | {r[0].agency_id for r in rows} | set(hidden_by)
    )
    views = [
        SubjectView(
            record_id=subject.record_id,
            schema=schema,
            caption=caption if full else None,
            owner=codes[owner],
            added_by=codes[subject.agency_id],
        )
        for subject, schema, caption, owner, full in rows
    ]
    audit(
        session,
        action="cases.subjects",
        operation=Operation.consultation,
        principal=principal,
        purpose=PURPOSE,
        object_ids=[case.id, *seen_ids],
    )
    return Subjects(seen=views, withheld={codes[a]: n for a, n in hidden_by.items()})
