"""What screening knows of a record: its names, birth dates, countries, gender, identifiers.

Read straight from the current statements, not from FtM proxies: building a million
proxies costs more than the index they feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from followthemoney import model
from sqlalchemy.orm import Session

from palermo.db import stream_rows
from palermo.records.entities import identifier_key
from palermo.screening.names import ParsedName, parse_names

# FtM property types that identify a thing on their own (passport, IBAN, IMO, wallet…).
_IDENTIFYING = frozenset({"identifier", "iban", "phone", "email"})
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")


@dataclass(frozen=True, slots=True)
class Entry:
    record_id: str
    schema: str
    names: tuple[ParsedName, ...]
    birth_dates: tuple[str, ...]
    countries: frozenset[str]
    gender: str | None
    identifiers: frozenset[str]


@cache
def _kind(schema_name: str, prop_name: str) -> str | None:
    schema = model.get(schema_name)
    prop = schema.get(prop_name) if schema else None
    if prop is None:
        return None
    if prop.type.name == "name":
        return "name"
    if prop_name == "birthDate":
        return "birth_date"
    if prop_name == "gender":
        return "gender"
    if prop.type.name == "country":
        return "country"
    if prop.type.name in _IDENTIFYING:
        return "identifier"
    if prop_name in _NAME_PARTS:
        return prop_name
    return None


@cache
def screenable(schema_name: str) -> bool:
    """Things with names or numbers; relationships (Ownership, Payment…) are not screened."""
    schema = model.get(schema_name)
    if schema is None or schema.edge:
        return False
    return schema.is_a("Thing") or schema.is_a("Identification")


def entry_of(record_id: str, schema: str, values: Iterable[tuple[str, str]]) -> Entry | None:
    """An entry from (property, value) pairs; None when nothing in it can be screened."""
    names: list[str] = []
    parts: dict[str, list[str]] = {}
    birth_dates: list[str] = []
    countries: set[str] = set()
    gender: str | None = None
    identifiers: set[str] = set()
    for prop, value in values:
        kind = _kind(schema, prop)
        if kind == "name":
            names.append(value)
        elif kind == "birth_date":
            birth_dates.append(value)
        elif kind == "country":
            countries.add(value.lower())
        elif kind == "gender":
            gender = value
        elif kind == "identifier":
            if key := identifier_key(value):
                identifiers.add(key)
        elif kind is not None:
            parts.setdefault(kind, []).append(value)
    if not names and parts:
        # A person known only by first and last name is still screened by the full name.
        names.append(" ".join(v for p in _NAME_PARTS for v in parts.get(p, [])[:1]))
    parsed = tuple(parse_names(names, schema))
    if not parsed and not identifiers:
        return None
    return Entry(
        record_id=record_id,
        schema=schema,
        names=parsed,
        birth_dates=tuple(sorted(set(birth_dates))),
        countries=frozenset(countries),
        gender=gender,
        identifiers=frozenset(identifiers),
    )


_CURRENT = (
    "SELECT s.record_id, r.schema, s.prop, s.value FROM statements s "
    "JOIN records r ON r.id = s.record_id "
    "WHERE s.removed_version IS NULL AND r.status <> 'erased'"
)


def _grouped(rows: Iterable[Sequence[str]]) -> Iterator[Entry]:
    """Entries from statement rows ordered by record."""
    record: tuple[str, str] | None = None
    values: list[tuple[str, str]] = []
    for rid, schema, prop, value in rows:
        if record is None or rid != record[0]:
            if record is not None and (entry := _screenable_entry(*record, values)):
                yield entry
            record, values = (rid, schema), []
        values.append((prop, value))
    if record is not None and (entry := _screenable_entry(*record, values)):
        yield entry


def _screenable_entry(rid: str, schema: str, values: list[tuple[str, str]]) -> Entry | None:
    return entry_of(rid, schema, values) if screenable(schema) else None


def all_entries(session: Session) -> Iterator[Entry]:
    """Every screenable record, streamed in record order."""
    yield from _grouped(stream_rows(session, _CURRENT + " ORDER BY s.record_id", 20_000))


def entries_of(session: Session, record_ids: Sequence[str]) -> list[Entry]:
    found: list[Entry] = []
    for start in range(0, len(record_ids), 500):
        chunk = sorted(record_ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        sql = f"{_CURRENT} AND s.record_id IN ({marks}) ORDER BY s.record_id"
        found.extend(_grouped(stream_rows(session, sql, 5_000, chunk)))
    return found
