"""The reporting portal: reports filed, acknowledged, refused with element paths; reporters
see only their own reports; the FIU asks and the reporter answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from palermo.db import unit_of_work
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.finintel import reporting, store
from palermo.finintel.filing import ReportRejected
from palermo.identity.roles import AgencyKind, Role
from palermo.models.finintel import FinancialReport, TransactionBatch
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.settings import Settings
from tests.conftest import Factory, audit_actions
from tests.finintel.conftest import Fiu, sample
from tests.records.helpers import principal_of

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def file(db: Session, settings: Settings, who, content: bytes, **kwargs) -> FinancialReport:
    report = reporting.submit(db, who, settings, content=content, format="goaml", now=NOW, **kwargs)
    db.commit()
    return report


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(FinancialReport)) or 0,
        db.scalar(select(func.count()).select_from(Record)) or 0,
        db.scalar(select(func.count()).select_from(TransactionBatch)) or 0,
    )


def test_a_report_is_acknowledged_and_becomes_the_fius_records_and_transactions(
    db: Session, settings: Settings, fiu: Fiu
) -> None:
    report = file(db, settings, fiu["bank1"], sample("STR"))
    assert report.fiu_reference == "AE-FIU-2026-000001"
    assert (report.kind, report.reference, report.status) == ("STR", "STR-2026-0042", "received")
    owner = db.scalar(select(Agency).where(Agency.code == "AE-FIU"))
    records = list(db.scalars(select(Record).where(Record.id.in_(report.record_ids))))
    assert records
    assert all(r.owner_agency_id == owner.id for r in records)
    assert {r.handling_code for r in records} == {"H2"}
    layla = next(r for r in records if r.caption == "Layla Hassan")
    assert layla.subject_category == "suspect"  # the reporter's client
    smith = next(r for r in records if r.caption == "John Smith")
    assert smith.subject_category == "contact"
    files = store.files(db, settings, owner)
    assert len(files) == 1
    assert files[0].exists()
    assert report.summary["transactions"][0]["amount"] == 120000.0
    assert "finintel.report.submit" in audit_actions(db)


def test_reporters_see_only_their_own_reports(db: Session, settings: Settings, fiu: Fiu) -> None:
    mine = file(db, settings, fiu["bank1"], sample("STR"))
    assert [r.fiu_reference for r in reporting.list_reports(db, fiu["bank1"])] == [
        mine.fiu_reference
    ]
    assert reporting.list_reports(db, fiu["bank2"]) == []
    assert reporting.list_reports(db, fiu["police"]) == []
    assert [r.id for r in reporting.list_reports(db, fiu["analyst"])] == [mine.id]
    for outsider in ("bank2", "police"):
        with pytest.raises(NotFound):
            reporting.get_report(db, fiu[outsider], mine.fiu_reference)
    with pytest.raises(NotFound):
        reporting.add_message(
            db, fiu["bank2"], mine.fiu_reference, kind="reply", body="hello", now=NOW
        )


def test_a_broken_report_is_refused_with_element_paths_and_nothing_is_stored(
    db: Session, sessions: sessionmaker[Session], settings: Settings, fiu: Fiu
) -> None:
    broken = sample("STR").replace(b"<amount_local>120000.00", b"<amount_local>abc")
    before = counts(db)
    with pytest.raises(ReportRejected) as refused, unit_of_work(sessions) as work:
        file(work, settings, fiu["bank1"], broken)
    paths = [p.path for p in refused.value.problems]
    assert any(p.startswith("/report/transaction") and "amount_local" in p for p in paths), paths
    assert counts(db) == before
    assert "finintel.report.submit" in audit_actions(db)  # the refusal, durably


def test_a_duplicate_reference_and_a_wrong_registration_are_refused(
    db: Session, settings: Settings, fiu: Fiu
) -> None:
    file(db, settings, fiu["bank1"], sample("STR"))
    with pytest.raises(ReportRejected) as again:
        file(db, settings, fiu["bank1"], sample("STR"))
    db.rollback()
    assert [(p.path, p.rule) for p in again.value.problems] == [
        ("/report/entity_reference", "reference.unique")
    ]
    with pytest.raises(ReportRejected) as other:
        file(db, settings, fiu["bank2"], sample("SAR"))  # says rentity_id 101: bank 1's
    db.rollback()
    assert [(p.path, p.rule) for p in other.value.problems] == [
        ("/report/rentity_id", "reporter.registration")
    ]


def test_only_registered_reporters_file(
    db: Session, settings: Settings, fiu: Fiu, factory: Factory
) -> None:
    with pytest.raises(Forbidden):
        file(db, settings, fiu["police"], sample("STR"))
    with pytest.raises(Forbidden):
        file(db, settings, fiu["bank1"], sample("STR"), reporter_code="BANK-2")
    # The FIU enters a report a bank sent otherwise, naming the bank.
    entered = file(db, settings, fiu["analyst"], sample("SAR"), reporter_code="BANK-1")
    assert entered.kind == "SAR"


def test_the_fiu_asks_for_more_and_the_reporter_answers(
    db: Session, settings: Settings, fiu: Fiu
) -> None:
    report = file(db, settings, fiu["bank1"], sample("STR"))
    ref = report.fiu_reference
    reporting.add_message(
        db, fiu["analyst"], ref, kind="information_request", body="KYC file?", now=NOW
    )
    assert reporting.get_report(db, fiu["bank1"], ref).status == "information_requested"
    with pytest.raises(Invalid):
        reporting.add_message(db, fiu["bank1"], ref, kind="feedback", body="no", now=NOW)
    reporting.add_message(db, fiu["bank1"], ref, kind="reply", body="attached", now=NOW)
    assert reporting.get_report(db, fiu["bank1"], ref).status == "under_analysis"
    assert [m.kind for m in reporting.messages(db, report)] == ["information_request", "reply"]


def test_the_portal_over_http(client: TestClient, factory: Factory, fiu: Fiu) -> None:
    bank1, bank2 = factory.bearer(fiu.users["bank1"]), factory.bearer(fiu.users["bank2"])
    files = {"file": ("str.xml", sample("STR"), "application/xml")}
    filed = client.post(
        "/api/finintel/reports", files=files, data={"format": "goaml"}, headers=bank1
    )
    assert filed.status_code == 201, filed.text
    ref = filed.json()["fiu_reference"]
    assert client.get(f"/api/finintel/reports/{ref}", headers=bank1).status_code == 200
    assert client.get(f"/api/finintel/reports/{ref}", headers=bank2).status_code == 404
    assert client.get("/api/finintel/reports", headers=bank2).json() == []
    broken = {
        "file": (
            "str.xml",
            sample("STR").replace(b"<country_code>AE", b"<country_code>QQ"),
            "application/xml",
        )
    }
    refused = client.post("/api/finintel/reports", files=broken, headers=bank1)
    assert refused.status_code == 422
    details = refused.json()["error"]["details"]
    assert details
    assert all({"path", "rule", "message", "value"} <= set(d) for d in details)


@pytest.mark.parametrize(
    ("name", "registration", "kind"),
    [("STR", "101", "STR"), ("SAR", "101", "SAR"), ("DPMSR_activity", "3177", "DPMSR")],
)
def test_every_goaml_sample_is_filed(
    db: Session,
    settings: Settings,
    fiu: Fiu,
    factory: Factory,
    name: str,
    registration: str,
    kind: str,
) -> None:
    """The samples of the goAML standard, each filed by a dealer or bank registered under
    the sample's reporting-entity id."""
    dealer = factory.agency("DEALER-1", kind=AgencyKind.private_partner, country="AE")
    user = factory.user("dealer.mlro", Role.partner, agency=dealer)[0]
    if registration != "101":
        reporting.register(
            db, fiu["admin"], partner_code="DEALER-1", registration=registration, sector="dpms"
        )
        db.commit()
    who = principal_of(db, user) if registration != "101" else fiu["bank1"]
    report = file(db, settings, who, sample(name))
    assert report.kind == kind
    assert report.status == "received"
    assert report.record_ids
