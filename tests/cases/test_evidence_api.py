"""Evidence over HTTP: upload, list, read with the custody log, download, hand over and
receive, export; a non-member gets a 404 and altered bytes a 409 whose flag is kept although
the request failed."""

from __future__ import annotations

import base64
import uuid
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from palermo.cases import verify
from palermo.exchange import crypto
from palermo.models.cases import Case, EvidenceItem
from tests.cases.conftest import Team
from tests.cases.evidence_helpers import REPORT, tamper_file, with_keys
from tests.conftest import Factory

COLLECTED_AT = "2026-05-29T09:30:00+02:00"


@pytest.fixture
def api(client: TestClient) -> TestClient:
    return client


def upload(api: TestClient, case: Case, headers: dict[str, str]) -> dict[str, object]:
    answer = api.post(
        f"/api/cases/{case.id}/evidence",
        json={
            "kind": "digital",
            "title": "Extraction report of the seized phone",
            "collected_at": COLLECTED_AT,
            "collected_place": "Port of Rotterdam",
            "file_name": "extraction.pdf",
            "media_type": "application/pdf",
            "content_base64": base64.b64encode(REPORT).decode(),
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_evidence_from_upload_to_a_verified_package(
    api: TestClient, team: Team, factory: Factory, tmp_path: Path
) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    with_keys(team)
    team.db.commit()
    nl, de = factory.bearer(team.users["nl"]), factory.bearer(team.users["de"])
    item = upload(api, case, nl)
    assert (item["reference"], item["sha256"], item["holder"]) == (
        f"{case.reference}/E/0001",
        crypto.sha256_hex(REPORT),
        "NL-NP",
    )
    phone = api.post(
        f"/api/cases/{case.id}/evidence",
        json={
            "kind": "physical",
            "title": "Samsung phone, sealed bag 0042",
            "collected_at": COLLECTED_AT,
            "collected_place": "Port of Rotterdam",
        },
        headers=nl,
    )
    assert phone.status_code == 201, phone.text
    listed = api.get(f"/api/cases/{case.id}/evidence", headers=de).json()
    assert [i["kind"] for i in listed] == ["digital", "physical"]
    base = f"/api/cases/{case.id}/evidence/{item['id']}"
    download = api.get(f"{base}/content", headers=de)
    assert download.status_code == 200
    assert download.content == REPORT
    assert download.headers["content-type"] == "application/pdf"
    handed = api.post(f"{base}/handovers", json={"to": "DE-BKA", "place": "Schiphol"}, headers=nl)
    assert handed.status_code == 201, handed.text
    handover = handed.json()
    assert (handover["status"], handover["statement"]["to"]) == ("pending", "DE-BKA")
    receipt = api.post(
        f"/api/cases/{case.id}/evidence/handovers/{handover['id']}/receipt",
        json={"place": "Wiesbaden"},
        headers=de,
    )
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["receipt"]["by"] == "DE-BKA"
    detail = api.get(base, headers=de).json()
    assert (detail["holder"], detail["intact"], detail["chain_ok"]) == ("DE-BKA", True, True)
    assert [e["kind"] for e in detail["custody"]] == [
        "collected",
        "accessed",
        "handed_over",
        "received",
    ]
    exported = api.post(
        f"/api/cases/{case.id}/evidence/export",
        json={"items": [item["id"], phone.json()["reference"]]},
        headers=de,
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(BytesIO(exported.content)).read(f"files/{item['sha256']}") == REPORT
    (tmp_path / "package.zip").write_bytes(exported.content)
    assert verify.verify(str(tmp_path / "package.zip")) == []


def test_a_non_member_gets_404_and_bad_input_422(
    api: TestClient, team: Team, factory: Factory
) -> None:
    case = team.case(members={"EUROPOL": "observer"})
    team.db.commit()
    item = upload(api, case, factory.bearer(team.users["nl"]))
    fr = factory.bearer(team.users["fr"])
    base = f"/api/cases/{case.id}/evidence"
    for answer in (
        api.get(base, headers=fr),
        api.get(f"{base}/{item['id']}", headers=fr),
        api.get(f"{base}/{item['id']}/content", headers=fr),
        api.post(f"{base}/export", json={"items": [item["id"]]}, headers=fr),
    ):
        assert answer.status_code == 404, answer.text
    europol = factory.bearer(team.users["europol"])
    assert api.get(f"{base}/{item['id']}/content", headers=europol).content == REPORT
    observer_upload = api.post(
        base,
        json={
            "kind": "physical",
            "title": "Ledger",
            "collected_at": COLLECTED_AT,
            "collected_place": "Rotterdam",
        },
        headers=europol,
    )
    assert observer_upload.status_code == 403
    nl = factory.bearer(team.users["nl"])
    no_file = api.post(
        base,
        json={
            "kind": "digital",
            "title": "Ledger scan",
            "collected_at": COLLECTED_AT,
            "collected_place": "Rotterdam",
        },
        headers=nl,
    )
    assert no_file.status_code == 422
    assert "content_base64" in no_file.text


def test_altered_bytes_answer_409_and_the_flag_is_kept(
    api: TestClient, team: Team, factory: Factory
) -> None:
    case = team.case()
    team.db.commit()
    nl = factory.bearer(team.users["nl"])
    item = upload(api, case, nl)
    stored = team.db.get(EvidenceItem, uuid.UUID(str(item["id"])))
    assert stored is not None
    tamper_file(team, stored)
    base = f"/api/cases/{case.id}/evidence/{item['id']}"
    refused = api.get(f"{base}/content", headers=nl)
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert str(item["sha256"]) in message
    assert crypto.sha256_hex(b"forged") in message
    detail = api.get(base, headers=nl).json()
    assert detail["intact"] is False
    assert detail["integrity_failed_at"] is not None
    assert [e["kind"] for e in detail["custody"]] == [
        "collected",
        "integrity_failed",
        "integrity_failed",
    ]
    export = api.post(
        f"/api/cases/{case.id}/evidence/export", json={"items": [item["id"]]}, headers=nl
    )
    assert export.status_code == 409
    assert "failed its integrity check" in export.json()["error"]["message"]
