"""Grants: an owner's administrator opens records to another agency, and closes them again."""

from __future__ import annotations

from fastapi.testclient import TestClient

from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.records import service
from tests.conftest import Factory
from tests.records.helpers import HEADERS, envelope, person, principal_of


def test_grant_opens_records_and_revocation_closes_them_at_once(
    client: TestClient, factory: Factory, db
) -> None:
    owner = factory.agency("DE-BKA", country="DE")
    partner = factory.agency("NCB-FR", country="FR")
    admin, _ = factory.user("chef", Role.agency_admin, agency=owner)
    officer, _ = factory.user("anna", Role.officer, agency=owner)
    french, _ = factory.user("jean", Role.officer, agency=partner)
    service.create_record(
        db,
        principal=principal_of(db, officer),
        settings=factory.settings,
        entity=person("Marko Kovač", "p1"),
        envelope=envelope(),
        now=utcnow(),
    )
    db.commit()
    reader = {**factory.bearer(french), **HEADERS}
    assert client.get("/api/records/de-bka.p1", headers=reader).status_code == 404

    refused = client.post(
        "/api/grants",
        json={"grantee": "NCB-FR", "reason": "JIT Tide"},
        headers=factory.bearer(officer),
    )
    assert refused.status_code == 403
    granted = client.post(
        "/api/grants",
        json={
            "grantee": "NCB-FR",
            "level": "hit_only",
            "schema": "Person",
            "reason": "JIT Tide, agreement 2026/3",
        },
        headers=factory.bearer(admin),
    )
    assert granted.status_code == 201, granted.text
    assert client.get("/api/records/de-bka.p1", headers=reader).json() == {
        "access": "hit_only",
        "id": "de-bka.p1",
        "schema": "Person",
        "owner_agency": "DE-BKA",
    }
    # The owner hears of the hit: who, and for which purpose.
    [hit] = client.get("/api/notifications", headers=factory.bearer(officer)).json()
    assert hit["kind"] == "record.hit"
    assert hit["message"] == "NCB-FR hit record de-bka.p1 for criminal_investigation"
    client.delete(f"/api/grants/{granted.json()['id']}", headers=factory.bearer(admin))
    assert client.get("/api/records/de-bka.p1", headers=reader).status_code == 404
    listed = client.get("/api/grants", headers=factory.bearer(french)).json()
    assert listed[0]["revoked_at"] is not None
