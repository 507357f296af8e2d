"""The demo world: big enough to show every capability, the same for the same seed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from palermo.db import create_db_engine, session_factory, unit_of_work
from palermo.demo.service import build_world
from palermo.demo.world import CONTINENT_OF
from palermo.errors import Conflict
from palermo.identity.credentials import Credentials
from palermo.identity.roles import Role
from palermo.migrations import upgrade
from palermo.models.identity import Agency, User
from palermo.settings import Settings
from tests.databases import fresh_database


@pytest.fixture
def demo_engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path) as url:
        engine = create_db_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def build(engine: Engine, settings: Settings, seed: int) -> dict[str, str]:
    with unit_of_work(session_factory(engine)) as session:
        build_world(session, settings=settings, credentials=Credentials(settings), seed=seed)
    with unit_of_work(session_factory(engine)) as session:
        return {u.username: u.display_name for u in session.scalars(select(User))}


def test_world_spans_continents_agency_kinds_and_roles(
    demo_engine: Engine, settings: Settings
) -> None:
    build(demo_engine, settings, seed=7)
    with unit_of_work(session_factory(demo_engine)) as session:
        agencies = session.scalars(select(Agency)).all()
        users = session.scalars(select(User).options(selectinload(User.roles))).all()
        countries = {a.country for a in agencies}
        assert len(agencies) >= 40
        assert len(countries) >= 30
        assert {CONTINENT_OF[c] for c in countries} >= {
            "Europe",
            "Africa",
            "Asia",
            "Americas",
            "Oceania",
        }
        assert {
            "national_central_bureau",
            "police",
            "secretariat",
            "analysis_hub",
            "fiu",
            "central_authority",
            "customs",
            "private_partner",
        } <= {a.kind for a in agencies}
        assert {"UNSC", "EU", "OFAC", "INTERPOL"} <= {a.code for a in agencies}
        held = {role for u in users for role in u.role_set}
        assert held == set(Role)
        mfa_roles = {Role.supervisor, Role.agency_admin, Role.auditor, Role.system_admin}
        assert all(u.totp_secret is not None for u in users if u.role_set & mfa_roles)


def test_same_seed_same_world_other_seed_other_world(tmp_path: Path, settings: Settings) -> None:
    worlds = []
    for seed in (7, 7, 8):
        with fresh_database(tmp_path) as url:
            engine = create_db_engine(url)
            upgrade(engine)
            worlds.append(build(engine, settings, seed))
            engine.dispose()
    assert worlds[0] == worlds[1]
    assert worlds[0] != worlds[2]
    assert worlds[0].keys() == worlds[2].keys()


def test_demo_refuses_a_database_that_holds_data(demo_engine: Engine, settings: Settings) -> None:
    build(demo_engine, settings, seed=7)
    with pytest.raises(Conflict, match="empty database"):
        build(demo_engine, settings, seed=7)
