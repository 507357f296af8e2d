"""Jobs run as they do on a node: on a database of the test's own where every unit of work
really commits, so that a job's stages can be read from other connections while it runs.
The small intelligence world of the network tests gives them records to work on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from palermo.db import create_db_engine, session_factory
from tests.databases import fresh_database
from tests.network import conftest as network_world

world = network_world.world


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with fresh_database(tmp_path, migrated=True) as url:
        engine = create_db_engine(url)
        yield session_factory(engine)
        engine.dispose()
