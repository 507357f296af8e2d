"""The demo world: big enough to show every capability, the same for the same seed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from palermo.db import session_factory, unit_of_work
from palermo.demo.service import build_world
from palermo.demo.world import CONTINENT_OF
from palermo.errors import Conflict
from palermo.identity.credentials import Credentials
from palermo.identity.roles import Role
from palermo.models.identity import Agency, User
from tests.demo.conftest import Built


def usernames(engine: Engine) -> dict[str, str]:
    with unit_of_work(session_factory(engine)) as session:
        return {u.username: u.display_name for u in session.scalars(select(User))}


def test_world_spans_continents_agency_kinds_and_roles(db: Session) -> None:
    agencies = db.scalars(select(Agency)).all()
    users = db.scalars(select(User).options(selectinload(User.roles))).all()
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


def test_same_seed_same_world_other_seed_other_world(demo: Built, rebuilt: list[Built]) -> None:
    first = usernames(demo.engine)
    same, other = (usernames(world.engine) for world in rebuilt)
    assert first == same
    assert first != other
    assert first.keys() == other.keys()


def test_demo_refuses_a_database_that_holds_data(demo: Built) -> None:
    with (
        pytest.raises(Conflict, match="empty database"),
        unit_of_work(session_factory(demo.engine)) as session,
    ):
        build_world(session, settings=demo.settings, credentials=Credentials(demo.settings), seed=7)
