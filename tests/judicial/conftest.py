"""Central authorities at work: the Netherlands' (NL-OM) asking Colombia's (CO-FGN) and
Spain's (ES-MJ), the Colombian police executing, a French police force outside it all, and
helpers that draft complete requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from palermo.exchange import keys
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.judicial import requests
from palermo.judicial.schemas import RequestIn
from palermo.models.judicial import JudicialRequest
from palermo.settings import Settings
from tests.conftest import Factory
from tests.records.helpers import principal_of

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def request_in(**fields: Any) -> RequestIn:
    """A complete MLA request from the Netherlands to Colombia about cocaine imports."""
    document: dict[str, Any] = {
        "kind": "mla",
        "requested": "CO-FGN",
        "measures": ["bank_records", "taking_evidence"],
        "treaty": "UNTOC",
        "offences": ["0601"],
        "requesting_authority": "Landelijk Parket, Openbaar Ministerie, Rotterdam",
        "proceedings": "Criminal investigation 'Harbour' (parketnummer 10/960123-25) into the "
        "import of cocaine through Rotterdam, led by the public prosecutor",
        "facts": "Between 2024 and 2026 about 4,000 kg of cocaine was shipped in banana "
        "containers from Turbo to Rotterdam; the importer paid a Colombian exporter.",
        "assistance": "Statements of account of Frutas del Urabá S.A.S. at Banco Andino; "
        "hearing of its manager as a witness.",
        "persons": [{"name": "Julián Restrepo Ochoa", "nationality": "CO", "location": "Turbo"}],
        "purpose": "Evidence of the payments for the shipments, for the trial in Rotterdam",
        "requested_by": "2026-09-30",
    }
    document.update(fields)
    return RequestIn.model_validate(document)


@dataclass
class Desk:
    db: Session
    settings: Settings
    keyring: Keyring
    people: dict[str, Principal]

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]

    def draft(self, by: str = "nl", **fields: Any) -> JudicialRequest:
        return requests.draft(self.db, principal=self[by], payload=request_in(**fields), now=NOW)

    def send(self, request: JudicialRequest, by: str = "nl") -> JudicialRequest:
        return requests.send(
            self.db,
            principal=self[by],
            keyring=self.keyring,
            request=request,
            max_attachment_bytes=self.settings.max_attachment_bytes,
            now=NOW,
        )


@pytest.fixture
def desk(db: Session, factory: Factory, settings: Settings) -> Desk:
    agencies = {
        "NL-OM": factory.agency("NL-OM", kind=AgencyKind.central_authority, country="NL"),
        "CO-FGN": factory.agency("CO-FGN", kind=AgencyKind.central_authority, country="CO"),
        "ES-MJ": factory.agency("ES-MJ", kind=AgencyKind.central_authority, country="ES"),
        "CO-DIJIN": factory.agency("CO-DIJIN", kind=AgencyKind.police, country="CO"),
        "NL-NP": factory.agency("NL-NP", kind=AgencyKind.police, country="NL"),
        "FR-OFAST": factory.agency("FR-OFAST", kind=AgencyKind.police, country="FR"),
    }
    users = {
        "nl": ("nl.prosecutor", Role.officer, "NL-OM"),
        "co": ("co.fiscal", Role.officer, "CO-FGN"),
        "es": ("es.prosecutor", Role.officer, "ES-MJ"),
        "dijin": ("co.dijin", Role.officer, "CO-DIJIN"),
        "police": ("nl.police", Role.officer, "NL-NP"),
        "fr": ("fr.officer", Role.officer, "FR-OFAST"),
    }
    people = {}
    for name, (username, role, code) in users.items():
        user, _ = factory.user(username, role, agency=agencies[code])
        people[name] = principal_of(db, user)
    keyring = Keyring.of(settings)
    keys.ensure_hosted_keys(db, keyring.sealer)
    return Desk(db=db, settings=settings, keyring=keyring, people=people)
