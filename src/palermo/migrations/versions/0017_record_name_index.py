"""record name index: the name tokens of each record in an FTS5 index (SQLite only)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 19:00:00

See `palermo.records.names`. PostgreSQL searches `record_keys` directly and gets nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = (
    """CREATE TABLE record_names (
        id INTEGER PRIMARY KEY,
        record_id VARCHAR(128) NOT NULL UNIQUE
            REFERENCES records (id) ON DELETE CASCADE,
        terms TEXT NOT NULL
    )""",
    # Tokens only (detail=none): a search asks which records hold them, never where.
    """CREATE VIRTUAL TABLE record_names_fts USING fts5(
        terms, content='record_names', content_rowid='id', detail='none'
    )""",
    """CREATE TRIGGER record_names_inserted AFTER INSERT ON record_names BEGIN
        INSERT INTO record_names_fts (rowid, terms) VALUES (new.id, new.terms);
    END""",
    """CREATE TRIGGER record_names_deleted AFTER DELETE ON record_names BEGIN
        INSERT INTO record_names_fts (record_names_fts, rowid, terms)
        VALUES ('delete', old.id, old.terms);
    END""",
    """CREATE TRIGGER record_names_updated AFTER UPDATE ON record_names BEGIN
        INSERT INTO record_names_fts (record_names_fts, rowid, terms)
        VALUES ('delete', old.id, old.terms);
        INSERT INTO record_names_fts (rowid, terms) VALUES (new.id, new.terms);
    END""",
    """INSERT INTO record_names (record_id, terms)
        SELECT record_id, group_concat(term, ' ') FROM record_keys
        WHERE field = 'name' GROUP BY record_id""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE record_names_fts")
        op.execute("DROP TABLE record_names")
