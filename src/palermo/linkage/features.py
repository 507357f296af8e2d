"""What linkage compares of a record: its name in comparable forms, date and year of birth,
country, gender and first document number — read through the screening's name intelligence
(any script to folded Latin parts), for the records the running principal may see."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

from rigour.text.phonetics import metaphone
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.models.records import Record
from palermo.policy.records import AccessContext, visibility
from palermo.records import repository
from palermo.screening.entries import Entry, entries_of
from palermo.screening.names import ParsedName

COLUMNS = (
    "unique_id",
    "source_dataset",
    "first_name",
    "surname",
    "full_name",
    "name_key",
    "surname_key",
    "initials",
    "parts",
    "part_pairs",
    "keys",
    "symbols",
    "dob",
    "birth_year",
    "country",
    "gender",
    "document",
)
LISTS = frozenset({"parts", "part_pairs", "keys", "symbols"})  # columns holding lists of strings
CHUNK = 5_000


@dataclass(frozen=True)
class Seen:
    """A record the run may use, and whether the principal may see it in full."""

    record_id: str
    owner_agency_id: uuid.UUID
    full: bool


def visible_records(
    session: Session,
    principal: Principal,
    context: AccessContext,
    *,
    schema: str,
    owners: Sequence[uuid.UUID] | None,
    now: datetime,
) -> list[Seen]:
    """The records of `schema` (and its descendants) that policy lets the principal know of,
    in full or as hits only; optionally only those of some owner agencies."""
    rules = visibility(principal, context.purpose, now=now)
    query = select(Record.id, Record.owner_agency_id, rules.full).where(
        rules.any, Record.schema.in_(repository.schema_and_descendants(schema))
    )
    if owners is not None:
        query = query.where(Record.owner_agency_id.in_(owners))
    return [Seen(rid, owner, bool(full)) for rid, owner, full in session.execute(query)]


def _latin(entry: Entry) -> ParsedName | None:
    """The first name in Latin letters (transliterated where the record writes another
    script); None if the record has no name."""
    for name in entry.names:
        if all(p.text.isascii() for p in name.parts):
            return name
    return entry.names[0] if entry.names else None


def _key(folded: str) -> str:
    return metaphone(folded) or folded


def _list(values: Iterable[str]) -> list[str] | None:
    return sorted(set(values)) or None


def row_of(entry: Entry, source: str) -> dict[str, Any]:
    """One input row of the linkage engine."""
    name = _latin(entry)
    parts = [p for p in name.parts if not p.initial] if name else []
    folded = [p.folded for p in parts]
    # Every written form of the name: its own script and each Latin transliteration.
    every = [p for n in entry.names for p in n.parts if not p.initial]
    initials = sorted(p.folded[0] for p in name.parts if p.folded) if name else []
    dates = entry.birth_dates
    full_dates = [d for d in dates if len(d) == 10]
    return {
        "unique_id": entry.record_id,
        "source_dataset": source,
        "first_name": folded[0] if len(folded) > 1 else None,
        "surname": folded[-1] if folded else None,
        # Order-free: "Petrov Ivan" and "Ivan Petrov" are the same string.
        "full_name": " ".join(sorted(folded)) or None,
        # Keys of the folded forms: "Ivaylo Stoyanov", "Ivailo Stoianov" and "Iwajlo
        # Stojanow" fold alike, so they meet in one block whatever the romanisation.
        "name_key": " ".join(sorted(_key(f) for f in folded)) or None,
        "surname_key": _key(folded[-1]) if folded else None,
        # "A. Heuser" and "Agatha Heuser": the first letters of every part, initials kept.
        "initials": " ".join(initials) if len(initials) > 1 and folded else None,
        "parts": _list(folded),
        # Any two parts together: a dropped or added middle name leaves the others' pairs.
        "part_pairs": _list(f"{a} {b}" for a, b in combinations(sorted(set(folded)), 2)),
        # Keys of the parts of every form, the native script's transliterations included.
        "keys": _list(_key(p.folded) for p in every),
        # The screening's name-variant ids: "Yuliya", "Iuliia" and "Julija" share one.
        "symbols": _list(symbol for p in every for symbol in p.symbols),
        "dob": full_dates[0] if full_dates else None,
        "birth_year": dates[0][:4] if dates else None,
        "country": min(entry.countries) if entry.countries else None,
        "gender": entry.gender,
        "document": min(entry.identifiers) if entry.identifiers else None,
    }


def rows(
    session: Session, seen: Sequence[Seen], codes: dict[uuid.UUID, str]
) -> Iterator[dict[str, Any]]:
    """Input rows for the records, read in chunks; records with neither name nor document
    have nothing to link on and are left out."""
    owner = {s.record_id: codes[s.owner_agency_id] for s in seen}
    ids = sorted(owner)
    for start in range(0, len(ids), CHUNK):
        for entry in entries_of(session, ids[start : start + CHUNK]):
            row = row_of(entry, owner[entry.record_id])
            if row["full_name"] or row["document"]:
                yield row
