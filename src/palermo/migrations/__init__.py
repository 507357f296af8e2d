"""Alembic migrations, run by `palermo db upgrade` (and by `palermo demo` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from palermo.records import names

HERE = Path(__file__).parent


def modelled(name: str | None, type_: str, _parents: object) -> bool:
    """What autogenerate compares with the models: all but the SQLite name index, which
    migration 0017 alone makes (see `palermo.records.names`)."""
    return not (type_ == "table" and name is not None and name.startswith(names.TABLES))


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
