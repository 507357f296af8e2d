"""A small world for the security tests, built through the API as users would build it.

France's NCB (officer, analyst, supervisor, auditor) and Germany's NCB (officer, supervisor),
their two central authorities, and a French bank. Germany owns records under four envelopes
— shared with France in full, hit-only with everyone, restricted to itself, shared with
France but blocked by nothing else — and a case, a task, evidence, a draft notice, a
message with an attachment, an asset, and a judicial request, none of
which France may see (except the shared and hit-only records, as their envelopes say).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from palermo.exchange import keys
from palermo.exchange.keys import Keyring
from palermo.identity.roles import AgencyKind, Role
from palermo.models.identity import Agency, User
from palermo.screening import index as screening_index
from tests.assets.conftest import asset_in
from tests.conftest import Factory
from tests.judicial.conftest import request_in
from tests.notices.conftest import red_request, unique_name

PURPOSE = {"X-Purpose": "criminal_investigation", "X-Justification": "Operation Tide"}
EVIDENCE = b"%PDF-1.7\nExtraction report\n"
ATTACHMENT = b"ledger of the Kehl shipments"

# username → (agency code, roles)
USERS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "fr.officer": ("NCB-FR", (Role.officer,)),
    "fr.analyst": ("NCB-FR", (Role.analyst,)),
    "fr.supervisor": ("NCB-FR", (Role.supervisor,)),
    "fr.auditor": ("NCB-FR", (Role.auditor,)),
    "fr.admin": ("NCB-FR", (Role.agency_admin,)),
    "de.officer": ("NCB-DE", (Role.officer,)),
    "de.supervisor": ("NCB-DE", (Role.supervisor,)),
    "fr.prosecutor": ("FR-MJ", (Role.officer,)),
    "de.prosecutor": ("DE-BMJ", (Role.officer,)),
    "bank.mlro": ("FR-BANK", (Role.partner,)),
}


@dataclass
class World:
    db: Session
    factory: Factory
    client: TestClient
    users: dict[str, User]
    totp: dict[str, str | None]  # the TOTP seeds of roles that need one
    agencies: dict[str, Agency]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    # what Germany made, by name → id (records: their ids; the rest: UUIDs as text)
    ids: dict[str, str] = field(default_factory=dict)

    def as_(self, username: str) -> dict[str, str]:
        """Bearer and purpose headers of `username` (one token each, issued once)."""
        if username not in self.headers:
            self.headers[username] = {**self.factory.bearer(self.users[username]), **PURPOSE}
        return self.headers[username]

    def post(self, url: str, by: str, expect: int = 201, **kwargs: Any) -> Any:
        answer = self.client.post(url, headers=self.as_(by), **kwargs)
        assert answer.status_code == expect, answer.text
        return answer.json() if answer.content else None


def _record(world: World, by: str, name: str, shares: list[dict[str, str]]) -> str:
    body = {
        "entity": {"schema": "Person", "properties": {"name": [name]}},
        "envelope": {
            "legal_basis": "BKAG § 16",
            "subject_category": "suspect",
            "purposes": ["criminal_investigation", "asset_recovery", "criminal_analysis"],
            "shares": shares,
        },
    }
    created: str = world.post("/api/records", by, json=body)["id"]
    return created


def _build(world: World) -> None:
    ids = world.ids
    ids["fr_record"] = _record(world, "fr.officer", "Lucien Marchetti", [])
    ids["shared_record"] = _record(
        world, "de.officer", "Dieter Kramm", [{"scope": "agency", "agency": "NCB-FR"}]
    )
    ids["hit_only_record"] = _record(
        world,
        "de.officer",
        "Horst Bleiker",
        [{"scope": "country", "country": "FR", "level": "hit_only"}],
    )
    ids["restricted_record"] = _record(world, "de.officer", "Volker Sand", [])

    case = world.post(
        "/api/cases",
        "de.officer",
        json={"title": "Operation Kehl", "offences": ["0601"], "legal_basis": "StPO § 161"},
    )
    ids["case"] = case["id"]
    world.post(
        f"/api/cases/{case['id']}/tasks",
        "de.officer",
        json={"title": "Trace the consignee", "agency": "NCB-DE"},
    )
    evidence = world.post(
        f"/api/cases/{case['id']}/evidence",
        "de.officer",
        json={
            "kind": "digital",
            "title": "Extraction report",
            "collected_at": "2026-05-29T09:30:00+02:00",
            "collected_place": "Kehl",
            "file_name": "extraction.pdf",
            "media_type": "application/pdf",
            "content_base64": base64.b64encode(EVIDENCE).decode(),
        },
    )
    ids["evidence"] = evidence["id"]
    ids["fr_case"] = world.post(
        "/api/cases",
        "fr.officer",
        json={"title": "Operation Rhin", "offences": ["0601"], "legal_basis": "CPP art. 75"},
    )["id"]

    notice = red_request(unique_name()).model_dump(mode="json", by_alias=True)
    ids["notice"] = world.post("/api/notices", "de.officer", json=notice)["id"]

    message = world.post(
        "/api/messages",
        "de.officer",
        json={
            "recipients": ["DE-BMJ"],
            "subject": "Kehl shipments",
            "body": "The ledger is attached.",
            "attachments": [
                {
                    "name": "ledger.txt",
                    "media_type": "text/plain",
                    "content_base64": base64.b64encode(ATTACHMENT).decode(),
                }
            ],
        },
    )
    ids["message"], ids["thread"] = message["id"], message["thread_id"]
    read = world.client.get(f"/api/messages/{message['id']}", headers=world.as_("de.officer"))
    ids["blob"] = read.json()["attachment_files"][0]["blob"]

    asset = asset_in("Flat, Hafenstraße 3, Kehl", country="DE").model_dump(mode="json")
    ids["asset"] = world.post("/api/assets", "de.officer", json=asset)["id"]

    due = str(date.today() + timedelta(days=90))
    judicial = request_in(requested="FR-MJ", requested_by=due).model_dump(mode="json")
    ids["request"] = world.post("/api/requests", "de.prosecutor", json=judicial)["id"]


@pytest.fixture
def world(db: Session, factory: Factory, client: TestClient) -> World:
    screening_index._INDEXES.clear()  # the process's index outlives the rolled-back world
    agencies = {
        "NCB-FR": factory.agency("NCB-FR", kind=AgencyKind.national_central_bureau, country="FR"),
        "NCB-DE": factory.agency("NCB-DE", kind=AgencyKind.national_central_bureau, country="DE"),
        "FR-MJ": factory.agency("FR-MJ", kind=AgencyKind.central_authority, country="FR"),
        "DE-BMJ": factory.agency("DE-BMJ", kind=AgencyKind.central_authority, country="DE"),
        "FR-BANK": factory.agency("FR-BANK", kind=AgencyKind.private_partner, country="FR"),
    }
    created = {
        name: factory.user(name, *roles, agency=agencies[code])
        for name, (code, roles) in USERS.items()
    }
    users = {name: user for name, (user, _) in created.items()}
    totp = {name: seed for name, (_, seed) in created.items()}
    keys.ensure_hosted_keys(db, Keyring.of(factory.settings).sealer)
    db.commit()
    world = World(db=db, factory=factory, client=client, users=users, totp=totp, agencies=agencies)
    _build(world)
    return world
