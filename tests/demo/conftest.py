"""The demo world of seed 7, built once for the test modules that read it (they only read,
but for the audit lines and receipts their consultations leave)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from palermo.db import create_db_engine, session_factory, unit_of_work
from palermo.demo.service import build_world
from palermo.identity.credentials import Credentials
from palermo.migrations import upgrade
from palermo.settings import Settings
from tests.databases import fresh_database


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        engine = create_db_engine(url)
        upgrade(engine)
        with unit_of_work(session_factory(engine)) as session:
            build_world(session, settings=settings, credentials=Credentials(settings), seed=7)
        yield engine
        engine.dispose()


@pytest.fixture
def db(world: Engine) -> Iterator[Session]:
    with unit_of_work(session_factory(world)) as session:
        yield session
