"""An FIU with two banks registered as reporters, a police agency, and the goAML samples."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from palermo.finintel import reporting, service
from palermo.finintel.transactions import parse_mapping
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.identity import User
from palermo.policy.records import AccessContext
from palermo.settings import Settings
from tests.conftest import Factory
from tests.finintel.world import Ledger, background, typologies
from tests.records.helpers import principal_of

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / f"goaml_sample_{name}.xml").read_bytes()


WORK = AccessContext.of("financial_intelligence", "operation test")


@dataclass
class Fiu:
    users: dict[str, User]
    people: dict[str, Principal]

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]


@pytest.fixture
def fiu(db: Session, factory: Factory, settings: Settings) -> Fiu:
    agencies = {
        "AE-FIU": factory.agency("AE-FIU", kind=AgencyKind.fiu, country="AE"),
        "AE-POL": factory.agency("AE-POL", kind=AgencyKind.police, country="AE"),
        "BANK-1": factory.agency("BANK-1", kind=AgencyKind.private_partner, country="AE"),
        "BANK-2": factory.agency("BANK-2", kind=AgencyKind.private_partner, country="AE"),
    }
    users = {
        "analyst": factory.user("fiu.analyst", Role.analyst, agency=agencies["AE-FIU"])[0],
        "admin": factory.user("fiu.admin", Role.agency_admin, agency=agencies["AE-FIU"])[0],
        "police": factory.user("pol.analyst", Role.analyst, agency=agencies["AE-POL"])[0],
        "bank1": factory.user("bank1.mlro", Role.partner, agency=agencies["BANK-1"])[0],
        "bank2": factory.user("bank2.mlro", Role.partner, agency=agencies["BANK-2"])[0],
    }
    people = {name: principal_of(db, user) for name, user in users.items()}
    reporting.register(
        db, people["admin"], partner_code="BANK-1", registration="101", sector="bank"
    )
    reporting.register(
        db, people["admin"], partner_code="BANK-2", registration="202", sector="bank"
    )
    db.commit()
    return Fiu(users, people)


@pytest.fixture
def stored(db: Session, settings: Settings, fiu: Fiu, tmp_path: Path) -> Fiu:
    """The FIU with the small ledger of every typology imported as a bank's return."""
    ledger = Ledger()
    background(ledger)
    typologies(ledger)
    service.import_transactions(
        db,
        fiu["analyst"],
        settings,
        path=ledger.write_csv(tmp_path / "bank-return.csv"),
        mapping=parse_mapping(Ledger.MAPPING),
        default_currency="EUR",
        context=WORK,
    )
    db.commit()
    return fiu
