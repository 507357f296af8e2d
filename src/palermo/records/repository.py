"""Every query on records. Lists and searches take the principal and apply policy's filter."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from followthemoney import model
from sqlalchemy import Select, bindparam, case, exists, func, intersect, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import BindParameter

from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.records import (
    Record,
    RecordKey,
    RecordOffence,
    RecordPurpose,
    RecordShare,
    Statement,
)
from palermo.policy.records import Visibility, visibility
from palermo.records import names
from palermo.records.envelope import Purpose
from palermo.records.envelopes import Envelope, Share, of_columns


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


# A record's columns as its view shows them, besides its envelope's rows.
_VIEWED = (
    Record.id,
    Record.schema,
    Record.caption,
    Record.status,
    Record.version,
    Record.created_at,
    Record.updated_at,
    Record.owner_agency_id,
    Record.subject_category,
    Record.nature,
    Record.source_reliability,
    Record.information_accuracy,
    Record.handling_code,
    Record.handling_note,
    Record.tlp,
    Record.legal_basis,
    Record.review_due,
    Record.delete_by,
)


# Built once: the statements of every consultation, bound to the records asked for.
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_VIEWED_BY_ID = select(*_VIEWED).where(Record.id.in_(_IDS))
_PURPOSES_BY_ID = select(RecordPurpose.record_id, RecordPurpose.purpose).where(
    RecordPurpose.record_id.in_(_IDS)
)
_SHARES_BY_ID = select(
    RecordShare.record_id,
    RecordShare.scope,
    RecordShare.agency_id,
    RecordShare.country,
    RecordShare.level,
).where(RecordShare.record_id.in_(_IDS))
_OFFENCES_BY_ID = select(RecordOffence.record_id, RecordOffence.iccs_code).where(
    RecordOffence.record_id.in_(_IDS)
)
_CODES_BY_ID = select(Agency.id, Agency.code).where(Agency.id.in_(_IDS))
_PROPERTIES_BY_ID = (
    select(Statement.record_id, Statement.prop, Statement.value)
    .where(Statement.record_id.in_(_IDS), Statement.removed_version.is_(None))
    .order_by(Statement.id)
)


def viewed_records(session: Session, ids: Sequence[str]) -> dict[str, tuple[Any, Envelope]]:
    """Records with their envelopes, as views and lists show them: Core queries, no ORM
    objects (every consultation reads them, and the objects cost more than the queries)."""
    wanted = {"ids": list(ids)}
    session.flush()  # the session's pending work, which Core queries would not see
    connection = session.connection()
    rows: Sequence[Any] = connection.execute(_VIEWED_BY_ID, wanted).all()
    purposes: dict[str, list[Purpose]] = defaultdict(list)
    for record_id, purpose in connection.execute(_PURPOSES_BY_ID, wanted):
        purposes[record_id].append(purpose)
    shares: dict[str, list[Share]] = defaultdict(list)
    for record_id, *share in connection.execute(_SHARES_BY_ID, wanted):
        shares[record_id].append(tuple(share))  # type: ignore[arg-type]
    offences: dict[str, list[str]] = defaultdict(list)
    for record_id, code in connection.execute(_OFFENCES_BY_ID, wanted):
        offences[record_id].append(code)
    return {
        row.id: (
            row,
            of_columns(
                row, purposes=purposes[row.id], shares=shares[row.id], offences=offences[row.id]
            ),
        )
        for row in rows
    }


def current_properties(session: Session, ids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """The records' current property values, in the order they were stated."""
    by_record: dict[str, dict[str, list[str]]] = defaultdict(dict)
    session.flush()
    for record_id, prop, value in session.connection().execute(
        _PROPERTIES_BY_ID, {"ids": list(ids)}
    ):
        by_record[record_id].setdefault(prop, []).append(value)
    return by_record


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
    session.flush()
    return dict(session.connection().execute(_CODES_BY_ID, {"ids": wanted}).all())


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
    # Names through SQLite's full-text index (see `names`), through the keys elsewhere.
    indexed = bool(name_terms) and names.kept(session)
    keyed = [] if indexed else [("name", term) for term in name_terms]
    if indexed:
        conditions.append(Record.id.in_(names.holding(name_terms)))
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
    # One pass over the candidates decides each once, for the page and the total alike (the
    # window function keeps the database from folding the subquery back and deciding again).
    # A CASE, not the bare predicate: a constant `false` would render as ORDER BY 0.
    visible = (
        select(Record.id, Record.caption, case((rules.full, 1), else_=0).label("full"))
        .where(*conditions)
        .subquery()
    )
    # Hit-only rows sort by reference, so their order reveals nothing of their content.
    rows = session.execute(
        select(visible.c.id, visible.c.full, func.count().over())
        .order_by(
            visible.c.full.desc(),
            case((visible.c.full == 1, visible.c.caption), else_=visible.c.id),
            visible.c.id,
        )
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        total = rows[0][2]
    else:  # past the last page (or nothing at all): the total alone
        total = session.scalar(select(func.count()).select_from(visible)) if offset else 0
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
