"""Records through the API: collection with envelopes, bad input, alteration, erasure."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.identity.roles import Role
from palermo.models.records import Notification, Record, Statement
from tests.conftest import Factory, audit_actions
from tests.records.helpers import HEADERS


def new_record(client: TestClient, headers: dict[str, str], **overrides: object):
    body = {
        "entity": {
            "id": "p1",
            "schema": "Person",
            "properties": {
                "name": ["Marko Kovač"],
                "birthDate": ["1981-04-02"],
                "nationality": ["hr"],
                "passportNumber": ["HR-991 2201"],
            },
        },
        "envelope": {
            "subject_category": "suspect",
            "legal_basis": "StPO § 483",
            "handling_code": "H1",
            "tlp": "AMBER",
            "offences": ["0601"],
            "source_reliability": "B",
            "information_accuracy": "2",
        },
    }
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        body[section][field] = value  # type: ignore[index]
    return client.post("/api/records", json=body, headers=headers)


def test_collect_and_read_a_record_with_its_envelope(
    client: TestClient, factory: Factory, db: Session
) -> None:
    agency = factory.agency("DE-BKA", country="DE")
    officer, _ = factory.user("anna", Role.officer, agency=agency)
    headers = factory.bearer(officer)
    created = new_record(client, headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == "de-bka.p1"
    assert body["caption"] == "Marko Kovač"
    assert body["envelope"]["evaluation"] == "B2"
    assert body["envelope"]["handling_code"] == "H1"
    assert body["envelope"]["offences"] == ["0601"]
    assert body["envelope"]["review_due"] > body["created_at"][:10]
    assert "record.create" in audit_actions(db)

    read = client.get("/api/records/de-bka.p1", headers={**headers, **HEADERS})
    assert read.status_code == 200
    assert read.json()["properties"]["passportNumber"] == ["HR-991 2201"]
    by_passport = client.get(
        "/api/records",
        params={"prop": "passportNumber", "value": "hr9912201"},
        headers={**headers, **HEADERS},
    )
    assert by_passport.status_code == 200, by_passport.text
    assert [i["id"] for i in by_passport.json()["items"]] == ["de-bka.p1"]
    by_name = client.get("/api/records", params={"q": "kovac"}, headers={**headers, **HEADERS})
    assert by_name.json()["total"] == 1


def test_consultation_needs_purpose_and_justification(client: TestClient, factory: Factory) -> None:
    officer, _ = factory.user("anna", Role.officer)
    headers = factory.bearer(officer)
    assert new_record(client, headers).status_code == 201
    record_id = client.get(
        "/api/records", params={"q": "kovac"}, headers={**headers, **HEADERS}
    ).json()["items"][0]["id"]
    missing = client.get(f"/api/records/{record_id}", headers=headers)
    assert missing.status_code == 422
    assert "purpose is required" in missing.json()["error"]["message"]
    no_reason = client.get(
        f"/api/records/{record_id}", headers={**headers, "X-Purpose": "criminal_investigation"}
    )
    assert "justification is required" in no_reason.json()["error"]["message"]
    unknown = client.get(
        f"/api/records/{record_id}",
        headers={**headers, "X-Purpose": "curiosity", "X-Justification": "x y z"},
    )
    assert "unknown purpose 'curiosity'" in unknown.json()["error"]["message"]


def count_records(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Record)) or 0


def test_bad_records_are_refused_with_the_reason_and_nothing_written(
    client: TestClient, factory: Factory, db: Session
) -> None:
    officer, _ = factory.user("anna", Role.officer)
    headers = factory.bearer(officer)
    cases = {
        "unknown schema 'Persn'": {"entity__schema": "Persn"},
        "unknown property 'shoeSize'": {"entity__properties": {"name": ["X"], "shoeSize": ["44"]}},
        "'1981-13-02' is not a valid date": {
            "entity__properties": {"name": ["X"], "birthDate": ["1981-13-02"]}
        },
        "'Atlantis' is not a valid country": {
            "entity__properties": {"name": ["X"], "nationality": ["Atlantis"]}
        },
        "needs a data-subject category": {
            "envelope__subject_category": None,
        },
        "unknown ICCS code '0999'": {"envelope__offences": ["0999"]},
        "H3 needs a note": {"envelope__handling_code": "H3"},
    }
    before = count_records(db)
    for expected, overrides in cases.items():
        response = new_record(client, headers, **overrides)
        assert response.status_code == 422, (expected, response.text)
        assert expected in response.json()["error"]["message"], response.text
    red = new_record(
        client,
        headers,
        envelope__tlp="RED",
        envelope__shares=[{"scope": "country", "country": "FR"}],
    )
    assert "TLP:RED" in red.json()["error"]["message"]
    assert count_records(db) == before


def test_restrictions_never_loosen_without_the_owners_decision(
    client: TestClient, factory: Factory, db: Session
) -> None:
    agency = factory.agency("DE-BKA", country="DE")
    factory.agency("NCB-FR", country="FR")
    officer, _ = factory.user("anna", Role.officer, agency=agency)
    supervisor, _ = factory.user("sup", Role.supervisor, agency=agency)
    headers = factory.bearer(officer)
    assert new_record(client, headers, envelope__handling_code="H2").status_code == 201
    looser = {
        "legal_basis": "StPO § 483",
        "subject_category": "suspect",
        "handling_code": "H0",
        "tlp": "GREEN",
        "shares": [{"scope": "agency", "agency": "NCB-FR"}],
    }
    refused = client.patch("/api/records/de-bka.p1", json={"envelope": looser}, headers=headers)
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "handling code H2 → H0" in message
    assert "TLP:AMBER → TLP:GREEN" in message
    assert "new recipient" in message
    not_allowed = client.patch(
        "/api/records/de-bka.p1", json={"envelope": looser, "widen": True}, headers=headers
    )
    assert not_allowed.status_code == 403
    widened = client.patch(
        "/api/records/de-bka.p1",
        json={"envelope": looser, "widen": True},
        headers=factory.bearer(supervisor),
    )
    assert widened.status_code == 200, widened.text
    assert widened.json()["envelope"]["handling_code"] == "H0"
    tighter = {**looser, "handling_code": "H3", "handling_note": "Only for Operation Tide"}
    assert (
        client.patch(
            "/api/records/de-bka.p1", json={"envelope": tighter}, headers=headers
        ).status_code
        == 200
    )


def test_alteration_keeps_every_version_and_notifies_recipients(
    client: TestClient, factory: Factory, db: Session
) -> None:
    owner = factory.agency("DE-BKA", country="DE")
    partner = factory.agency("NCB-FR", country="FR")
    officer, _ = factory.user("anna", Role.officer, agency=owner)
    french, _ = factory.user("jean", Role.officer, agency=partner)
    headers = factory.bearer(officer)
    created = new_record(
        client, headers, envelope__shares=[{"scope": "agency", "agency": "NCB-FR"}]
    )
    assert created.status_code == 201
    # The French officer consults the record: a disclosure to NCB-FR.
    assert (
        client.get(
            "/api/records/de-bka.p1", headers={**factory.bearer(french), **HEADERS}
        ).status_code
        == 200
    )
    corrected = client.patch(
        "/api/records/de-bka.p1",
        json={"properties": {"name": ["Marko Kovač", "Marco Kovac"], "birthDate": ["1981-04-03"]}},
        headers=headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 2
    history = client.get("/api/records/de-bka.p1/history", headers={**headers, **HEADERS}).json()
    assert [v["operation"] for v in history] == ["collection", "alteration"]
    removed = {(c["prop"], c["value"]) for c in history[1]["removed"]}
    added = {(c["prop"], c["value"]) for c in history[1]["added"]}
    assert ("birthDate", "1981-04-02") in removed
    assert ("nationality", "hr") in removed  # not in the new full set of properties
    assert added == {("name", "Marco Kovac"), ("birthDate", "1981-04-03")}
    notices = db.scalars(select(Notification).where(Notification.agency_id == partner.id)).all()
    assert [n.kind for n in notices] == ["record.corrected"]
    # Others do not see the owner's history.
    assert (
        client.get(
            "/api/records/de-bka.p1/history", headers={**factory.bearer(french), **HEADERS}
        ).status_code
        == 403
    )


def test_erasure_removes_content_and_tells_recipients(
    client: TestClient, factory: Factory, db: Session
) -> None:
    owner = factory.agency("DE-BKA", country="DE")
    partner = factory.agency("NCB-FR", country="FR")
    officer, _ = factory.user("anna", Role.officer, agency=owner)
    supervisor, _ = factory.user("sup", Role.supervisor, agency=owner)
    french, _ = factory.user("jean", Role.officer, agency=partner)
    new_record(
        client, factory.bearer(officer), envelope__shares=[{"scope": "country", "country": "FR"}]
    )
    client.get("/api/records/de-bka.p1", headers={**factory.bearer(french), **HEADERS})
    refused = client.delete(
        "/api/records/de-bka.p1",
        params={"reason": "wrong person"},
        headers=factory.bearer(officer),
    )
    assert refused.status_code == 403
    erased = client.delete(
        "/api/records/de-bka.p1",
        params={"reason": "court order 12/2026"},
        headers=factory.bearer(supervisor),
    )
    assert erased.status_code == 204
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Statement)) == 0
    assert (
        client.get(
            "/api/records/de-bka.p1", headers={**factory.bearer(officer), **HEADERS}
        ).status_code
        == 404
    )
    kinds = db.scalars(select(Notification.kind).where(Notification.agency_id == partner.id)).all()
    assert "record.erased" in kinds
    assert "record.erase" in audit_actions(db)


def test_roles_without_record_work_see_nothing(client: TestClient, factory: Factory) -> None:
    agency = factory.agency("DE-BKA", country="DE")
    officer, _ = factory.user("anna", Role.officer, agency=agency)
    auditor, _ = factory.user("audi", Role.auditor, agency=agency)
    new_record(client, factory.bearer(officer))
    headers = {**factory.bearer(auditor), **HEADERS}
    assert client.get("/api/records/de-bka.p1", headers=headers).status_code == 404
    assert client.get("/api/records", params={"q": "kovac"}, headers=headers).json()["total"] == 0
    assert new_record(client, factory.bearer(auditor)).status_code == 403


def test_links_to_hidden_records_are_refused_like_missing_ones(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.agency("CO-DIJIN", country="CO")
    other = factory.agency("NL-NP", country="NL")
    informant_handler, _ = factory.user("carlos", Role.officer, agency=owner)
    dutch, _ = factory.user("sanne", Role.officer, agency=other)
    assert new_record(client, factory.bearer(informant_handler)).status_code == 201

    def link_to(target: str):
        return client.post(
            "/api/records",
            json={
                "entity": {
                    "schema": "UnknownLink",
                    "properties": {"subject": [target], "object": [target]},
                },
                "envelope": {"legal_basis": "Sv art. 126"},
            },
            headers=factory.bearer(dutch),
        )

    hidden = link_to("co-dijin.p1")
    missing = link_to("co-dijin.nothing")
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json()["error"]["message"].replace("co-dijin.p1", "X") == (
        missing.json()["error"]["message"].replace("co-dijin.nothing", "X")
    )


def test_identifier_formats_are_checked(client: TestClient, factory: Factory) -> None:
    officer, _ = factory.user("anna", Role.officer)
    response = client.post(
        "/api/records",
        json={
            "entity": {"schema": "BankAccount", "properties": {"iban": ["garbage"]}},
            "envelope": {"legal_basis": "StPO § 483"},
        },
        headers=factory.bearer(officer),
    )
    assert response.status_code == 422
    assert "'garbage' is not a valid" in response.json()["error"]["message"]
