"""FtM JSON lines in and out: all-or-nothing imports, exports of what the caller may see."""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthemoney import model
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid, PalermoError
from palermo.helpers import helper_process
from palermo.identity.principal import Principal
from palermo.models.records import Record
from palermo.policy.records import AccessContext, owns, visibility
from palermo.records import envelopes, repository
from palermo.records.entities import MAX_ENTITY_JSON, EntityData, parse_entity
from palermo.records.schemas import EnvelopeIn
from palermo.records.service import (
    AUDIT_CHUNK,
    Prepared,
    apply_change,
    full_views,
    linkable,
    log_disclosure,
    owner_for,
    record_id_for,
    resolve_references,
    store_new,
)
from palermo.settings import Settings
from palermo.translatable import N_

CHUNK = 2000  # entities validated and written together
PARALLEL_FROM = 20_000  # lines; below this a worker process costs more than it saves
PARSE_AHEAD = 2  # chunks the worker may run ahead of the writer
OPTIMIZE_AFTER = 10_000  # records: a large import refreshes SQLite's planner statistics
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse_if_bad(self) -> None:
        """All or nothing: any bad line refuses the whole file, naming every one."""
        if self.errors:
            raise Invalid(
                N_("%(errors)s bad line(s); nothing was imported"),
                details=self.errors[:MAX_REPORTED_ERRORS],
                errors=len(self.errors),
            )


def lines_of(content: bytes) -> list[str]:
    """An uploaded file's lines; a file that is not UTF-8 is refused, saying where."""
    try:
        return content.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise Invalid(N_("the file is not UTF-8 (byte %(start)s)"), start=error.start) from None


def _decode(line: str) -> dict[str, Any]:
    if len(line) > MAX_ENTITY_JSON:
        raise Invalid(
            N_("line longer than %(max_entity_json)s characters: not read"),
            max_entity_json=MAX_ENTITY_JSON,
        )
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise Invalid(
            N_("not valid JSON (%(msg)s at column %(colno)s)"), msg=error.msg, colno=error.colno
        ) from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        raise Invalid(N_("not valid JSON (a number too long or nesting too deep)")) from None
    if not isinstance(data, dict):
        raise Invalid(N_("a line must hold one JSON object"))
    return data


def source_ids(lines: Iterable[str]) -> tuple[dict[str, int], int]:
    """First pass: every entity id in the file with its line (so references may point
    ahead), and the number of lines."""
    ids: dict[str, int] = {}
    number = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entity_id = _decode(line).get("id")
        except Invalid:
            continue  # reported by the second pass
        if isinstance(entity_id, str) and entity_id.strip() and entity_id.strip() not in ids:
            ids[entity_id.strip()] = number
    return ids, number


# A parsed line: (number, entity) or (number, the reason it was refused).
Parsed = tuple[int, EntityData | str]
Entry = tuple[int, EntityData]  # a valid line: its number and its entity


def parse_lines(numbered: list[tuple[int, str]]) -> list[tuple[int, tuple[Any, ...] | str]]:
    """Validate a chunk of lines. Runs in a worker process for large files, so it returns
    plain values (schema by name) that pickle cheaply."""
    parsed: list[tuple[int, tuple[Any, ...] | str]] = []
    for number, line in numbered:
        try:
            entity = parse_entity(_decode(line))
        except PalermoError as error:
            parsed.append((number, error.message))
            continue
        parsed.append(
            (number, (entity.source_id, entity.schema.name, entity.properties, entity.references))
        )
    return parsed


def _entities(chunk: list[tuple[int, tuple[Any, ...] | str]]) -> list[Parsed]:
    return [
        (number, item if isinstance(item, str) else EntityData(item[0], model[item[1]], *item[2:]))
        for number, item in chunk
    ]


def _chunks(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            chunk.append((number, line))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parsed_chunks(lines: Iterable[str], *, parallel: bool) -> Iterator[list[Parsed]]:
    """The file's entities chunk by chunk. On a large file a second process validates the
    next chunks while this one writes (FtM cleaning costs as much as SQLite's inserts)."""
    if not parallel:
        for chunk in _chunks(lines):
            yield _entities(parse_lines(chunk))
        return
    with helper_process() as pool:
        window: deque[Future[list[tuple[int, tuple[Any, ...] | str]]]] = deque()
        for chunk in _chunks(lines):
            window.append(pool.submit(parse_lines, chunk))
            if len(window) > PARSE_AHEAD:
                yield _entities(window.popleft().result())
        while window:
            yield _entities(window.popleft().result())


def import_ftm(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    lines: Callable[[], Iterable[str]],
    envelope: EnvelopeIn,
    owner_code: str | None,
    origin: str,
    now: datetime,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> ImportReport:
    """Import FtM JSON lines under one envelope, all or nothing.

    `lines` is called twice (ids first, then content). Every bad line is reported with its
    number and reason; if there is any, nothing is written (the caller's transaction rolls
    back). Existing records are updated, but an import never lowers their restrictions.
    """
    owner = owner_for(session, principal, owner_code)
    resolver = EnvelopeResolver(session, envelope=envelope, owner=owner, settings=settings, now=now)
    ids, total = source_ids(lines())
    batch = {source: record_id_for(owner, source) for source in ids}
    report = ImportReport(lines=total)
    for chunk in parsed_chunks(lines(), parallel=_parallel(total)):
        pending = _accepted(chunk, ids, report)
        _import_chunk(
            session, principal, settings, owner, resolver, pending, batch, report, origin, now
        )
        on_progress(chunk[-1][0])
    on_progress(total)
    if report.created > OPTIMIZE_AFTER and session.get_bind().dialect.name == "sqlite":
        # Let SQLite's planner learn the new sizes (it then starts searches from the keys).
        session.execute(text("PRAGMA optimize"))
    report.refuse_if_bad()
    return report


def check_ftm(
    lines: Callable[[], Iterable[str]],
    *,
    on_progress: Callable[[int, int], None],
) -> dict[str, int]:
    """The checks of `import_ftm` that need no database — each line one JSON object, a valid
    FtM entity, its id not given before — over the whole file, writing nothing. A background
    import runs them first so that the progress it commits meanwhile commits no write (see
    `palermo.imports.service`); `on_progress` gets the lines checked and the file's lines.

    Raises `Invalid` naming every bad line as `import_ftm` does; else the entity ids with
    their lines, in the file's order."""
    ids, total = source_ids(lines())
    report = ImportReport(lines=total)
    on_progress(0, total)
    for chunk in parsed_chunks(lines(), parallel=_parallel(total)):
        _accepted(chunk, ids, report)
        on_progress(chunk[-1][0], total)
    report.refuse_if_bad()
    return ids


def _parallel(lines: int) -> bool:
    return lines >= PARALLEL_FROM and (os.cpu_count() or 1) > 1


def _accepted(chunk: list[Parsed], ids: dict[str, int], report: ImportReport) -> list[Entry]:
    """The chunk's valid entities; the bad lines and the ids given again go to the report."""
    pending: list[Entry] = []
    for number, item in chunk:
        if isinstance(item, str):
            _fail(report, number, item)
        elif item.source_id and ids.get(item.source_id) != number:
            first = ids[item.source_id]
            _fail(report, number, f"id {item.source_id!r} appears again (first on line {first})")
        else:
            pending.append((number, item))
    return pending


class EnvelopeResolver:
    """One import, one envelope: resolved once for persons and once for everything else."""

    def __init__(
        self,
        session: Session,
        *,
        envelope: EnvelopeIn,
        owner: Any,
        settings: Settings,
        now: datetime,
    ) -> None:
        self.session, self.owner, self.settings, self.today = session, owner, settings, now.date()
        self.person = envelope
        self.purposes = envelope.purposes
        self.thing = envelope.model_copy(update={"subject_category": None})
        self.resolved: dict[bool, envelopes.Envelope | PalermoError] = {}

    def __call__(self, entity: EntityData) -> envelopes.Envelope:
        if entity.is_person not in self.resolved:
            try:
                self.resolved[entity.is_person] = envelopes.resolve(
                    self.session,
                    envelope=self.person if entity.is_person else self.thing,
                    entity=entity,
                    owner=self.owner,
                    settings=self.settings,
                    today=self.today,
                )
            except PalermoError as error:
                self.resolved[entity.is_person] = error
        outcome = self.resolved[entity.is_person]
        if isinstance(outcome, PalermoError):
            raise outcome
        return outcome


def _fail(report: ImportReport, line: int, problem: str) -> None:
    report.errors.append({"line": line, "problem": problem})


def _import_chunk(
    session: Session,
    principal: Principal,
    settings: Settings,
    owner: Any,
    resolver: EnvelopeResolver,
    pending: Sequence[Entry],
    batch: dict[str, str],
    report: ImportReport,
    origin: str,
    now: datetime,
) -> None:
    if not pending:
        return
    record_ids = [record_id_for(owner, e.source_id) if e.source_id else None for _, e in pending]
    existing = repository.existing_ids(session, [r for r in record_ids if r])
    known = linkable(
        session, principal, owner, [e for _, e in pending], resolver.purposes, now, batch=batch
    )
    fresh: list[Prepared] = []
    changes: list[tuple[int, str, EntityData, envelopes.Envelope]] = []
    for (number, entity), record_id in zip(pending, record_ids, strict=True):
        try:
            entity = resolve_references(entity, owner=owner, batch=batch, existing=known)
            resolved = resolver(entity)
        except PalermoError as error:
            _fail(report, number, error.message)
            continue
        rid = record_id or record_id_for(owner, None)
        if rid in existing:
            changes.append((number, rid, entity, resolved))
        else:
            fresh.append(Prepared(rid, entity, resolved))
    updates = _check_updates(session, principal, changes, report)
    if report.errors:
        return  # keep validating the rest of the file, write nothing more
    store_new(session, fresh, principal=principal, owner=owner, origin=origin, now=now)
    report.created += len(fresh)
    for record, entity, new in updates:
        changed = apply_change(
            session,
            record=record,
            principal=principal,
            owner=owner,
            entity=entity,
            old=envelopes.stored(record),
            new=new,
            origin=origin,
            now=now,
        )
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _check_updates(
    session: Session,
    principal: Principal,
    changes: Sequence[tuple[int, str, EntityData, envelopes.Envelope]],
    report: ImportReport,
) -> list[tuple[Record, EntityData, envelopes.Envelope]]:
    """An import may update its owner's records, never lower their restrictions."""
    records = repository.records_with_envelopes(session, [rid for _, rid, _, _ in changes])
    accepted = []
    for number, record_id, entity, new in changes:
        record = records[record_id]
        if not owns(principal, record):
            _fail(report, number, f"record {record_id} belongs to another agency")
            continue
        if record.schema != entity.schema.name:
            _fail(
                report,
                number,
                f"record {record_id} is a {record.schema}, not a {entity.schema.name}",
            )
            continue
        problems = envelopes.loosenings(envelopes.stored(record), new)
        if problems:
            _fail(report, number, "an import cannot lower restrictions: " + "; ".join(problems))
            continue
        accepted.append((record, entity, new))
    return accepted


def export_ftm(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str | None = None,
    now: datetime,
) -> Iterator[dict[str, Any]]:
    """Every record the caller may fully see, as FtM JSON with its envelope beside it.

    Hit-only records are not exported: their existence is all the caller may know.
    """
    rules = visibility(principal, context.purpose, now=now)
    query = select(Record.id).where(rules.full).order_by(Record.id)
    if schema:
        query = query.where(Record.schema.in_(repository.schema_and_descendants(schema)))
    last = ""
    while True:
        ids = list(session.scalars(query.where(Record.id > last).limit(AUDIT_CHUNK)))
        if not ids:
            return
        yield from disclose(session, principal=principal, context=context, ids=ids, now=now)
        last = ids[-1]


def disclose(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    ids: Sequence[str],
    now: datetime,
) -> Iterator[dict[str, Any]]:
    """Records the caller sees in full, leaving the system as FtM JSON with their envelopes."""
    for start in range(0, len(ids), AUDIT_CHUNK):
        chunk = list(ids[start : start + AUDIT_CHUNK])
        views = full_views(session, chunk)
        log_export(session, principal=principal, context=context, ids=chunk, now=now)
        for record_id in chunk:
            view = views[record_id]
            yield {
                "id": view.id,
                "schema": view.schema_,
                "properties": view.properties,
                "envelope": view.envelope.model_dump(mode="json"),
            }


def log_export(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    ids: Sequence[str],
    now: datetime,
) -> None:
    """Records leaving the system in a file: an audit line per chunk and a disclosure note
    (so that corrections and erasures reach the recipient)."""
    for start in range(0, len(ids), AUDIT_CHUNK):
        chunk = list(ids[start : start + AUDIT_CHUNK])
        audit(
            session,
            action="record.export",
            operation=Operation.disclosure,
            principal=principal,
            purpose=context.purpose,
            justification=context.justification,
            object_ids=chunk,
            recipients=[principal.agency_code or principal.username],
        )
        log_disclosure(session, principal.agency_id, chunk, now)
