"""The name index of an SQLite node: each record's name tokens as one FTS5 document.

A name search asks for the records that hold every token of the query. From the key table
alone (`record_keys`), SQLite intersects the records of each token through a temporary
B-tree: about 25 ms for two common tokens over a million records, before any policy check.
FTS5 merges the tokens' posting lists instead (about 2 ms). `record_keys` stays the truth —
PostgreSQL searches it directly — and this index mirrors its name keys, written in the same
transaction as they are and rebuilt from them after a restore.

`record_names` holds one row per record with a name (its tokens, space-separated);
`record_names_fts` indexes it as external content, kept in step by the triggers of
migration 0017. Neither is a model: they exist on SQLite only, and a backup carries the keys
they are rebuilt from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import Connection, Select, column, literal_column, select, table
from sqlalchemy.orm import Session

TABLES = ("record_names", "record_names_fts")  # and FTS5's own record_names_fts_* tables

_NAMES = table("record_names", column("id"), column("record_id"))
_FTS = table("record_names_fts", column("rowid"))
_INSERT = "INSERT INTO record_names (record_id, terms) VALUES (?, ?)"
_REBUILD = (
    "INSERT INTO record_names (record_id, terms) "
    "SELECT record_id, group_concat(term, ' ') FROM record_keys "
    "WHERE field = 'name' GROUP BY record_id"
)


def kept(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def write(session: Session, items: Iterable[tuple[str, Collection[str]]]) -> None:
    """Index the name tokens of records not in the index (new ones, or forgotten first).
    Elsewhere than on SQLite, `items` is not even read."""
    if not kept(session):
        return
    rows = [(record_id, " ".join(sorted(terms))) for record_id, terms in items if terms]
    if rows:
        session.connection().exec_driver_sql(_INSERT, rows)


def forget(session: Session, record_ids: Sequence[str]) -> None:
    if kept(session) and record_ids:
        session.execute(_NAMES.delete().where(_NAMES.c.record_id.in_(list(record_ids))))


def rebuild(connection: Connection) -> None:
    """The index anew from the name keys (after a restore, which carries only the keys)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DELETE FROM record_names")
        connection.exec_driver_sql(_REBUILD)


def holding(terms: Sequence[str]) -> Select[tuple[str]]:
    """The ids of records whose names hold every one of `terms` (normalised tokens)."""
    # Each token quoted as an FTS5 string, so that none reads as an operator (AND, NEAR…).
    query = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return (
        select(_NAMES.c.record_id)
        .select_from(_FTS.join(_NAMES, _NAMES.c.id == _FTS.c.rowid))
        .where(literal_column("record_names_fts").op("MATCH")(query))
    )
