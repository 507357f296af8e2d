"""The custody log of an evidence item: who held it, when and where, every access, check,
hand-over and export — one line each, chained by hashes so that no line can be changed,
removed or inserted unseen.

A line's `entry_hash` is the SHA-256 of the canonical JSON of its fields (`document`),
`previous_hash` included: the hash of the line before it, or 64 zeros for the first line.
The offline verifier (`verify.py`) recomputes the same hashes from an export package with
its own code, so the definition below is also what a court relies on.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.cases.vocabulary import CustodyKind
from palermo.exchange.crypto import canonical
from palermo.models.cases import CustodyEntry, EvidenceItem

GENESIS = "0" * 64


def iso(moment: datetime) -> str:
    """Times as the log hashes them: UTC, microseconds, a `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def document(reference: str, entry: CustodyEntry) -> dict[str, Any]:
    """The fields a line's hash covers (the item's reference too: a line cannot be moved to
    another item's log)."""
    return {
        "item": reference,
        "seq": entry.seq,
        "at": iso(entry.at),
        "kind": entry.kind.value,
        "agency": entry.agency,
        "actor": entry.actor,
        "place": entry.place,
        "note": entry.note,
        "observed_sha256": entry.observed_sha256,
        "handover": str(entry.handover_id) if entry.handover_id else None,
        "previous_hash": entry.previous_hash,
    }


def hash_of(line: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(line)).hexdigest()


def log(session: Session, item: EvidenceItem) -> list[CustodyEntry]:
    """The item's custody log, first line first."""
    return list(
        session.scalars(
            select(CustodyEntry)
            .where(CustodyEntry.evidence_id == item.id)
            .order_by(CustodyEntry.seq)
        )
    )


def head(session: Session, item_id: uuid.UUID) -> CustodyEntry | None:
    return session.scalar(
        select(CustodyEntry)
        .where(CustodyEntry.evidence_id == item_id)
        .order_by(CustodyEntry.seq.desc())
        .limit(1)
    )


def append(
    session: Session,
    *,
    item_id: uuid.UUID,
    reference: str,
    kind: CustodyKind,
    agency: str,
    actor: str,
    at: datetime,
    place: str = "",
    note: str = "",
    observed_sha256: str | None = None,
    handover_id: uuid.UUID | None = None,
) -> CustodyEntry:
    """Add a line after the current last one. The item's row is locked first (PostgreSQL;
    SQLite transactions already hold the write lock), so two writers never fork the chain."""
    session.execute(select(EvidenceItem.id).where(EvidenceItem.id == item_id).with_for_update())
    last = head(session, item_id)
    entry = CustodyEntry(
        id=uuid.uuid4(),
        evidence_id=item_id,
        seq=1 if last is None else last.seq + 1,
        at=at,
        kind=kind,
        agency=agency,
        actor=actor,
        place=place[:300],
        note=note[:1000],
        observed_sha256=observed_sha256,
        previous_hash=GENESIS if last is None else last.entry_hash,
        handover_id=handover_id,
    )
    entry.entry_hash = hash_of(document(reference, entry))
    session.add(entry)
    session.flush()
    return entry


def check_chain(reference: str, entries: Sequence[CustodyEntry]) -> list[str]:
    """Every problem of the log, in order; an empty list when the chain holds."""
    problems: list[str] = []
    previous = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        where = f"custody line {entry.seq} of {reference}"
        if entry.seq != expected_seq:
            problems.append(f"{where}: expected line {expected_seq} (a line is missing)")
        if entry.previous_hash != previous:
            problems.append(f"{where}: does not follow the line before it")
        if hash_of(document(reference, entry)) != entry.entry_hash:
            problems.append(f"{where}: its content does not match its hash (altered)")
        previous = entry.entry_hash
    return problems
