"""The backup archive: a gzipped tar holding every table as JSON lines (portable between
SQLite and PostgreSQL: a node may move from one to the other), the node's files (its key,
the transaction stores) and a manifest naming each member's SHA-256, the schema revision
and the audit log's size and root — signed with the node's Ed25519 key.

Values travel as JSON by their column's Python type: timestamps and dates as ISO 8601,
UUIDs and decimals as text, bytes as base64, enums as their values; a column's type decodes
them again, so a table read back from a restore hashes exactly as it was written."""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Table, TypeDecorator, select

FORMAT = "palermo-backup/1"
MANIFEST = "manifest.json"
TABLES = "tables/"
FILES = "files/"


@dataclass
class Manifest:
    created_at: str
    node_code: str
    revision: str
    source: str  # the database backend the backup was taken from
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # name: {rows, sha256}
    files: dict[str, str] = field(default_factory=dict)  # path in the data directory: sha256
    audit: dict[str, Any] = field(default_factory=dict)  # size, root (hex)
    key_id: str = ""
    signature: str = ""  # base64 Ed25519 over `signed_bytes()`
    format: str = FORMAT

    def signed_bytes(self) -> bytes:
        body = {k: v for k, v in self.__dict__.items() if k != "signature"}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise ValueError(f"not a Palermo backup (format {found!r}, expected {FORMAT!r})")
        return cls(**data)


def _python_type(column: Column[Any]) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # UTCDateTime: its stored type says what it holds
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def encoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = _python_type(column)
    if kind is not None and issubclass(kind, enum.Enum):
        return lambda v: v.value if isinstance(v, enum.Enum) else v
    if kind in (datetime, date):
        return lambda v: v.isoformat()
    if kind in (uuid.UUID, Decimal):
        return str
    if kind is bytes:
        return lambda v: base64.b64encode(bytes(v)).decode()
    return lambda v: v


def decoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = _python_type(column)
    if kind is not None and issubclass(kind, enum.Enum):
        return kind
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is uuid.UUID:
        return uuid.UUID
    if kind is Decimal:
        return Decimal
    if kind is bytes:
        return base64.b64decode
    return lambda v: v


def _rows_in_order(table: Table, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """A table's rows so that a row referring to another of the same table (an order that
    renews an order) comes after it: inserts then never break a foreign key."""
    own = [fk for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        yield from rows
        return
    pending = list(rows)
    emitted: set[Any] = set()
    while pending:
        later = []
        for row in pending:
            refs = [row[fk.parent.name] for fk in own]
            if all(ref is None or ref in emitted for ref in refs):
                emitted.add(row[own[0].column.name])
                yield row
            else:
                later.append(row)
        if len(later) == len(pending):
            raise ValueError(f"{table.name}: rows refer to each other in a cycle")
        pending = later


def dump_table(connection: Connection, table: Table) -> Iterator[bytes]:
    """The table's rows as JSON lines, in primary-key order (and references first)."""
    encoders = {c.name: encoder(c) for c in table.columns}
    ordered = select(table).order_by(*table.primary_key.columns)
    rows = (dict(r._mapping) for r in connection.execute(ordered))
    for row in _rows_in_order(table, rows):
        encoded = {k: None if v is None else encoders[k](v) for k, v in row.items()}
        yield json.dumps(encoded, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def load_lines(table: Table, lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Rows of a table's JSON lines, decoded by its columns' types; an unknown column (a
    backup of another schema) is refused by name."""
    decoders = {c.name: decoder(c) for c in table.columns}
    for number, line in enumerate(lines, start=1):
        raw = json.loads(line)
        unknown = set(raw) - set(decoders)
        if unknown:
            raise ValueError(f"{table.name} line {number}: no column {sorted(unknown)[0]!r}")
        yield {k: None if v is None else decoders[k](v) for k, v in raw.items()}


class Digest:
    """Counts and hashes what passes through it."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.count = 0

    def add(self, chunk: bytes) -> bytes:
        self.hash.update(chunk)
        self.count += 1
        return chunk

    @property
    def hex(self) -> str:
        return self.hash.hexdigest()
