"""A cross-border investigation team: the Dutch police leading, Germany's BKA and Colombia's
DIJIN taking part, Europol's analysts, a Spanish central authority, a French police force
outside the case and a bank; helpers that drive the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from palermo.cases import membership
from palermo.cases.vocabulary import MemberRole
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.cases import Case
from palermo.models.identity import Agency, User
from palermo.settings import Settings
from tests.conftest import Factory
from tests.records.helpers import principal_of

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
BASIS = "Palermo Convention Art. 19; JIT agreement"


@dataclass
class Team:
    db: Session
    settings: Settings
    people: dict[str, Principal]
    users: dict[str, User]
    agencies: dict[str, Agency]

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]

    def case(
        self,
        title: str = "Operation Harbour",
        *,
        by: str = "nl",
        members: dict[str, MemberRole | str] | None = None,
        opened_on: date = date(2026, 1, 15),
        offences: list[str] | None = None,
        **fields: Any,
    ) -> Case:
        """A case led by `by`'s agency, with `members` (agency code → role) admitted."""
        case = membership.open_case(
            self.db,
            principal=self[by],
            title=title,
            summary=fields.pop("summary", "Cocaine shipments through Rotterdam"),
            offences=offences if offences is not None else ["0601"],
            legal_basis=fields.pop("legal_basis", "Wetboek van Strafvordering"),
            opened_on=opened_on,
            now=NOW,
        )
        for code, role in (members or {}).items():
            membership.admit(
                self.db,
                principal=self[by],
                case=case,
                agency_code=code,
                role=MemberRole(role),
                legal_basis=BASIS,
                now=NOW,
            )
        return case


@pytest.fixture
def team(db: Session, factory: Factory, settings: Settings) -> Team:
    agencies = {
        "NL-NP": factory.agency("NL-NP", kind=AgencyKind.police, country="NL"),
        "DE-BKA": factory.agency("DE-BKA", kind=AgencyKind.police, country="DE"),
        "CO-DIJIN": factory.agency("CO-DIJIN", kind=AgencyKind.police, country="CO"),
        "EUROPOL": factory.agency("EUROPOL", kind=AgencyKind.analysis_hub, country="NL"),
        "ES-MJ": factory.agency("ES-MJ", kind=AgencyKind.central_authority, country="ES"),
        "FR-OFAST": factory.agency("FR-OFAST", kind=AgencyKind.police, country="FR"),
        "BANK": factory.agency("BANK", kind=AgencyKind.private_partner, country="NL"),
    }
    users = {
        "nl": ("nl.officer", Role.officer, "NL-NP"),
        "nl_supervisor": ("nl.supervisor", Role.supervisor, "NL-NP"),
        "nl_admin": ("nl.admin", Role.agency_admin, "NL-NP"),
        "nl_auditor": ("nl.auditor", Role.auditor, "NL-NP"),
        "de": ("de.officer", Role.officer, "DE-BKA"),
        "co": ("co.officer", Role.officer, "CO-DIJIN"),
        "europol": ("europol.analyst", Role.analyst, "EUROPOL"),
        "es": ("es.prosecutor", Role.officer, "ES-MJ"),
        "fr": ("fr.officer", Role.officer, "FR-OFAST"),
        "bank": ("bank.mlro", Role.partner, "BANK"),
    }
    people, accounts = {}, {}
    for name, (username, role, code) in users.items():
        accounts[name], _ = factory.user(username, role, agency=agencies[code])
        people[name] = principal_of(db, accounts[name])
    return Team(db=db, settings=settings, people=people, users=accounts, agencies=agencies)
