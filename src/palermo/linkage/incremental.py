"""Linking new records (an import, a message payload) against what the agency's latest run
knows, without running again: the screening index gives each record's candidates (names in
any script, birth dates, documents), policy keeps those the principal may know of, and the
run's own trained model scores each pair exactly as Splink would (`model.score`). Pairs at or
above the run's threshold join the run, so clusters and the review queue take them in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.linkage import engine, features, model
from palermo.linkage.service import access_of, latest_run, store_pairs
from palermo.models.linkage import LinkPair
from palermo.models.records import Record
from palermo.policy.records import AccessContext
from palermo.records import repository
from palermo.screening.entries import Entry, entries_of
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.service import current_index
from palermo.translatable import N_

CANDIDATES = 50  # per new record, best retrieved first


@dataclass(frozen=True)
class Linked:
    record_id: str
    pairs: list[engine.Pair]


def query_of(entry: Entry) -> ScreeningQuery | None:
    name = entry.names[0].original if entry.names else ""
    document = min(entry.identifiers) if entry.identifiers else None
    if not name and not document:
        return None
    return ScreeningQuery.of(
        name,
        schema=entry.schema,
        birth_date=entry.birth_dates[0] if entry.birth_dates else None,
        document=document,
    )


def link_records(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    record_ids: Sequence[str],
    schema: str = "Person",
    now: datetime,
) -> list[Linked]:
    """Link each record against the records the principal may see; the pairs found."""
    linkage = latest_run(session, principal, schema)
    assert linkage.model is not None
    assert linkage.frequencies is not None
    if not model.fits(linkage.model):
        raise Invalid(
            N_(
                "the latest linkage run of %(schema)s records was trained by an earlier "
                "version of the model: run it again before linking new records"
            ),
            schema=schema,
        )
    access = access_of(session, principal, context, set(record_ids), now)
    for rid in record_ids:
        if rid not in access:
            raise NotFound(N_("no record %(rid)s"), rid=rid)
    wanted = set(repository.schema_and_descendants(schema))
    new = [e for e in entries_of(session, sorted(record_ids)) if e.schema in wanted]
    if not new:
        raise Invalid(
            N_("none of the records is a %(schema)s with a name or a document"), schema=schema
        )
    index = current_index(session)
    candidates = {
        e.record_id: [
            c.entry
            for c in index.candidates(q, schemas=sorted(wanted), limit=CANDIDATES).candidates
            if c.entry.record_id != e.record_id
        ]
        for e in new
        if (q := query_of(e))
    }
    known = access_of(
        session, principal, context, {c.record_id for cs in candidates.values() for c in cs}, now
    )
    owners = _owner_codes(session, {e.record_id for e in new} | set(known))
    held = _held(session, linkage.id, record_ids)
    found: list[Linked] = []
    for entry in new:
        row = features.row_of(entry, owners[entry.record_id])
        pairs = []
        for candidate in candidates.get(entry.record_id, []):
            if candidate.record_id not in known:
                continue
            other = features.row_of(candidate, owners[candidate.record_id])
            scored = model.score(linkage.model, row, other, linkage.frequencies)
            left, right = sorted((entry.record_id, candidate.record_id))
            if scored.probability >= linkage.threshold and (left, right) not in held:
                held.add((left, right))
                pairs.append(
                    engine.Pair(
                        left, right, scored.probability, scored.match_weight, scored.weights
                    )
                )
        found.append(Linked(entry.record_id, pairs))
    added = [p for linked in found for p in linked.pairs]
    store_pairs(session, linkage, added)
    linkage.pairs += len(added)
    audit(
        session,
        action="link.records",
        operation=Operation.combination,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[linkage.id, *record_ids],
        detail={"pairs": len(added)},
    )
    return found


def _owner_codes(session: Session, ids: set[str]) -> dict[str, str]:
    rows = session.execute(
        select(Record.id, Record.owner_agency_id).where(Record.id.in_(sorted(ids)))
    ).all()
    codes = repository.agency_codes(session, {owner for _, owner in rows})
    return {rid: codes[owner] for rid, owner in rows}


def _held(session: Session, run_id: object, record_ids: Sequence[str]) -> set[tuple[str, str]]:
    """Pairs of the run that already involve the records (linking twice adds nothing)."""
    rows = session.execute(
        select(LinkPair.left_id, LinkPair.right_id).where(
            LinkPair.run_id == run_id,
            (LinkPair.left_id.in_(record_ids)) | (LinkPair.right_id.in_(record_ids)),
        )
    )
    return {(left, right) for left, right in rows}
