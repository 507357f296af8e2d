"""An asset recovery desk: the Dutch asset recovery office and central authority, the UAE's
police and central authority, a French office, and helpers that drive the real services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from palermo.assets import orders, transitions
from palermo.assets.lifecycle import AssetState, OrderKind
from palermo.assets.register import register
from palermo.assets.schemas import AssetIn, OrderIn, TransitionIn
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.assets import Asset, AssetEvent, AssetOrder
from palermo.models.identity import User
from palermo.records.schemas import EnvelopeIn
from palermo.records.service import create_record
from palermo.settings import Settings
from tests.conftest import Factory
from tests.records.helpers import principal_of

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LEGAL_BASIS = "Wetboek van Strafvordering art. 94a"


def asset_in(
    description: str = "Villa, Kralingse Plaslaan 12, Rotterdam",
    *,
    kind: str = "real_estate",
    country: str = "NL",
    value: str = "1250000.00",
    currency: str = "EUR",
    valued_on: date = date(2025, 1, 10),
    offences: list[str] | None = None,
    owners: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> AssetIn:
    return AssetIn.model_validate(
        {
            "kind": kind,
            "description": description,
            "country": country,
            "value": value,
            "currency": currency,
            "valued_on": valued_on.isoformat(),
            "provenance": "investigation",
            "provenance_ref": "Operation Harbour",
            "owners": owners or [],
            "envelope": {
                "legal_basis": LEGAL_BASIS,
                "purposes": ["asset_recovery", "criminal_investigation"],
                "offences": offences if offences is not None else ["0601"],
            },
            **extra,
        }
    )


@dataclass
class Desk:
    db: Session
    settings: Settings
    people: dict[str, Principal]
    users: dict[str, User]
    counter: list[int] = field(default_factory=lambda: [0])

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]

    def asset(self, *description: str, by: str = "nl", **fields: Any) -> Asset:
        asset = register(
            self.db,
            principal=self[by],
            settings=self.settings,
            payload=asset_in(*description, **fields),
            now=NOW,
        )
        self.db.flush()
        return asset

    def order(
        self,
        kind: OrderKind | str,
        *assets: Asset,
        by: str = "nl",
        issued_on: date = date(2025, 2, 1),
        **fields: Any,
    ) -> AssetOrder:
        """An order of `kind` covering `assets`; a temporary one runs to the end of 2026
        unless `expires_on` is given (None: without one)."""
        kind = OrderKind(kind)
        self.counter[0] += 1
        temporary = kind in (OrderKind.freezing, OrderKind.seizure)
        expires_on = fields.pop("expires_on", date(2026, 12, 31) if temporary else None)
        if kind is OrderKind.confiscation:
            fields.setdefault("legal_basis", "conviction_based")
        payload = OrderIn.model_validate(
            {
                "reference": f"{kind.value[:3].upper()}-{self.counter[0]:03d}",
                "kind": kind.value,
                "authority": "Rechtbank Rotterdam",
                "country": fields.pop("country", self[by].country),
                "issued_on": issued_on.isoformat(),
                "expires_on": expires_on.isoformat() if expires_on else None,
                "assets": [a.reference for a in assets],
                **fields,
            }
        )
        return orders.record_order(self.db, principal=self[by], payload=payload, now=NOW)

    def move(
        self,
        asset: Asset,
        to: AssetState | str,
        order: AssetOrder | None = None,
        *,
        on: date = date(2025, 3, 1),
        by: str = "nl",
        note: str | None = None,
    ) -> AssetEvent:
        return transitions.transition(
            self.db,
            principal=self[by],
            asset_id=asset.id,
            payload=TransitionIn(
                to=AssetState(to), order=order.id if order else None, on=on, note=note
            ),
            now=NOW,
        )

    def entity(
        self,
        schema: str,
        name: str | None = None,
        by: str = "nl",
        shares: list[dict[str, str]] | None = None,
        **properties: list[str],
    ) -> str:
        """A record of `schema` (a Person, a Company, an Ownership…) owned by `by`'s agency."""
        if name is not None:
            properties["name"] = [name]
        envelope = EnvelopeIn.model_validate(
            {
                **asset_in().envelope.model_dump(exclude={"subject_category", "shares"}),
                "subject_category": "suspect" if schema == "Person" else None,
                "shares": shares or [],
            }
        )
        record = create_record(
            self.db,
            principal=self[by],
            settings=self.settings,
            entity={"schema": schema, "properties": properties},
            envelope=envelope,
            now=NOW,
        )
        return record.id


@pytest.fixture
def desk(db: Session, factory: Factory, settings: Settings) -> Desk:
    agencies = {
        "NL-ARO": factory.agency("NL-ARO", kind=AgencyKind.police, country="NL"),
        "NL-AIRS": factory.agency("NL-AIRS", kind=AgencyKind.central_authority, country="NL"),
        "AE-POL": factory.agency("AE-POL", kind=AgencyKind.police, country="AE"),
        "AE-MOJ": factory.agency("AE-MOJ", kind=AgencyKind.central_authority, country="AE"),
        "FR-AGRASC": factory.agency("FR-AGRASC", kind=AgencyKind.police, country="FR"),
        "BANK": factory.agency("BANK", kind=AgencyKind.private_partner, country="NL"),
    }
    users = {
        "nl": ("nl.officer", Role.officer, "NL-ARO"),
        "nl_supervisor": ("nl.supervisor", Role.supervisor, "NL-ARO"),
        "nl_ca": ("nl.prosecutor", Role.officer, "NL-AIRS"),
        "ae": ("ae.officer", Role.officer, "AE-POL"),
        "ae_ca": ("ae.prosecutor", Role.officer, "AE-MOJ"),
        "fr": ("fr.officer", Role.officer, "FR-AGRASC"),
        "bank": ("bank.mlro", Role.partner, "BANK"),
        "nl_auditor": ("nl.auditor", Role.auditor, "NL-ARO"),
    }
    people, accounts = {}, {}
    for name, (username, role, code) in users.items():
        accounts[name], _ = factory.user(username, role, agency=agencies[code])
        people[name] = principal_of(db, accounts[name])
    return Desk(db=db, settings=settings, people=people, users=accounts)
