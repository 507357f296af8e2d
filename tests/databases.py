"""Fresh, empty databases for tests: an SQLite file, or a new PostgreSQL database.

`PALERMO_TEST_BACKEND=postgresql` (set by `make test` for its second run) selects PostgreSQL
at `PALERMO_TEST_DATABASE_URL`; each fresh database is created and dropped around its use.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def backend() -> str:
    return os.environ.get("PALERMO_TEST_BACKEND", "sqlite")


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    if backend() != "postgresql":
        yield f"sqlite:///{tmp_dir / f'palermo-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    server_url = os.environ.get("PALERMO_TEST_DATABASE_URL")
    if not server_url:
        raise RuntimeError("PALERMO_TEST_BACKEND=postgresql needs PALERMO_TEST_DATABASE_URL")
    name = f"palermo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
