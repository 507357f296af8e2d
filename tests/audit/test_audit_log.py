"""The audit log: every LED operation leaves a line; the log proves it was not rewritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from palermo.audit import merkle, tree
from palermo.audit import service as audit_service
from palermo.audit.service import Operation, record
from palermo.identity.roles import Role
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.records import service, transfer
from tests.conftest import CLI_PASSWORD as PASSWORD
from tests.conftest import Factory, Palermo
from tests.databases import backend
from tests.records.helpers import INVESTIGATION, envelope, person, principal_of


def operations(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def world(factory: Factory, db: Session):
    owner = factory.agency("DE-BKA", country="DE")
    other = factory.agency("NCB-FR", country="FR")
    officer, _ = factory.user("anna", Role.officer, agency=owner)
    supervisor, _ = factory.user("sup", Role.supervisor, agency=owner)
    french, _ = factory.user("jean", Role.officer, agency=other)
    record = service.create_record(
        db,
        principal=principal_of(db, officer),
        settings=factory.settings,
        entity=person("Marko Kovač", "p1"),
        envelope=envelope(shares=[{"scope": "agency", "agency": "NCB-FR"}]),
        now=utcnow(),
    )
    db.commit()
    return {"officer": officer, "supervisor": supervisor, "french": french, "record": record}


def test_collection_is_logged(world, db: Session) -> None:
    [event] = operations(db, "record.create")
    assert event.operation == "collection"
    assert event.object_ids == ["de-bka.p1"]
    assert event.actor == "anna"
    assert event.agency == "DE-BKA"


def test_alteration_is_logged(world, db: Session, factory: Factory) -> None:
    service.update_record(
        db,
        principal=principal_of(db, world["officer"]),
        settings=factory.settings,
        record_id="de-bka.p1",
        properties={"name": ["Marko Kovač"], "birthDate": ["1981"]},
        envelope=None,
        now=utcnow(),
    )
    db.commit()
    [event] = operations(db, "record.update")
    assert event.operation == "alteration"
    assert event.detail["added"] == 1


def test_consultation_is_logged_with_purpose_and_justification(world, db: Session) -> None:
    service.read_record(
        db,
        principal=principal_of(db, world["french"]),
        context=INVESTIGATION,
        record_id="de-bka.p1",
        now=utcnow(),
    )
    db.commit()
    [event] = operations(db, "record.read")
    assert event.operation == "consultation"
    assert event.purpose == "criminal_investigation"
    assert event.justification == INVESTIGATION.justification
    assert event.agency == "NCB-FR"
    assert "Kovač" not in json.dumps(event.detail)  # metadata, never the payload


def test_disclosure_is_logged_with_recipients(world, db: Session) -> None:
    exported = list(
        transfer.export_ftm(
            db, principal=principal_of(db, world["french"]), context=INVESTIGATION, now=utcnow()
        )
    )
    db.commit()
    assert [e["id"] for e in exported] == ["de-bka.p1"]
    [event] = operations(db, "record.export")
    assert event.operation == "disclosure"
    assert event.recipients == ["NCB-FR"]
    assert event.object_ids == ["de-bka.p1"]


def test_combination_is_logged_when_records_of_other_agencies_are_linked(
    world, db: Session, factory: Factory
) -> None:
    french = principal_of(db, world["french"])
    service.create_record(
        db,
        principal=french,
        settings=factory.settings,
        entity=person("Jean Dupont", "j1"),
        envelope=envelope(),
        now=utcnow(),
    )
    service.create_record(
        db,
        principal=french,
        settings=factory.settings,
        entity={
            "id": "a1",
            "schema": "Associate",
            "properties": {"person": ["j1"], "associate": ["de-bka.p1"]},
        },
        envelope=envelope(subject_category=None),
        now=utcnow(),
    )
    db.commit()
    [event] = operations(db, "record.link")
    assert event.operation == "combination"
    assert event.object_ids == ["ncb-fr.a1", "de-bka.p1"]


def test_erasure_is_logged(world, db: Session) -> None:
    service.erase_record(
        db,
        principal=principal_of(db, world["supervisor"]),
        record_id="de-bka.p1",
        reason="court order 12/2026",
        now=utcnow(),
    )
    db.commit()
    [event] = operations(db, "record.erase")
    assert event.operation == "erasure"
    assert event.detail["reason"] == "court order 12/2026"


def test_refusals_are_logged_although_the_request_fails(
    world, client: TestClient, factory: Factory, db: Session
) -> None:
    stranger_agency = factory.agency("NCB-BR", country="BR")
    stranger, _ = factory.user("joao", Role.officer, agency=stranger_agency)
    response = client.get(
        "/api/records/de-bka.p1",
        headers={
            **factory.bearer(stranger),
            "X-Purpose": "criminal_investigation",
            "X-Justification": "curious",
        },
    )
    assert response.status_code == 404
    [event] = operations(db, "record.read")
    assert (event.operation, event.outcome, event.agency) == ("authorization", "deny", "NCB-BR")


def test_audit_rows_refuse_update_and_delete(world, db: Session) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("UPDATE audit_events SET actor = 'mallory'"))
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("DELETE FROM audit_events"))


def test_an_append_after_another_process_reads_the_tail_in_one_go(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process keeps the tail of its last commit; when another process (a second worker,
    a command) has appended since, the subtrees covering the log are read together, and
    the log grows as if nothing had happened."""
    # Other tests' lines may be there already: the log grows to 32 k + 22 lines.
    already = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
    for number in range(-already % 32 + 22):
        record(db, action=f"test.{number}", operation=Operation.consultation, actor="x")
    db.commit()
    reads: list[str] = []
    counted = tree.fetch_rows

    def counting(session: Session, sql: str, params: object) -> object:
        reads.append(sql)
        return counted(session, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(tree, "fetch_rows", counting)
    audit_service._COMMITTED.clear()  # as after another process's commit
    record(db, action="test.after", operation=Operation.consultation, actor="x")
    db.commit()
    assert len(reads) == 1  # the stored nodes of 32 k + 16 + 4 + 2 leaves
    audit_service._COMMITTED.clear()
    record(db, action="test.later", operation=Operation.consultation, actor="x")
    db.commit()
    assert len(reads) == 3  # then those of 32 k + 16 + 4 + 2 + 1: the nodes and a leaf
    leaves = list(db.scalars(select(AuditEvent.leaf_hash).order_by(AuditEvent.leaf_index)))
    assert len(leaves) % 32 == 24
    assert tree.root_at(db, len(leaves)) == merkle.InMemoryTree(leaves).root()


def test_auditors_read_the_log_and_the_reading_is_logged(
    world, client: TestClient, factory: Factory, db: Session
) -> None:
    agency = factory.agency("DE-DPO", country="DE")
    auditor, _ = factory.user("dpo", Role.auditor, agency=agency)
    officer_headers = factory.bearer(world["officer"])
    assert client.get("/api/audit/events", headers=officer_headers).status_code == 403
    events = client.get("/api/audit/events", headers=factory.bearer(auditor))
    assert events.status_code == 200
    assert all(e["agency"] == "DE-DPO" for e in events.json())
    assert operations(db, "audit.read")[-1].actor == "dpo"


def test_signed_heads_and_proofs_over_the_api_verify(
    world, client: TestClient, factory: Factory
) -> None:
    headers = factory.bearer(world["officer"])
    first = client.get("/api/audit/head", headers=headers).json()
    factory.user("more", Role.officer)  # the log grows
    second = client.get("/api/audit/head", headers=headers).json()
    assert second["tree_size"] > first["tree_size"]

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(second["public_key"]))
    key.verify(bytes.fromhex(second["signature"]), second["message"].encode())

    proof = client.get(
        "/api/audit/proofs/consistency",
        params={"first": first["tree_size"], "second": second["tree_size"]},
        headers=headers,
    ).json()
    assert merkle.verify_consistency(
        first["tree_size"],
        second["tree_size"],
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    inclusion = client.get(
        "/api/audit/proofs/inclusion",
        params={"leaf_index": 3, "tree_size": second["tree_size"]},
        headers=headers,
    ).json()
    assert merkle.verify_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        3,
        second["tree_size"],
        [bytes.fromhex(p) for p in inclusion["proof"]],
        bytes.fromhex(second["root_hash"]),
    )
    bad = client.get(
        "/api/audit/proofs/inclusion",
        params={"leaf_index": 10**6, "tree_size": 5},
        headers=headers,
    )
    assert bad.status_code == 422


def _disable_append_only(connection) -> None:
    """What an attacker with the database owner's rights does first."""
    if backend() == "postgresql":
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def _tamper(palermo: Palermo, statement: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(palermo.env["PALERMO_DATABASE_URL"])
    with engine.begin() as connection:
        _disable_append_only(connection)
        connection.execute(text(statement))
    engine.dispose()


def test_verify_names_an_edited_entry(palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    palermo(
        "user", "add", "wanjiru", "--agency", "NCB-KE", "--role", "officer", "--password", PASSWORD
    )
    head = palermo.json("audit", "head")
    assert palermo.json("audit", "verify")["ok"] is True

    _tamper(palermo, "UPDATE audit_events SET actor = 'someone-else' WHERE leaf_index = 1")
    result = palermo("audit", "verify", ok=False)
    assert result.exit_code == 2
    assert "first bad entry 1" in result.output
    assert "entry 1 (user.create" in result.output
    # Proofs over the untouched prefix still work.
    consistency = palermo.json("audit", "prove", "--first", "1", "--size", str(head["tree_size"]))
    assert consistency["ok"] is True


def test_verify_names_a_deleted_entry(palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    palermo.add_ncb("TZ")
    palermo.add_ncb("UG")
    _tamper(palermo, "DELETE FROM audit_events WHERE leaf_index = 1")
    report = json.loads(palermo("audit", "verify", "--json", ok=False).stdout)
    assert report["ok"] is False
    assert report["first_bad_entry"] == 1
    assert "entry 1 is missing (deleted)" in report["problems"]


def test_a_rewritten_history_breaks_the_signed_heads(palermo: Palermo) -> None:
    """Even an attacker who recomputes the leaf hash is caught by the signed tree head."""
    palermo.add_ncb("KE")
    palermo.json("audit", "head")
    from sqlalchemy import create_engine

    engine = create_engine(palermo.env["PALERMO_DATABASE_URL"])
    with engine.begin() as connection:
        _disable_append_only(connection)
        entry = connection.execute(
            text("SELECT entry FROM audit_events WHERE leaf_index = 0")
        ).scalar_one()
        forged = json.loads(entry)
        forged["actor"] = "innocent"
        forged_entry = json.dumps(forged, sort_keys=True, separators=(",", ":"))
        connection.execute(
            text(
                "UPDATE audit_events SET actor = 'innocent', entry = :e, leaf_hash = :h "
                "WHERE leaf_index = 0"
            ),
            {"e": forged_entry, "h": merkle.leaf_hash(forged_entry.encode())},
        )
    engine.dispose()
    report = json.loads(palermo("audit", "verify", "--json", ok=False).stdout)
    assert report["ok"] is False
    assert any("signed head" in p and "rewritten" in p for p in report["problems"])


def test_verify_reads_a_real_log(tmp_path: Path, palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    assert palermo.json("audit", "verify") == {
        "ok": True,
        "entries": 1,
        "signed_heads": 0,
        "first_bad_entry": None,
        "problems": [],
    }
