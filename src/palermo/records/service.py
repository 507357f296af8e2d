"""Collecting, altering, consulting, disclosing, combining and erasing records.

Each of the six LED Art. 25 operations writes its audit line here; policy decides who may.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthemoney import model
from sqlalchemy import bindparam, delete, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.db import insert_dicts, insert_rows, mark_transaction, write_at_end
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.base import table_of
from palermo.models.identity import Agency
from palermo.models.records import (
    Disclosure,
    EnvelopeSnapshot,
    Notification,
    Record,
    RecordKey,
    RecordLink,
    RecordOffence,
    RecordPurpose,
    RecordShare,
    RecordVersion,
    Statement,
)
from palermo.models.screening import RecordChange
from palermo.notifications import texts
from palermo.policy.records import AccessContext, Effect, decide, owns, writes_records
from palermo.records import envelopes, names, repository
from palermo.records.entities import (
    IDENTIFYING_TYPES,
    EntityData,
    identifier_key,
    name_tokens,
    parse_entity,
    schema_named,
    search_keys,
)
from palermo.records.envelope import Purpose, RecordStatus
from palermo.records.envelopes import Envelope
from palermo.records.schemas import EnvelopeIn, HitOut, RecordOut, StatementChange, VersionOut
from palermo.settings import Settings
from palermo.translatable import N_, written

AUDIT_CHUNK = 500  # object ids per audit line when many records move at once


@dataclass
class Prepared:
    """A new record, validated, its references resolved, ready to store."""

    record_id: str
    entity: EntityData
    envelope: Envelope


# Marks a transaction that wrote to the change feed: what the feed shows through it may yet
# roll back (see `palermo.screening.index`).
FEED_WRITTEN = "palermo.record_feed_written"


def feed_changes(session: Session, record_ids: Sequence[str]) -> None:
    """New versions of these records' content, for the screening indexes to catch up on."""
    mark_transaction(session, FEED_WRITTEN)
    insert_dicts(session, table_of(RecordChange), [{"record_id": rid} for rid in record_ids])


def owner_for(session: Session, principal: Principal, agency_code: str | None) -> Agency:
    """The agency a principal collects for: their own, or (operator) a hosted one by code."""
    if not writes_records(principal):
        raise Forbidden(N_("your role does not collect intelligence records"))
    if principal.is_operator:
        if not agency_code:
            raise Invalid(N_("the node operator must name the owner agency (--agency CODE)"))
        agency = directory.agency_by_code(session, agency_code)
        if agency is None or agency.id not in principal.acting_agency_ids:
            raise Invalid(
                N_("%(agency_code)s is not an agency hosted on this node"),
                agency_code=repr(agency_code),
            )
        return agency
    if agency_code and agency_code.upper() != principal.agency_code:
        raise Forbidden(N_("you collect records for your own agency only"))
    agency = directory.agency_by_code(session, principal.agency_code or "")
    assert agency is not None
    return agency


def record_id_for(owner: Agency, source_id: str | None) -> str:
    """Ids are namespaced by owner, so two agencies' "p1" never collide."""
    prefix = owner.code.lower()
    if source_id is None:
        return f"{prefix}.{uuid.uuid4().hex}"
    candidate = f"{prefix}.{source_id}"
    if len(candidate) <= 128:
        return candidate
    return f"{prefix}.{hashlib.sha1(source_id.encode()).hexdigest()}"  # noqa: S324 - an id


def resolve_references(
    entity: EntityData, *, owner: Agency, batch: dict[str, str], existing: set[str]
) -> EntityData:
    """Point entity-typed properties at record ids: this batch's, or records already held."""
    if not entity.references:
        return entity
    properties = dict(entity.properties)
    references: dict[str, list[str]] = {}
    for prop, values in entity.references.items():
        resolved = []
        for value in values:
            target = batch.get(value)
            if target is None:
                namespaced = record_id_for(owner, value)
                target = (
                    value if value in existing else namespaced if namespaced in existing else None
                )
            if target is None:
                raise Invalid(
                    N_("%(schema)s.%(prop)s refers to unknown entity %(value)s"),
                    schema=entity.schema.name,
                    prop=prop,
                    value=repr(value),
                )
            resolved.append(target)
        properties[prop] = resolved
        references[prop] = resolved
    return EntityData(entity.source_id, entity.schema, properties, references)


def linkable(
    session: Session,
    principal: Principal,
    owner: Agency,
    entities: Iterable[EntityData],
    purposes: Iterable[Purpose],
    now: datetime,
    *,
    batch: Mapping[str, str] | None = None,
) -> set[str]:
    """The records the entities' references may point at: those the principal may know of
    for the record's purposes. A hidden record is as unknown as one that does not exist."""
    batch = batch or {}
    values = {v for e in entities for vs in e.references.values() for v in vs if v not in batch}
    candidates = values | {record_id_for(owner, v) for v in values}
    return repository.known_ids(
        session, principal=principal, ids=candidates, purposes=purposes, now=now
    )


def store_new(
    session: Session,
    prepared: Sequence[Prepared],
    *,
    principal: Principal,
    owner: Agency,
    origin: str,
    now: datetime,
) -> None:
    """Insert new records with their envelopes in bulk, and audit their collection."""
    if not prepared:
        return
    insert_dicts(
        session,
        table_of(Record),
        [
            {
                "id": p.record_id,
                "schema": p.entity.schema.name,
                "caption": p.entity.caption,
                "owner_agency_id": owner.id,
                "status": RecordStatus.active,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "origin": origin,
                **_envelope_columns(p.envelope),
            }
            for p in prepared
        ],
    )
    _insert_envelope_rows(session, [(p.record_id, p.envelope) for p in prepared])
    _insert_content(session, [(p.record_id, p.entity) for p in prepared], version=1, origin=origin)
    codes = {owner.id: owner.code}
    codes.update(
        repository.agency_codes(
            session, (a for p in prepared for _, a, _, _ in p.envelope.shares if a)
        )
    )
    digests = {
        envelope: snapshot(session, envelope, owner.code, codes)
        for envelope in {p.envelope for p in prepared}  # an import shares one or two
    }
    insert_dicts(
        session,
        table_of(RecordVersion),
        [
            {
                "record_id": p.record_id,
                "version": 1,
                "at": now,
                "actor": principal.username,
                "agency": principal.agency_code or owner.code,
                "operation": "collection",
                "change": {"added": sum(len(v) for v in p.entity.properties.values())},
                "envelope_digest": digests[p.envelope],
            }
            for p in prepared
        ],
    )
    ids = [p.record_id for p in prepared]
    feed_changes(session, ids)
    for start in range(0, len(ids), AUDIT_CHUNK):
        audit(
            session,
            action="record.create",
            operation=Operation.collection,
            principal=principal,
            object_ids=ids[start : start + AUDIT_CHUNK],
            detail={"origin": origin, "owner": owner.code},
        )
    _audit_combinations(session, principal, [(p.record_id, p.entity) for p in prepared])


def _envelope_columns(envelope: Envelope) -> dict[str, Any]:
    return {
        "subject_category": envelope.subject_category,
        "nature": envelope.nature,
        "source_reliability": envelope.source_reliability,
        "information_accuracy": envelope.information_accuracy,
        "handling_code": envelope.handling_code,
        "handling_note": envelope.handling_note,
        "tlp": envelope.tlp,
        "legal_basis": envelope.legal_basis,
        "review_due": envelope.review_due,
        "delete_by": envelope.delete_by,
    }


def _insert_envelope_rows(session: Session, items: Sequence[tuple[str, Envelope]]) -> None:
    purposes = [{"record_id": rid, "purpose": p} for rid, env in items for p in env.purposes]
    shares = [
        {
            "record_id": rid,
            "scope": scope,
            "agency_id": agency_id,
            "country": country,
            "level": level,
        }
        for rid, env in items
        for scope, agency_id, country, level in env.shares
    ]
    offences = [
        {"record_id": rid, "iccs_code": code} for rid, env in items for code in env.offences
    ]
    for table, rows in (
        (RecordPurpose, purposes),
        (RecordShare, shares),
        (RecordOffence, offences),
    ):
        if rows:
            insert_dicts(session, table_of(table), rows)


def _insert_content(
    session: Session, items: Sequence[tuple[str, EntityData]], *, version: int, origin: str
) -> None:
    insert_rows(
        session,
        table_of(Statement),
        ("record_id", "prop", "value", "origin", "added_version"),
        [
            (record_id, prop, value, origin, version)
            for record_id, entity in items
            for prop, values in entity.properties.items()
            for value in values
        ],
    )
    _insert_index(session, items)


def _insert_index(session: Session, items: Sequence[tuple[str, EntityData]]) -> None:
    """Search keys (and the name index they feed) and graph links of the current version."""
    keys = [(record_id, search_keys(entity)) for record_id, entity in items]
    insert_rows(
        session,
        table_of(RecordKey),
        ("record_id", "field", "term"),
        [(record_id, f, t) for record_id, found in keys for f, t in found],
    )
    names.write(
        session, ((record_id, {t for f, t in found if f == "name"}) for record_id, found in keys)
    )
    insert_rows(
        session,
        table_of(RecordLink),
        ("source_id", "prop", "target_id"),
        [
            (record_id, prop, target)
            for record_id, entity in items
            for prop, targets in entity.references.items()
            for target in targets
        ],
    )


def _audit_combinations(
    session: Session, principal: Principal, items: Sequence[tuple[str, EntityData]]
) -> None:
    """A record that links records of other agencies combines their data (LED Art. 25)."""
    targets = {t for _, e in items for ts in e.references.values() for t in ts}
    if not targets:
        return
    owners = dict(
        session.execute(
            select(Record.id, Record.owner_agency_id).where(Record.id.in_(targets))
        ).all()
    )
    mine = principal.acting_agency_ids
    for record_id, entity in items:
        linked = [t for ts in entity.references.values() for t in ts]
        foreign = [t for t in linked if owners.get(t) not in mine]
        if foreign:
            audit(
                session,
                action="record.link",
                operation=Operation.combination,
                principal=principal,
                object_ids=[record_id, *foreign],
                detail={"schema": entity.schema.name},
            )


def snapshot(
    session: Session, envelope: Envelope, owner_code: str, codes: dict[uuid.UUID, str]
) -> str:
    """Store the envelope as versions see it (once) and return its digest."""
    content = envelopes.describe(envelope, owner_code, codes).model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    if session.get(EnvelopeSnapshot, digest) is None:
        session.add(EnvelopeSnapshot(digest=digest, content=content))
        session.flush()
    return digest


# Collection -----------------------------------------------------------------------------
def create_record(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    entity: dict[str, Any],
    envelope: EnvelopeIn,
    owner_code: str | None = None,
    origin: str = "api",
    now: datetime,
) -> Record:
    """Collect one record. Its restrictions are written in the same transaction."""
    owner = owner_for(session, principal, owner_code)
    data = parse_entity(entity)
    record_id = record_id_for(owner, data.source_id)
    if repository.existing_ids(session, [record_id]):
        raise Invalid(
            N_("record %(record_id)s exists already; update it instead"), record_id=record_id
        )
    known = linkable(session, principal, owner, [data], envelope.purposes, now)
    data = resolve_references(data, owner=owner, batch={}, existing=known)
    resolved = envelopes.resolve(
        session, envelope=envelope, entity=data, owner=owner, settings=settings, today=now.date()
    )
    store_new(
        session,
        [Prepared(record_id, data, resolved)],
        principal=principal,
        owner=owner,
        origin=origin,
        now=now,
    )
    record = repository.record_for_update(session, record_id)
    assert record is not None
    return record


# Alteration and erasure ---------------------------------------------------------------
def owned_record(session: Session, principal: Principal, record_id: str) -> Record:
    record = repository.record_for_update(session, record_id)
    if record is None or not owns(principal, record) or record.status is RecordStatus.erased:
        raise NotFound(N_("no record %(record_id)s"), record_id=record_id)
    if not writes_records(principal):
        raise NotFound(N_("no record %(record_id)s"), record_id=record_id)
    return record


def update_record(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    record_id: str,
    properties: dict[str, list[Any]] | None,
    envelope: EnvelopeIn | None,
    widen: bool = False,
    origin: str = "api",
    now: datetime,
) -> Record:
    """Alter a record (a new version). Restrictions only tighten unless the owner's
    supervisor deliberately widens them (Europol Reg. Art. 19(2): the provider decides)."""
    record = owned_record(session, principal, record_id)
    owner = directory.agency_by_code(session, _owner_code(session, record))
    assert owner is not None
    data = parse_entity(
        {"schema": record.schema, "properties": properties}
        if properties is not None
        else {"schema": record.schema, "properties": _current_properties(session, record.id)}
    )
    purposes = envelope.purposes if envelope else [p.purpose for p in record.purposes]
    known = linkable(session, principal, owner, [data], purposes, now)
    data = resolve_references(data, owner=owner, batch={}, existing=known)
    old = envelopes.stored(record)
    new = old
    if envelope is not None:
        new = envelopes.resolve(
            session,
            envelope=envelope,
            entity=data,
            owner=owner,
            settings=settings,
            today=now.date(),
        )
        problems = envelopes.loosenings(old, new)
        if problems and not widen:
            raise Invalid(
                "the change would lower the record's restrictions: "
                + "; ".join(problems)
                + " (only the owner's supervisor may widen them, with widen=true)"
            )
        if problems and not principal.has_role(Role.supervisor, Role.agency_admin):
            raise Forbidden(N_("only a supervisor of the owner agency may widen restrictions"))
    apply_change(
        session,
        record=record,
        principal=principal,
        owner=owner,
        entity=data,
        old=old,
        new=new,
        origin=origin,
        now=now,
        widened=bool(envelope and widen),
    )
    return record


def apply_change(
    session: Session,
    *,
    record: Record,
    principal: Principal,
    owner: Agency,
    entity: EntityData,
    old: Envelope,
    new: Envelope,
    origin: str,
    now: datetime,
    widened: bool = False,
) -> bool:
    """Write a new version if anything changed; tell every recipient of the old one."""
    current = repository.current_statements(session, [record.id]).get(record.id, [])
    before = {(s.prop, s.value): s for s in current}
    after = {(p, v) for p, vs in entity.properties.items() for v in vs}
    removed = [s for key, s in before.items() if key not in after]
    added = sorted(after - set(before))
    if not removed and not added and old == new:
        return False
    version = record.version + 1
    if removed:
        session.execute(
            update(Statement)
            .where(Statement.id.in_([s.id for s in removed]))
            .values(removed_version=version)
        )
    if added:
        session.execute(
            insert(table_of(Statement)),
            [
                {
                    "record_id": record.id,
                    "prop": p,
                    "value": v,
                    "origin": origin,
                    "added_version": version,
                }
                for p, v in added
            ],
        )
    session.execute(delete(RecordKey).where(RecordKey.record_id == record.id))
    names.forget(session, [record.id])
    session.execute(delete(RecordLink).where(RecordLink.source_id == record.id))
    _insert_index(session, [(record.id, entity)])
    if new != old:
        for table in (RecordPurpose, RecordShare, RecordOffence):
            session.execute(delete(table).where(table.record_id == record.id))
        _insert_envelope_rows(session, [(record.id, new)])
    codes = repository.agency_codes(session, [owner.id, *(a for _, a, _, _ in new.shares if a)])
    new_version(
        session,
        record,
        principal=principal,
        operation="alteration",
        change={
            "added": len(added),
            "removed": len(removed),
            "envelope": new != old,
            "widened": widened,
        },
        envelope_digest=snapshot(session, new, owner.code, codes) if new != old else None,
        now=now,
        caption=entity.caption,
        **_envelope_columns(new),
    )
    audit(
        session,
        action="record.update",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[record.id],
        detail={
            "version": version,
            "added": len(added),
            "removed": len(removed),
            "envelope_changed": new != old,
            "widened": widened,
        },
    )
    if removed or added:
        notify_recipients(
            session,
            record.id,
            kind="record.corrected",
            message=written(texts.RECORD_CORRECTED, record=record.id, version=version),
        )
    _audit_combinations(session, principal, [(record.id, entity)])
    session.expire(record)
    return True


def new_version(
    session: Session,
    record: Record,
    *,
    principal: Principal,
    operation: str,
    change: dict[str, Any],
    now: datetime,
    envelope_digest: str | None = None,
    **columns: Any,
) -> int:
    """Bump the record's version, set `columns` on its row and say who changed what."""
    version = record.version + 1
    feed_changes(session, [record.id])
    session.execute(
        update(Record)
        .where(Record.id == record.id)
        .values(version=version, updated_at=now, **columns)
    )
    session.add(
        RecordVersion(
            record_id=record.id,
            version=version,
            at=now,
            actor=principal.username,
            agency=principal.agency_code,
            operation=operation,
            change=change,
            envelope_digest=envelope_digest,
        )
    )
    return version


def erase_record(
    session: Session, *, principal: Principal, record_id: str, reason: str, now: datetime
) -> None:
    """Erase a record's content for good; a tombstone keeps the audit trail's references."""
    record = owned_record(session, principal, record_id)
    if not (principal.is_operator or principal.has_role(Role.supervisor, Role.agency_admin)):
        raise Forbidden(N_("only a supervisor of the owner agency may erase records"))
    erase(session, record=record, principal=principal, reason=reason, now=now)


def erase(
    session: Session, *, record: Record, principal: Principal, reason: str, now: datetime
) -> None:
    if not reason.strip():
        raise Invalid(N_("an erasure needs a reason"))
    for table, column in (
        (Statement, Statement.record_id),
        (RecordKey, RecordKey.record_id),
        (RecordLink, RecordLink.source_id),
    ):
        session.execute(delete(table).where(column == record.id))
    names.forget(session, [record.id])
    new_version(
        session,
        record,
        principal=principal,
        operation="erasure",
        change={"reason": reason.strip()},
        now=now,
        status=RecordStatus.erased,
        caption="(erased)",
    )
    audit(
        session,
        action="record.erase",
        operation=Operation.erasure,
        principal=principal,
        object_ids=[record.id],
        detail={"reason": reason.strip()[:500]},
    )
    notify_recipients(
        session,
        record.id,
        kind="record.erased",
        message=written(texts.RECORD_ERASED, record=record.id),
    )
    session.expire(record)


def notify_recipients(session: Session, record_id: str, *, kind: str, message: str) -> None:
    """LED Art. 7(3)/16: everyone the record was disclosed to hears of its correction."""
    recipients = session.scalars(
        select(Disclosure.agency_id).where(Disclosure.record_id == record_id)
    )
    for agency_id in recipients:
        session.add(
            Notification(agency_id=agency_id, kind=kind, record_id=record_id, message=message)
        )


# Consultation and disclosure -----------------------------------------------------------
def _owner_code(session: Session, record: Record) -> str:
    return repository.agency_codes(session, [record.owner_agency_id])[record.owner_agency_id]


def _current_properties(session: Session, record_id: str) -> dict[str, list[Any]]:
    properties: dict[str, list[Any]] = {}
    for s in repository.current_statements(session, [record_id]).get(record_id, []):
        properties.setdefault(s.prop, []).append(s.value)
    return properties


def full_views(session: Session, ids: Sequence[str]) -> dict[str, RecordOut]:
    records = repository.viewed_records(session, ids)
    properties = repository.current_properties(session, ids)
    codes = repository.agency_codes(
        session,
        [row.owner_agency_id for row, _ in records.values()]
        + [share[1] for _, envelope in records.values() for share in envelope.shares if share[1]],
    )
    return {
        record_id: RecordOut(
            id=row.id,
            schema=row.schema,
            caption=row.caption,
            status=row.status,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            properties=properties.get(record_id, {}),
            envelope=envelopes.describe(envelope, codes[row.owner_agency_id], codes),
        )
        for record_id, (row, envelope) in records.items()
    }


def hit_views(session: Session, ids: Sequence[str]) -> dict[str, HitOut]:
    """The hit-only projection: reference, schema and owner agency, nothing else."""
    rows = session.execute(
        select(Record.id, Record.schema, Record.owner_agency_id).where(Record.id.in_(list(ids)))
    ).all()
    codes = repository.agency_codes(session, [r[2] for r in rows])
    return {r[0]: HitOut(id=r[0], schema=r[1], owner_agency=codes[r[2]]) for r in rows}


# Built once, for each dialect: every full consultation of another agency's record notes its
# disclosure — a first one inserted, a repeated one counted — in one statement.
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_DISCLOSURES = table_of(Disclosure)
_RECEIVED = select(
    Record.id,
    bindparam("agency", type_=_DISCLOSURES.c.agency_id.type),
    bindparam("now", type_=_DISCLOSURES.c.first_at.type),
    bindparam("now", type_=_DISCLOSURES.c.last_at.type),
    literal(1),
).where(Record.id.in_(_IDS), Record.owner_agency_id != bindparam("agency"))


def _disclosure_upsert(insert_of: Any) -> Any:
    statement = insert_of(_DISCLOSURES).from_select(
        ["record_id", "agency_id", "first_at", "last_at", "count"], _RECEIVED
    )
    return statement.on_conflict_do_update(
        index_elements=["record_id", "agency_id"],
        set_={"last_at": statement.excluded.last_at, "count": _DISCLOSURES.c.count + 1},
    )


_DISCLOSED = {
    "sqlite": _disclosure_upsert(sqlite.insert),
    "postgresql": _disclosure_upsert(postgresql.insert),
}


def log_disclosure(
    session: Session, agency_id: uuid.UUID | None, ids: Iterable[str], now: datetime
) -> None:
    """Remember which agency received which record, to tell it of corrections later."""
    if agency_id is None:
        return
    values = {"agency": agency_id, "ids": list(ids), "now": now}

    def disclose(s: Session) -> None:
        s.flush()  # the session's pending work, which Core statements would not see
        connection = s.connection()
        connection.execute(_DISCLOSED[connection.dialect.name], values)

    write_at_end(session, disclose)


def read_record(
    session: Session, *, principal: Principal, context: AccessContext, record_id: str, now: datetime
) -> RecordOut | HitOut:
    """Consult one record: full, hit-only, or 404 — and the decision is audited either way."""
    decision = decide(session, principal, record_id, context.purpose, now=now)
    if decision.effect is Effect.deny:
        audit(
            session,
            action="record.read",
            operation=Operation.authorization,
            principal=principal,
            outcome=Outcome.deny,
            purpose=context.purpose,
            justification=context.justification,
            object_ids=[record_id],
            detail={"reason": decision.reason},
            durable=True,
        )
        raise NotFound(N_("no record %(record_id)s"), record_id=record_id)
    audit(
        session,
        action="record.read",
        operation=Operation.consultation,
        principal=principal,
        outcome=Outcome.allow if decision.effect is Effect.allow else Outcome.success,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[record_id],
        detail={"access": decision.effect.value},
    )
    if decision.effect is Effect.hit_only:
        view = hit_views(session, [record_id])[record_id]
        notify_owner_of_hit(session, principal, view, context)
        return view
    log_disclosure(session, principal.agency_id, [record_id], now)
    return full_views(session, [record_id])[record_id]


def notify_owner_of_hit(
    session: Session, principal: Principal, hit: HitOut, context: AccessContext
) -> None:
    """Interpol RPD Art. 104–106 / Prüm: the owner learns who hit its record, and why."""
    owner = directory.agency_by_code(session, hit.owner_agency)
    if owner is None:
        return
    session.add(
        Notification(
            agency_id=owner.id,
            kind="record.hit",
            record_id=hit.id,
            message=written(
                texts.RECORD_HIT,
                agency=principal.agency_code or principal.username,
                record=hit.id,
                purpose=context.purpose.value,
            ),
        )
    )


@dataclass(frozen=True)
class SearchResult:
    total: int
    items: list[RecordOut | HitOut]


def search_records(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    text: str | None = None,
    prop: str | None = None,
    value: str | None = None,
    schema: str | None = None,
    owner: str | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime,
) -> SearchResult:
    """Search by name and/or property; results come through the policy filter."""

    if not 1 <= limit <= 200:
        raise Invalid(N_("limit must be between 1 and 200"))
    terms = sorted(name_tokens([text])) if text else []
    if text and not terms:
        raise Invalid(N_("the search text has no letters or digits"))
    key_field = key_term = None
    plain_prop = plain_value = None
    if prop:
        if value is None or not value.strip():
            raise Invalid(N_("a property search needs a value"))
        base = schema_named(schema) if schema else model.get("Thing")
        assert base is not None
        prop_def = base.get(prop) or next(
            (d.get(prop) for d in base.descendants if d.get(prop)), None
        )
        if prop_def is None:
            raise Invalid(f"unknown property {prop!r}" + (f" of {schema}" if schema else ""))
        if prop_def.type.name in IDENTIFYING_TYPES:
            key_field, key_term = prop, identifier_key(value)
        else:
            cleaned = prop_def.type.clean(value.strip())
            plain_prop, plain_value = prop, str(cleaned) if cleaned is not None else value.strip()
    elif schema:
        schema_named(schema)
    owner_id = None
    if owner:
        agency = directory.agency_by_code(session, owner)
        if agency is None:
            raise Invalid(N_("unknown agency %(owner)s"), owner=repr(owner))
        owner_id = agency.id
    total, rows = repository.search(
        session,
        principal=principal,
        purpose=context.purpose,
        now=now,
        name_terms=terms,
        key_field=key_field,
        key_term=key_term,
        prop=plain_prop,
        value=plain_value,
        schema=schema,
        owner_id=owner_id,
        limit=limit,
        offset=offset,
    )
    full_ids = [rid for rid, full in rows if full]
    hit_ids = [rid for rid, full in rows if not full]
    fulls = full_views(session, full_ids)
    hits = hit_views(session, hit_ids)
    items: list[RecordOut | HitOut] = [fulls.get(rid) or hits[rid] for rid, _ in rows]
    audit(
        session,
        action="record.search",
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[rid for rid, _ in rows],
        detail={"total": total, "by_name": bool(text), "property": prop, "schema": schema},
    )
    log_disclosure(session, principal.agency_id, full_ids, now)
    for hit in hits.values():
        notify_owner_of_hit(session, principal, hit, context)
    return SearchResult(total=total, items=items)


def record_history(
    session: Session, *, principal: Principal, context: AccessContext, record_id: str, now: datetime
) -> list[VersionOut]:
    """Every version of a record: kept for its owner, who answers for its accuracy."""
    decision = decide(session, principal, record_id, context.purpose, now=now)
    record = repository.record_for_update(session, record_id)
    if decision.effect is Effect.deny or record is None:
        raise NotFound(N_("no record %(record_id)s"), record_id=record_id)
    if not owns(principal, record):
        raise Forbidden(N_("a record's history is kept for its owner agency"))
    versions = session.execute(
        select(RecordVersion, EnvelopeSnapshot.content)
        .outerjoin(EnvelopeSnapshot, RecordVersion.envelope_digest == EnvelopeSnapshot.digest)
        .where(RecordVersion.record_id == record_id)
        .order_by(RecordVersion.version)
    ).all()
    statements = session.scalars(select(Statement).where(Statement.record_id == record_id)).all()
    audit(
        session,
        action="record.history",
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[record_id],
    )

    def changes(version: int, attribute: str) -> list[StatementChange]:
        return [
            StatementChange(prop=s.prop, value=s.value, origin=s.origin)
            for s in statements
            if getattr(s, attribute) == version
        ]

    return [
        VersionOut(
            version=v.version,
            at=v.at,
            actor=v.actor,
            agency=v.agency,
            operation=v.operation,
            added=changes(v.version, "added_version"),
            removed=changes(v.version, "removed_version"),
            envelope=envelope,
        )
        for v, envelope in versions
    ]
