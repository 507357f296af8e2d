"""Screening: is this person, company, document or account known — and what may be said.

Candidates come from the index, policy decides in SQL which of them the caller may know of
(in full or as a hit only), only those are scored, and the answer is audited and the owners
of hit records are told. Private partners (banks) only ever receive hit-only answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Forbidden, NotFound
from palermo.identity.principal import Principal
from palermo.models.records import Notification, Record
from palermo.models.screening import ListEntry
from palermo.notices import hits as notice_hits
from palermo.policy.records import (
    AccessContext,
    Effect,
    Visibility,
    decide,
    hits_only,
    prepared_visibility,
    reads_records,
)
from palermo.records import repository
from palermo.records.schemas import HitOut
from palermo.records.service import log_disclosure, notify_owner_of_hit
from palermo.screening.entries import Entry
from palermo.screening.index import Candidate, Page, ScreeningIndex, index_for
from palermo.screening.schemas import ScreenHit
from palermo.screening.scoring import (
    ALGORITHM,
    THRESHOLD,
    Match,
    ScreeningQuery,
    best_matches,
)
from palermo.translatable import N_

CANDIDATES = 50  # visible candidates scored per query
MAX_SCANNED = 1000  # index hits read per query at most, looking past hidden ones
RELEVANT_SHARE = 0.6  # ...while they score at least this share of the best retrieval
MIN_SCORE = 0.5  # below this a candidate is not worth an officer's time
CHUNK = 200  # queries whose candidates go through policy in one SQL statement


@dataclass(frozen=True)
class Visible:
    full: bool
    schema: str
    caption: str
    owner_agency_id: uuid.UUID
    origin: str


def current_index(session: Session) -> ScreeningIndex:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    index = index_for(engine)
    index.refresh(session)
    return index


@lru_cache(maxsize=512)
def _visible_query(rules: Visibility) -> Select[str, Any, str, str, uuid.UUID, str]:
    return select(
        Record.id,
        rules.full,
        Record.schema,
        Record.caption,
        Record.owner_agency_id,
        Record.origin,
    ).where(Record.id.in_(bindparam("ids", expanding=True)), rules.any)


def _visible(
    session: Session, principal: Principal, context: AccessContext, ids: set[str], now: datetime
) -> dict[str, Visible]:
    query = _visible_query(prepared_visibility(principal, context.purpose))
    found: dict[str, Visible] = {}
    wanted = sorted(ids)
    session.flush()  # the session's pending work, which a Core query would not see
    connection = session.connection()
    for start in range(0, len(wanted), 500):
        rows = connection.execute(query, {"ids": wanted[start : start + 500], "now": now})
        for rid, full, schema, caption, owner, origin in rows:
            found[rid] = Visible(bool(full), schema, caption, owner, origin)
    return found


def _schemas(query: ScreeningQuery) -> list[str]:
    """The query's schema and its descendants; with a document number, identity papers too
    (a passport is often its own record, linked to its holder)."""
    wanted = _descendants(query.schema)
    return wanted + _descendants("Identification") if query.document else wanted


@cache
def _descendants(schema: str) -> list[str]:
    return repository.schema_and_descendants(schema)


def _ids(candidates: Iterable[Candidate]) -> set[str]:
    return {c.entry.record_id for c in candidates}


def _enough_visible(
    session: Session,
    principal: Principal,
    context: AccessContext,
    index: ScreeningIndex,
    query: ScreeningQuery,
    page: Page,
    visible: dict[str, Visible],
    now: datetime,
) -> list[Candidate]:
    """The query's candidates the caller may know of. When others' hidden records (many
    namesakes) fill the first page, the index is read further, a page at a time, as long as
    its hits still agree with the query nearly as well as the first page's best."""
    found = [c for c in page.candidates if c.entry.record_id in visible]
    if not page.candidates:
        return found
    floor = RELEVANT_SHARE * max(c.retrieval for c in page.candidates)
    scanned = CANDIDATES
    while len(found) < CANDIDATES and page.next_offset is not None and scanned < MAX_SCANNED:
        if page.candidates and page.candidates[-1].retrieval < floor:
            break
        page = index.candidates(
            query, schemas=_schemas(query), limit=CANDIDATES, offset=page.next_offset
        )
        scanned += CANDIDATES
        more = _visible(session, principal, context, _ids(page.candidates), now)
        visible.update(more)
        found.extend(c for c in page.candidates if c.entry.record_id in more)
    return found[:CANDIDATES]


def _ranked(
    query: ScreeningQuery, candidates: Sequence[Candidate], visible: dict[str, Visible], limit: int
) -> list[tuple[Entry, Match, bool]]:
    """Scored hits the caller may know of; hit-only ones only when they raise an alert (a
    hit/no-hit answer is a hit or nothing)."""
    known = [c.entry for c in candidates if c.entry.record_id in visible]

    def floor_of(entry: Entry) -> float:
        return MIN_SCORE if visible[entry.record_id].full else THRESHOLD

    found = best_matches(query, known, limit=limit, floor=MIN_SCORE, floor_of=floor_of)
    return [(entry, match, visible[entry.record_id].full) for entry, match in found]


def screen_many(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    queries: Sequence[ScreeningQuery],
    limit: int = 10,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> list[list[ScreenHit]]:
    """Hits of each query, best first: full where policy allows, hit-only otherwise."""
    if not reads_records(principal):
        raise Forbidden(N_("your roles do not include screening"))
    index = current_index(session)
    partner = hits_only(principal)
    results: list[list[ScreenHit]] = []
    for chunk, pages in _searched(index, queries):
        visible = _visible(
            session,
            principal,
            context,
            {c.entry.record_id for p in pages for c in p.candidates},
            now,
        )
        found = [
            _enough_visible(session, principal, context, index, q, p, visible, now)
            for q, p in zip(chunk, pages, strict=True)
        ]
        if partner:
            visible = {rid: replace(v, full=False) for rid, v in visible.items()}
        ranked = [_ranked(q, cs, visible, limit) for q, cs in zip(chunk, found, strict=True)]
        results.extend(_answers(session, principal, context, ranked, visible, now))
        if progress:
            progress(len(chunk))
    return results


def _searched(
    index: ScreeningIndex, queries: Sequence[ScreeningQuery]
) -> Iterator[tuple[Sequence[ScreeningQuery], list[Page]]]:
    """The queries in chunks, each with its first page of candidates. The index searches the
    next chunk in a thread while the caller weighs this one: tantivy lets go of Python's
    lock while it searches, so that share of a batch runs on a second core."""

    def search(chunk: Sequence[ScreeningQuery]) -> list[Page]:
        return [index.candidates(q, schemas=_schemas(q), limit=CANDIDATES) for q in chunk]

    chunks = [queries[start : start + CHUNK] for start in range(0, len(queries), CHUNK)]
    if len(chunks) <= 1:  # a single screening: no thread to start
        yield from ((chunk, search(chunk)) for chunk in chunks)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening-search") as ahead:
        pending = ahead.submit(search, chunks[0])
        for number, chunk in enumerate(chunks):
            pages = pending.result()
            if number + 1 < len(chunks):
                pending = ahead.submit(search, chunks[number + 1])
            yield chunk, pages


def _answers(
    session: Session,
    principal: Principal,
    context: AccessContext,
    ranked: list[list[tuple[Entry, Match, bool]]],
    visible: dict[str, Visible],
    now: datetime,
) -> list[list[ScreenHit]]:
    hit_ids = sorted({e.record_id for rs in ranked for e, _, _ in rs})
    owners = repository.agency_codes(session, (visible[r].owner_agency_id for r in hit_ids))
    lists: dict[str, tuple[str, str]] = {}
    if hit_ids:
        listed = session.execute(
            select(ListEntry.record_id, ListEntry.source, ListEntry.reference).where(
                ListEntry.record_id.in_(hit_ids)
            )
        )
        lists = {rid: (source, ref) for rid, source, ref in listed}
    answers: list[list[ScreenHit]] = []
    full_ids: set[str] = set()
    hit_only_ids: set[str] = set()
    for rows in ranked:
        hits = []
        for entry, match, full in rows:
            rid = entry.record_id
            seen = visible[rid]
            owner = owners[seen.owner_agency_id]
            if full:
                full_ids.add(rid)
                source, ref = lists.get(rid, (seen.origin, None))
                hits.append(ScreenHit.full(entry, match, seen.caption, owner, source, ref))
            else:
                hit_only_ids.add(rid)
                hits.append(ScreenHit.hit_only(rid, seen.schema, owner))
        answers.append(hits)
    audit(
        session,
        action="screening.search",
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=hit_ids,
        detail={
            "queries": len(ranked),
            "full": len(full_ids),
            "hit_only": len(hit_only_ids),
            "algorithm": ALGORITHM,
        },
    )
    log_disclosure(session, principal.agency_id, full_ids, now)
    _notify_owners(session, principal, context, hit_ids, visible, owners)
    scores: dict[str, float] = {}  # alerts only: a weak resemblance is no hit on a notice
    for rows in ranked:
        for entry, match, _ in rows:
            if match.alert:
                scores[entry.record_id] = max(match.score, scores.get(entry.record_id, 0.0))
    notice_hits.report(session, principal=principal, context=context, scores=scores, now=now)
    return answers


def _notify_owners(
    session: Session,
    principal: Principal,
    context: AccessContext,
    ids: Iterable[str],
    visible: dict[str, Visible],
    owners: dict[uuid.UUID, str],
) -> None:
    for rid in ids:
        seen = visible[rid]
        if seen.owner_agency_id in principal.acting_agency_ids:
            continue
        hit = HitOut(id=rid, schema=seen.schema, owner_agency=owners[seen.owner_agency_id])
        notify_owner_of_hit(session, principal, hit, context)


def screen(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    query: ScreeningQuery,
    limit: int = 10,
    now: datetime,
) -> list[ScreenHit]:
    return screen_many(
        session, principal=principal, context=context, queries=[query], limit=limit, now=now
    )[0]


def request_details(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    record_id: str,
    now: datetime,
) -> str:
    """Ask the owner of a hit for its details (Prüm / EIS: the owner decides). Returns the
    owner's code; the owner's agency is notified with the purpose and justification."""
    decision = decide(session, principal, record_id, context.purpose, now=now)
    if decision.effect is Effect.deny:
        raise NotFound(N_("no record %(record_id)s"), record_id=record_id)
    owner_id = session.scalar(select(Record.owner_agency_id).where(Record.id == record_id))
    assert owner_id is not None
    owner = repository.agency_codes(session, [owner_id])[owner_id]
    asker = principal.agency_code or principal.username
    session.add(
        Notification(
            agency_id=owner_id,
            kind="record.details_requested",
            record_id=record_id,
            message=f"{asker} asks for the details of {record_id} for "
            f"{context.purpose.value}: {context.justification}",
        )
    )
    audit(
        session,
        action="screening.request_details",
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[record_id],
        detail={"owner": owner},
    )
    return owner
