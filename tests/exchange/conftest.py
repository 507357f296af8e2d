"""Fixtures of the exchange: a keyring, agencies with keys, and their officers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update
from sqlalchemy.orm import Session

from palermo.exchange import keys
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.identity.keys import NodeKey
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.identity.service import principal_for
from palermo.models.identity import Agency, Node
from palermo.settings import Settings
from tests.conftest import Factory


@pytest.fixture
def keyring(settings: Settings) -> Keyring:
    return Keyring.of(settings)


@dataclass
class Desk:
    """An agency and one of its officers, as a principal."""

    agency: Agency
    principal: Principal


def make_desk(db: Session, factory: Factory, code: str) -> Desk:
    """An agency (NCB-<country>) with its keys and an officer."""
    agency = factory.agency(code, country=code[-2:])
    user, _ = factory.user(f"{code.lower()}.officer", Role.officer, agency=agency)
    loaded = repository.user_by_id(db, user.id)
    assert loaded is not None
    keys.ensure_hosted_keys(db, Keyring.of(factory.settings).sealer)
    db.commit()
    return Desk(agency, principal_for(loaded, channel="session"))


@pytest.fixture
def desks(factory: Factory, db: Session) -> dict[str, Desk]:
    return {code: make_desk(db, factory, code) for code in ("NCB-DE", "NCB-FR", "NCB-IT")}


@dataclass
class Peer:
    key: NodeKey
    node: Node
    agency: Agency


@pytest.fixture
def peer(db: Session, factory: Factory, keyring: Keyring, desks: dict[str, Desk]) -> Peer:
    agency = factory.agency("AG-X", country="ES")
    keys.ensure_hosted_keys(db, keyring.sealer)
    key = NodeKey(Ed25519PrivateKey.generate())
    node = Node(
        code="NODE-X", name="Node X", base_url="http://127.0.0.1:9", public_key=key.public_bytes
    )
    db.add(node)
    db.flush()
    db.execute(update(Agency).where(Agency.id == agency.id).values(node_id=node.id))
    db.commit()
    db.expire_all()
    return Peer(key, node, agency)
