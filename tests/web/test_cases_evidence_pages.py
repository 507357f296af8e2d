"""Evidence in the case workspace, through the app (no browser): a file uploaded and
downloaded byte for byte, each download checked and logged in the custody log; a refused
upload comes back as typed, the reason beside its field; a tampered file is shown as failed
with both digests and its download refused; an item handed over, signed, and received by
the other agency, which then holds it; the items ticked exported as a package the court's
verifier passes, and a refused export told beside the ticks; non-members get a 404."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.cases.vocabulary import CustodyKind
from palermo.exchange.crypto import sha256_hex
from palermo.models.base import utcnow
from palermo.models.cases import Case, CustodyEntry, EvidenceItem
from tests.cases import conftest as cases_world
from tests.cases.conftest import Team
from tests.cases.evidence_helpers import REPORT, digital, physical, tamper_file, with_keys
from tests.cases.test_evidence_package import run_verifier
from tests.web.test_cases_pages import LEAD, OBSERVER, OUTSIDER, PARTICIPANT, error, url
from tests.web.test_linkage_pages import log_in

team = cases_world.team  # NL-NP leading, DE-BKA, CO-DIJIN, EUROPOL, ES-MJ, FR-OFAST, a bank


@pytest.fixture
def harbour(team: Team) -> Case:
    """NL-NP's case, DE-BKA taking part and Europol observing; every agency has its keys."""
    case = team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})
    with_keys(team)
    team.db.commit()
    return case


def item_url(case: Case, item: EvidenceItem, path: str = "") -> str:
    return url(case, f"/evidence/{item.id}{path}")


def lines(db: Session, item: EvidenceItem, kind: CustodyKind) -> int:
    db.expire_all()
    query = select(func.count()).where(CustodyEntry.evidence_id == item.id)
    return db.scalar(query.where(CustodyEntry.kind == kind)) or 0


def yesterday() -> str:
    """As a datetime-local field sends it (UTC, as the form says)."""
    return (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def described(csrf: str, **changes: str) -> dict[str, str]:
    return {
        "kind": "digital",
        "title": "Extraction report of the seized phone",
        "description": "Cellebrite extraction, full file system",
        "handling": "H0",
        "collected_at": yesterday(),
        "collected_place": "Port of Rotterdam, terminal ECT Delta",
        "csrf_token": csrf,
        **changes,
    }


def test_a_file_uploaded_comes_back_byte_for_byte_and_each_download_is_logged(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, LEAD)
    page = client.get(url(harbour)).text
    assert 'data-testid="form-evidence-digital"' in page
    assert 'data-testid="form-evidence-physical"' in page
    added = client.post(
        url(harbour, "/evidence"),
        data=described(csrf),
        files={"file": ("extraction.pdf", REPORT, "application/pdf")},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == url(harbour, "?done=evidence#evidence")
    item = db.scalars(select(EvidenceItem)).one()
    assert (item.file_name, item.media_type, item.sha256) == (
        "extraction.pdf",
        "application/pdf",
        sha256_hex(REPORT),
    )
    page = client.get(added.headers["location"]).text
    assert 'data-testid="done">Evidence item added.<' in page
    assert f'data-testid="evidence-sha256" data-sha256="{sha256_hex(REPORT)}"' in page
    assert f'href="{item_url(harbour, item)}" data-testid="evidence-link"' in page
    assert f'href="{item_url(harbour, item, "/content")}" data-testid="evidence-download"' in page

    log_in(client, OBSERVER)  # any member reads the file; the access is logged
    downloaded = client.get(item_url(harbour, item, "/content"))
    assert downloaded.status_code == 200
    assert downloaded.content == REPORT
    assert 'filename="extraction.pdf"' in downloaded.headers["content-disposition"]
    assert lines(db, item, CustodyKind.accessed) == 1
    shown = client.get(item_url(harbour, item)).text
    assert 'data-testid="integrity" data-state="intact"' in shown
    assert 'data-testid="chain" data-ok="true"' in shown
    logged = re.findall(r'data-testid="custody-line" data-seq="(\d+)" data-kind="(\w+)"', shown)
    assert logged == [("1", "collected"), ("2", "accessed")]
    assert 'data-kind="accessed" data-agency="EUROPOL"' in shown
    assert 'data-testid="form-handover"' not in shown  # an observer holds nothing

    by_number = client.get(url(harbour, "/evidence/1"))  # as the item is quoted
    assert f'data-testid="item-reference">{item.reference}<' in by_number.text


def test_an_object_is_described_and_a_refused_item_comes_back_as_typed(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, LEAD)
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for changes, field, reason in [
        ({"title": "X"}, "title", "Title: must have at least 3 characters"),
        ({"collected_at": future}, "collected_at", "is in the future"),
        ({"collected_at": "soon"}, "collected_at", "Collected at: must be a date and time"),
        ({"handling": "H9"}, "handling", "Handling code: must be one of"),
    ]:
        refused = client.post(
            url(harbour, "/evidence"),
            data=described(csrf, **changes),
            files={"file": ("extraction.pdf", REPORT, "application/pdf")},
        )
        assert refused.status_code == 422, refused.text
        shown = error(refused.text, "evidence-digital")
        assert shown is not None
        assert (shown[0], reason in shown[1]) == (field, True), shown
        assert 'value="Port of Rotterdam, terminal ECT Delta"' in refused.text  # as typed
        assert 'data-testid="form-evidence-digital" open' in refused.text
    no_file = client.post(url(harbour, "/evidence"), data=described(csrf))
    assert no_file.status_code == 422
    assert error(no_file.text, "evidence-digital") == (
        "file",
        "a digital item needs its file&#39;s content",
    )
    assert db.scalar(select(func.count()).select_from(EvidenceItem)) == 0

    typed = described(csrf, kind="physical", title="Samsung phone, sealed bag 0042")
    added = client.post(url(harbour, "/evidence"), data=typed, follow_redirects=False)
    assert added.status_code == 303, added.text
    phone = db.scalars(select(EvidenceItem)).one()
    assert (phone.kind.value, phone.sha256, phone.holder_agency_id) == (
        "physical",
        None,
        phone.agency_id,
    )
    shown = client.get(item_url(harbour, phone)).text
    assert 'data-testid="integrity" data-state="object"' in shown
    assert 'data-testid="evidence-download"' not in shown
    refused = client.get(item_url(harbour, phone, "/content"))
    assert refused.status_code == 422
    assert "is a physical item: it has no stored content" in refused.text

    log_in(client, OBSERVER)  # an observer reads, it does not add
    page = client.get(url(harbour)).text
    assert 'data-testid="form-evidence-digital"' not in page
    assert 'data-testid="form-evidence-physical"' not in page


def test_a_tampered_file_is_shown_failed_and_its_download_refused(
    client: TestClient, db: Session, team: Team, harbour: Case
) -> None:
    item = digital(team, harbour)
    team.db.commit()
    tamper_file(team, item)
    log_in(client, PARTICIPANT)
    refused = client.get(item_url(harbour, item, "/content"))
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("text/html")
    assert REPORT not in refused.content
    reason = f"evidence {item.reference} failed its integrity check"
    assert reason in refused.text
    assert 'data-testid="integrity" data-state="failed"' in refused.text
    assert lines(db, item, CustodyKind.accessed) == 0
    assert lines(db, item, CustodyKind.integrity_failed) >= 1

    shown = client.get(item_url(harbour, item))
    assert shown.status_code == 200
    assert 'data-testid="integrity" data-state="failed"' in shown.text
    assert f'data-testid="recorded-sha256">{item.sha256}<' in shown.text
    assert f'data-testid="observed-sha256">{sha256_hex(b"forged")}<' in shown.text
    assert 'data-testid="evidence-download"' not in shown.text
    assert 'data-kind="integrity_failed"' in shown.text
    listed = client.get(url(harbour)).text
    assert f'data-reference="{item.reference}" data-intact="false"' in listed
    assert 'data-testid="evidence-download"' not in listed

    verified = client.post(
        item_url(harbour, item, "/verify"),
        data={"csrf_token": log_in(client, LEAD)},
        follow_redirects=False,
    )
    assert verified.headers["location"] == item_url(harbour, item, "?done=verify-failed")


def test_an_item_is_handed_over_signed_and_received_and_its_holder_moves(
    client: TestClient, db: Session, team: Team, harbour: Case
) -> None:
    item = digital(team, harbour)
    team.db.commit()
    csrf = log_in(client, LEAD)
    page = client.get(item_url(harbour, item)).text
    assert 'data-testid="form-handover"' in page
    recipients = re.findall(
        r'<option value="([^"]+)"', page.split('data-testid="handover-to"')[1].split("</select>")[0]
    )
    assert recipients == ["DE-BKA"]  # contributing members, not the observer nor itself

    typed = {"to": "DE-BKA", "place": "", "note": "sealed USB stick", "csrf_token": csrf}
    refused = client.post(item_url(harbour, item, "/handovers"), data=typed)
    assert refused.status_code == 422
    assert error(refused.text, "handover") == (
        "place",
        "Place: is required",
    )
    assert 'value="sealed USB stick"' in refused.text
    handed = client.post(
        item_url(harbour, item, "/handovers"),
        data={**typed, "place": "Schiphol, KLM cargo desk"},
        follow_redirects=False,
    )
    assert handed.status_code == 303, handed.text
    assert handed.headers["location"] == item_url(harbour, item, "?done=handed-over")
    page = client.get(handed.headers["location"]).text
    assert 'data-testid="handover" data-status="pending" data-from="NL-NP" data-to="DE-BKA"' in (
        page
    )
    assert 'data-testid="holder">NL-NP<' in page  # until DE-BKA receives it
    assert 'data-testid="form-handover"' not in page  # one hand-over at a time
    assert 'data-testid="form-receive"' not in page  # addressed to DE-BKA

    csrf = log_in(client, PARTICIPANT)
    page = client.get(item_url(harbour, item)).text
    action = re.search(r'action="(/cases/[^"]+/receipt)" class="cs-action"', page)
    assert action is not None
    received = client.post(
        action.group(1),
        data={"place": "BKA Wiesbaden, evidence room", "note": "seal intact", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert received.status_code == 303, received.text
    assert received.headers["location"] == item_url(harbour, item, "?done=received")
    page = client.get(received.headers["location"]).text
    assert 'data-testid="holder">DE-BKA<' in page
    assert 'data-testid="handover" data-status="received"' in page
    assert 'data-testid="receipt">Received by DE-BKA' in page
    assert 'data-testid="form-handover"' in page  # now DE-BKA's to hand on
    kinds = re.findall(r'data-testid="custody-line" data-seq="\d+" data-kind="(\w+)"', page)
    assert kinds == ["collected", "handed_over", "received"]
    assert 'data-testid="chain" data-ok="true"' in page
    db.expire_all()
    held = db.get(EvidenceItem, item.id)
    assert held is not None
    assert held.holder_agency_id == team.agencies["DE-BKA"].id

    again = client.post(action.group(1), data={"csrf_token": csrf})
    assert again.status_code == 409
    assert "was already received" in again.text


def test_the_items_ticked_are_exported_as_a_package_the_verifier_passes(
    client: TestClient, team: Team, harbour: Case, tmp_path: Path
) -> None:
    report, phone = digital(team, harbour), physical(team, harbour)
    theirs = digital(team, harbour, by="de", handling="H1", content=b"BKA wiretap summary")
    team.db.commit()
    csrf = log_in(client, LEAD)
    page = client.get(url(harbour)).text
    assert page.count('data-testid="export-item"') == 3

    ticked = {"items": [str(report.id), str(theirs.id)], "csrf_token": csrf}
    refused = client.post(url(harbour, "/evidence/export"), data=ticked)
    assert refused.status_code == 403
    field, reason = error(refused.text, "export") or (None, "")
    assert field == "items"
    assert f"{theirs.reference} (H1, contributed by DE-BKA)" in reason
    assert f'value="{theirs.id}" aria-label="Export {theirs.reference}"' in refused.text
    assert re.search(rf'value="{theirs.id}"[^>]*data-testid="export-item" checked', refused.text)
    nothing = client.post(url(harbour, "/evidence/export"), data={"csrf_token": csrf})
    assert error(nothing.text, "export") == ("items", "name the evidence items to export")

    exported = client.post(
        url(harbour, "/evidence/export"),
        data={"items": [str(report.id), str(phone.id)], "csrf_token": csrf},
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    assert re.search(
        r'filename="[^"]+-evidence-\d{8}T\d{6}\.zip"', exported.headers["content-disposition"]
    )
    result = run_verifier(exported.content, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PROBLEM" not in result.stdout
    page = client.get(item_url(harbour, report)).text
    assert 'data-kind="exported" data-agency="NL-NP"' in page


def test_a_failed_item_is_not_exported_and_the_reason_is_beside_the_ticks(
    client: TestClient, team: Team, harbour: Case
) -> None:
    item = digital(team, harbour)
    team.db.commit()
    tamper_file(team, item)
    csrf = log_in(client, LEAD)
    refused = client.post(
        url(harbour, "/evidence/export"), data={"items": str(item.id), "csrf_token": csrf}
    )
    assert refused.status_code == 409
    field, reason = error(refused.text, "export") or (None, "")
    assert field == "items"
    assert f"failed its integrity check: the digest recorded at collection is {item.sha256}" in (
        reason
    )


def test_a_non_member_gets_a_404_for_the_item_its_file_and_its_forms(
    client: TestClient, db: Session, team: Team, harbour: Case
) -> None:
    item = digital(team, harbour)
    team.db.commit()
    csrf = log_in(client, OUTSIDER)
    for path in ("", "/content"):
        refused = client.get(item_url(harbour, item, path))
        assert refused.status_code == 404, path
        assert REPORT not in refused.content
        assert item.reference not in refused.text
    for path, data in [
        (item_url(harbour, item, "/verify"), {}),
        (item_url(harbour, item, "/handovers"), {"to": "FR-OFAST", "place": "Paris"}),
        (url(harbour, "/evidence/export"), {"items": str(item.id)}),
        (url(harbour, "/evidence"), described(csrf)),
    ]:
        refused = client.post(path, data={**data, "csrf_token": csrf})
        assert refused.status_code == 404, path
    assert lines(db, item, CustodyKind.accessed) == 0
    assert lines(db, item, CustodyKind.verified) == 0
    assert db.scalar(select(func.count()).select_from(EvidenceItem)) == 1
