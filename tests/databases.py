"""Fresh, empty databases for tests: an SQLite file, or a new PostgreSQL database.

`PALERMO_TEST_BACKEND=postgresql` (set by `make test` for its second run) selects PostgreSQL
at `PALERMO_TEST_DATABASE_URL`; each fresh database is created and dropped around its use.
`migrated=True` gives one already at the migration head: a copy of a template migrated once
per run (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), ten times faster
than running the migrations again.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from palermo.db import create_db_engine
from palermo.migrations import upgrade
from palermo.settings import Environment, Settings


def node_settings(data_dir: Path, database_url: str) -> Settings:
    """A test node's settings on its own database (passwords hashed cheaply)."""
    return Settings(
        environment=Environment.test,
        data_dir=data_dir,
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_kib=64,
    )


def backend() -> str:
    return os.environ.get("PALERMO_TEST_BACKEND", "sqlite")


def _server() -> tuple[str, Engine]:
    server_url = os.environ.get("PALERMO_TEST_DATABASE_URL")
    if not server_url:
        raise RuntimeError("PALERMO_TEST_BACKEND=postgresql needs PALERMO_TEST_DATABASE_URL")
    return server_url, create_engine(server_url, isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_database(tmp_dir: Path, *, migrated: bool = False) -> Iterator[str]:
    if backend() != "postgresql":
        path = tmp_dir / f"palermo-{uuid.uuid4().hex[:8]}.sqlite3"
        if migrated:
            shutil.copyfile(_template(), path)
        yield f"sqlite:///{path}"
        return
    server_url, admin = _server()
    name = f"palermo_test_{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{_template()}"' if migrated else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@cache
def _template() -> str:
    """The database migrated once for this run: an SQLite file's path, or a PostgreSQL
    database's name; removed when the run ends."""
    if backend() != "postgresql":
        folder = Path(tempfile.mkdtemp(prefix="palermo-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        return str(path)
    server_url, admin = _server()
    name = f"palermo_template_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    atexit.register(drop)
    _migrate(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    return name


def _migrate(url: str) -> None:
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()  # a PostgreSQL template must have no connections when copied
