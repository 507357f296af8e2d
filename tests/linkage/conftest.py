"""Records of the same people kept by three agencies, under different spellings, scripts,
orders and partial dates of birth; one agency keeps its records to itself."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.records import service as records
from palermo.settings import Settings
from tests.conftest import Factory
from tests.records.helpers import envelope, principal_of

ANALYSIS = AccessContext.of("criminal_analysis", "Operation Tide: who is who")
GIVEN = [
    "Ivan",
    "Marko",
    "Elena",
    "Olga",
    "Dmitri",
    "Sanne",
    "Giulia",
    "Carlos",
    "Amara",
    "Kwame",
    "Linh",
    "Fatima",
    "Youssef",
    "Mariana",
    "Jan",
    "Luca",
    "Ana",
    "Chinedu",
]
FAMILY = [
    "Petrov",
    "Kovac",
    "Novak",
    "Popescu",
    "Haddad",
    "Nguyen",
    "Garcia",
    "Silva",
    "Okafor",
    "Mensah",
    "Rossi",
    "Ivanova",
    "Dlamini",
    "Jansen",
    "Moreau",
    "Sidorenko",
]
CYRILLIC = {
    "Ivan": "Иван",
    "Petrov": "Петров",
    "Olga": "Ольга",
    "Dmitri": "Дмитрий",
    "Ivanova": "Иванова",
    "Novak": "Новак",
    "Sidorenko": "Сидоренко",
    "Elena": "Елена",
}
SHARED = {"tlp": "GREEN", "shares": [{"scope": "everyone"}], "purposes": ["criminal_analysis"]}


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped


@dataclass
class People:
    db: Session
    analyst: Principal  # of DE-BKA, which sees DE-BKA's and FR-PJ's records
    french: Principal
    truth: dict[str, int]  # record id → person
    hidden: set[str]  # NL-NP's records: shared with nobody

    def same(self, left: str, right: str) -> bool:
        return self.truth[left] == self.truth[right]


@pytest.fixture
def people(db: Session, factory: Factory, settings: Settings) -> People:
    agencies = {
        code: factory.agency(code, kind=AgencyKind.police, country=code[:2])
        for code in ("DE-BKA", "FR-PJ", "NL-NP")
    }
    users = {
        code: principal_of(db, factory.user(f"{code.lower()}.analyst", Role.analyst, agency=a)[0])
        for code, a in agencies.items()
    }
    rng = random.Random(2026)
    truth: dict[str, int] = {}
    hidden: set[str] = set()
    now = utcnow()
    for person in range(70):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        born = f"{rng.randint(1950, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        passport = f"{rng.choice('CDKP')}{rng.randint(1_000_000, 9_999_999)}"
        for copy, code in enumerate(rng.sample(list(agencies), rng.choice([1, 2, 2, 3]))):
            first, last, dob = given, family, born
            variation = rng.random()
            if copy and variation < 0.25:
                last = _typo(rng, last)
            elif copy and variation < 0.45:
                first, last = last, first
            elif copy and variation < 0.6 and given in CYRILLIC and family in CYRILLIC:
                first, last = CYRILLIC[given], CYRILLIC[family]
            if copy and rng.random() < 0.3:
                dob = dob[:4]
            properties = {"name": [f"{first} {last}"], "birthDate": [dob]}
            if rng.random() < 0.6:
                properties["passportNumber"] = [passport]
            shared = {} if code == "NL-NP" else SHARED
            record = records.create_record(
                db,
                principal=users[code],
                settings=settings,
                entity={"schema": "Person", "properties": properties},
                envelope=envelope(**shared),
                now=now,
            )
            truth[record.id] = person
            if code == "NL-NP":
                hidden.add(record.id)
    db.commit()
    return People(db, users["DE-BKA"], users["FR-PJ"], truth, hidden)
