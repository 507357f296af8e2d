"""Every query on records. Lists and searches take the principal and apply policy's filter."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from followthemoney import model
from sqlalchemy import Select, case, exists, func, intersect, select
from sqlalchemy.orm import Session, selectinload

from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.records import Record, RecordKey, Statement
from palermo.policy.records import Visibility, visibility
from palermo.records.envelope import Purpose


def _with_envelope() -> Select[Record]:
    return select(Record).options(
        selectinload(Record.purposes), selectinload(Record.shares), selectinload(Record.offences)
    )


def record_for_update(session: Session, record_id: str) -> Record | None:
    """One record with its envelope; the caller has checked the principal's rights."""
    return session.scalar(_with_envelope().where(Record.id == record_id))


def records_with_envelopes(session: Session, ids: Sequence[str]) -> dict[str, Record]:
    rows = session.scalars(_with_envelope().where(Record.id.in_(ids)))
    return {r.id: r for r in rows}


def current_statements(session: Session, ids: Iterable[str]) -> dict[str, list[Statement]]:
    by_record: dict[str, list[Statement]] = defaultdict(list)
    rows = session.scalars(
        select(Statement)
        .where(Statement.record_id.in_(list(ids)), Statement.removed_version.is_(None))
        .order_by(Statement.id)
    )
    for statement in rows:
        by_record[statement.record_id].append(statement)
    return by_record


def agency_codes(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(wanted))).all())


def existing_ids(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = list(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(Record.id).where(Record.id.in_(chunk))))
    return found


def schema_and_descendants(name: str) -> list[str]:
    schema = model.get(name)
    if schema is None:
        return [name]
    return sorted({schema.name, *(d.name for d in schema.descendants)})


def search(
    session: Session,
    *,
    principal: Principal,
    purpose: Purpose,
    now: datetime,
    name_terms: Sequence[str] = (),
    key_field: str | None = None,
    key_term: str | None = None,
    prop: str | None = None,
    value: str | None = None,
    schema: str | None = None,
    owner_id: uuid.UUID | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[tuple[str, bool]]]:
    """Records the principal may see that match: (total, [(record id, full access)])."""
    rules: Visibility = visibility(principal, purpose, now=now)
    conditions = [rules.any]
    # Candidates come from the key index first (IN on the primary key lets the database
    # drive the query from the few matching keys instead of scanning every record).
    keyed = [("name", term) for term in name_terms]
    if key_field and key_term:
        keyed.append((key_field, key_term))
    if keyed:
        sets = [
            select(RecordKey.record_id).where(RecordKey.field == f, RecordKey.term == t)
            for f, t in keyed
        ]
        conditions.append(Record.id.in_(intersect(*sets) if len(sets) > 1 else sets[0]))
    if prop and value is not None:
        conditions.append(
            exists(
                select(Statement.id).where(
                    Statement.record_id == Record.id,
                    Statement.prop == prop,
                    Statement.value == value,
                    Statement.removed_version.is_(None),
                )
            )
        )
    if schema:
        conditions.append(Record.schema.in_(schema_and_descendants(schema)))
    if owner_id:
        conditions.append(Record.owner_agency_id == owner_id)
    total = session.scalar(select(func.count()).select_from(Record).where(*conditions)) or 0
    # A CASE, not the bare predicate: a constant `false` would render as ORDER BY 0.
    full = case((rules.full, 1), else_=0)
    # Hit-only rows sort by reference, so their order reveals nothing of their content.
    rows = session.execute(
        select(Record.id, full)
        .where(*conditions)
        .order_by(full.desc(), case((rules.full, Record.caption), else_=Record.id), Record.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [(row[0], bool(row[1])) for row in rows]


def known_ids(
    session: Session,
    *,
    principal: Principal,
    ids: Iterable[str],
    purposes: Iterable[Purpose],
    now: datetime,
) -> set[str]:
    """The records among `ids` the principal may know of (in full or as a hit) for one of
    `purposes`: what a new record may link to without revealing hidden records."""
    wanted = list(set(ids))
    found: set[str] = set()
    for purpose in set(purposes):
        rules = visibility(principal, purpose, now=now)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(session.scalars(select(Record.id).where(Record.id.in_(chunk), rules.any)))
    return found
