"""A small world for global search: the Dutch and German national central bureaus (and the
Italian one, for messages between others), the Dutch and Colombian central authorities and
Spain's, a bank and an auditor; helpers that write through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from palermo.assets.register import register
from palermo.cases import membership
from palermo.exchange import keys, messages
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.judicial import requests
from palermo.models.assets import Asset
from palermo.models.cases import Case
from palermo.models.exchange import Message
from palermo.models.identity import User
from palermo.models.judicial import JudicialRequest
from palermo.models.notices import Notice
from palermo.notices import service as notices
from palermo.records.service import create_record
from palermo.search import service
from palermo.search.schemas import ResultKind, SearchOut
from palermo.settings import Settings
from tests.assets.conftest import asset_in
from tests.conftest import Factory
from tests.judicial.conftest import request_in
from tests.notices.conftest import red_request
from tests.records.helpers import INVESTIGATION, envelope, person, principal_of

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    db: Session
    settings: Settings
    keyring: Keyring
    people: dict[str, Principal]
    users: dict[str, User]

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]

    def person(self, name: str, by: str = "nl", **fields: Any) -> str:
        """A suspect's record owned by `by`'s agency, shared as `shares` says."""
        record = create_record(
            self.db,
            principal=self[by],
            settings=self.settings,
            entity=person(name, **fields.pop("properties", {})),
            envelope=envelope(**fields),
            now=NOW,
        )
        return record.id

    def case(self, title: str, by: str = "nl") -> Case:
        return membership.open_case(
            self.db,
            principal=self[by],
            title=title,
            summary="Cocaine in banana containers through Rotterdam",
            offences=["0601"],
            legal_basis="Wetboek van Strafvordering art. 126",
            opened_on=date(2026, 1, 15),
            now=NOW,
        )

    def notice(self, name: str, by: str = "nl") -> Notice:
        return notices.create(self.db, principal=self[by], payload=red_request(name), now=NOW)

    def message(self, subject: str, by: str = "nl", to: str = "NCB-DE", body: str = "") -> Message:
        draft = messages.Draft.of(
            recipients=[to],
            subject=subject,
            body=body or "Container MSCU 512345 6 arrives on Tuesday",
            max_attachment_bytes=1024,
            today=NOW.date(),
        )
        return messages.send(self.db, self.keyring, principal=self[by], draft=draft, now=NOW)

    def request(self, proceedings: str, by: str = "nl_ca", **fields: Any) -> JudicialRequest:
        return requests.draft(
            self.db,
            principal=self[by],
            payload=request_in(proceedings=proceedings, **fields),
            now=NOW,
        )

    def send(self, request: JudicialRequest, by: str = "nl_ca") -> JudicialRequest:
        return requests.send(
            self.db,
            principal=self[by],
            keyring=self.keyring,
            request=request,
            max_attachment_bytes=self.settings.max_attachment_bytes,
            now=NOW,
        )

    def asset(self, description: str, by: str = "nl") -> Asset:
        return register(
            self.db,
            principal=self[by],
            settings=self.settings,
            payload=asset_in(description),
            now=NOW,
        )

    def search(self, who: str, text: str, *, context: bool = True, **options: Any) -> SearchOut:
        return service.search(
            self.db,
            self.keyring,
            principal=self[who],
            text=text,
            context=INVESTIGATION if context else None,
            now=NOW,
            **options,
        )


def found(out: SearchOut, kind: ResultKind) -> list[str | None]:
    """The references (titles, where none) of the results of `kind`."""
    return [r.reference or r.title for r in out.results if r.kind is kind]


def tally(out: SearchOut, kind: ResultKind) -> tuple[int | None, bool, bool]:
    """(count, more, needs_context) of `kind`."""
    (one,) = [t for t in out.tallies if t.kind is kind]
    return one.count, one.more, one.needs_context


@pytest.fixture
def world(db: Session, factory: Factory, settings: Settings) -> World:
    agencies = {
        "NCB-NL": factory.agency("NCB-NL", kind=AgencyKind.national_central_bureau, country="NL"),
        "NCB-DE": factory.agency("NCB-DE", kind=AgencyKind.national_central_bureau, country="DE"),
        "NCB-IT": factory.agency("NCB-IT", kind=AgencyKind.national_central_bureau, country="IT"),
        "NL-OM": factory.agency("NL-OM", kind=AgencyKind.central_authority, country="NL"),
        "CO-FGN": factory.agency("CO-FGN", kind=AgencyKind.central_authority, country="CO"),
        "ES-MJ": factory.agency("ES-MJ", kind=AgencyKind.central_authority, country="ES"),
        "BANK": factory.agency("BANK", kind=AgencyKind.private_partner, country="NL"),
    }
    accounts = {
        "nl": ("nl.officer", Role.officer, "NCB-NL"),
        "nl_auditor": ("nl.auditor", Role.auditor, "NCB-NL"),
        "de": ("de.officer", Role.officer, "NCB-DE"),
        "it": ("it.officer", Role.officer, "NCB-IT"),
        "nl_ca": ("nl.prosecutor", Role.officer, "NL-OM"),
        "co_ca": ("co.fiscal", Role.officer, "CO-FGN"),
        "es_ca": ("es.prosecutor", Role.officer, "ES-MJ"),
        "bank": ("bank.mlro", Role.partner, "BANK"),
    }
    people, users = {}, {}
    for name, (username, role, code) in accounts.items():
        users[name], _ = factory.user(username, role, agency=agencies[code])
        people[name] = principal_of(db, users[name])
    keyring = Keyring.of(settings)
    keys.ensure_hosted_keys(db, keyring.sealer)
    db.commit()
    return World(db=db, settings=settings, keyring=keyring, people=people, users=users)
