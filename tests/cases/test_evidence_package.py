"""The court's evidence package: exported, then verified offline by the `verify.py` it
carries, run on its own by a plain Python; every kind of tampering is named."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from palermo.cases import custody, handovers, package
from palermo.cases.evidence_cli import evidence_app
from palermo.cases.vocabulary import CustodyKind
from palermo.errors import Conflict, Forbidden, Invalid
from palermo.exchange import crypto
from palermo.models import AuditEvent
from palermo.models.cases import EvidenceItem
from tests.cases.conftest import NOW, Team
from tests.cases.evidence_helpers import REPORT, digital, physical, tamper_file, with_keys


def exported(team: Team) -> tuple[bytes, list[EvidenceItem]]:
    """A file handed over from NL-NP to DE-BKA and received, and a seized phone, exported
    by DE-BKA."""
    case = team.case(members={"DE-BKA": "participant"})
    report, phone = digital(team, case), physical(team, case)
    seal = with_keys(team)
    handover = handovers.hand_over(
        team.db,
        principal=team["nl"],
        sealer=seal,
        item=report,
        to_agency_code="DE-BKA",
        place="Schiphol, KLM cargo desk",
        note="on USB stick, sealed",
        now=NOW,
    )
    handovers.receive(team.db, principal=team["de"], sealer=seal, handover=handover, now=NOW)
    data = package.export(
        team.db,
        principal=team["de"],
        sealer=seal,
        case=case,
        item_ids=[str(report.id), phone.reference],
        now=NOW,
    )
    return data, [report, phone]


def run_verifier(data: bytes, folder: Path) -> subprocess.CompletedProcess[str]:
    """What the court does: take verify.py out of the package and run it on the package."""
    (folder / "package.zip").write_bytes(data)
    with zipfile.ZipFile(folder / "package.zip") as zipped:
        (folder / "verify.py").write_bytes(zipped.read("verify.py"))
    return subprocess.run(
        [sys.executable, "-I", "verify.py", "package.zip"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def rewritten(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The package with one member changed, everything else as it was."""
    buffer = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, change(content) if info.filename == name else content)
    return buffer.getvalue()


def test_an_exported_package_verifies_offline(team: Team, tmp_path: Path) -> None:
    data, (report, phone) = exported(team)
    with zipfile.ZipFile(BytesIO(data)) as zipped:
        names = set(zipped.namelist())
        manifest = json.loads(zipped.read("manifest.json"))
        assert zipped.read(f"files/{report.sha256}") == REPORT
    custody_files = {f"custody/{r.reference.replace('/', '_')}.jsonl" for r in (report, phone)}
    assert names == {
        "manifest.json",
        "manifest.sig",
        "handovers.json",
        "verify.py",
        f"files/{report.sha256}",
        *custody_files,
    }
    assert manifest["signer"]["agency"] == "DE-BKA"
    assert [i["reference"] for i in manifest["items"]] == [report.reference, phone.reference]
    assert {k["agency"] for k in manifest["keys"].values()} == {"NL-NP", "DE-BKA"}
    result = run_verifier(data, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout
    assert "PROBLEM" not in result.stdout
    assert f"hand-over of {report.reference} from NL-NP to DE-BKA: signed and countersigned" in (
        result.stdout
    )


def test_the_export_is_in_the_custody_logs_and_audited_as_a_disclosure(team: Team) -> None:
    _, items = exported(team)
    for item in items:
        last = custody.log(team.db, item)[-1]
        assert (last.kind, last.agency) == (CustodyKind.exported, "DE-BKA")
    operations = team.db.scalars(
        select(AuditEvent.operation).where(AuditEvent.action == "cases.evidence.export")
    )
    assert list(operations) == ["disclosure"]


def test_the_verifier_needs_nothing_but_the_standard_library_and_cryptography() -> None:
    source = Path(package.__file__).with_name("verify.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


def flip_last_byte(content: bytes) -> bytes:
    return content[:-1] + bytes([content[-1] ^ 1])


def alter_custody_line(content: bytes) -> bytes:
    lines = content.decode().splitlines()
    first = json.loads(lines[0])
    first["place"] = "Antwerp"
    return "\n".join([json.dumps(first), *lines[1:]]).encode() + b"\n"


def alter_handover_signature(content: bytes) -> bytes:
    document = json.loads(content)
    signature = crypto.unb64(document[0]["signature"], "signature")
    document[0]["signature"] = crypto.b64(flip_last_byte(signature))
    return json.dumps(document).encode()


def alter_manifest(content: bytes) -> bytes:
    manifest = json.loads(content)
    manifest["items"][1]["collected_place"] = "Antwerp"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("member", "change", "problems"),
    [
        (
            "files/",
            flip_last_byte,
            [
                "E/0001 (extraction.pdf): the file is not the one collected (SHA-256 differs)",
                "its SHA-256 is not the manifest's (altered)",
            ],
        ),
        (
            "custody/",
            alter_custody_line,
            ["custody line 1 of", "its content does not match its hash (altered)"],
        ),
        (
            "handovers.json",
            alter_handover_signature,
            ["statement: the signature does not verify with NL-NP's key"],
        ),
        ("manifest.sig", flip_last_byte, ["manifest.json: the signature does not verify"]),
        ("manifest.json", alter_manifest, ["manifest.json: the signature does not verify"]),
    ],
    ids=["file", "custody line", "hand-over signature", "manifest signature", "manifest"],
)
def test_tampering_fails_the_verification_naming_the_problem(
    team: Team,
    tmp_path: Path,
    member: str,
    change: Callable[[bytes], bytes],
    problems: list[str],
) -> None:
    data, _ = exported(team)
    with zipfile.ZipFile(BytesIO(data)) as zipped:
        name = next(n for n in zipped.namelist() if n.startswith(member))
    result = run_verifier(rewritten(data, name, change), tmp_path)
    assert result.returncode == 1, result.stdout
    assert "NOT VERIFIED" in result.stdout
    reported = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM")]
    for problem in problems:
        assert any(problem in line for line in reported), (problem, reported)


def test_palermo_verifies_a_package_without_a_database(team: Team, tmp_path: Path) -> None:
    data, _ = exported(team)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(data)
    bad.write_bytes(rewritten(data, "manifest.sig", flip_last_byte))
    runner = CliRunner()
    assert runner.invoke(evidence_app, ["verify", str(good)]).exit_code == 0
    refused = runner.invoke(evidence_app, ["verify", str(bad)])
    assert refused.exit_code == 1
    assert "manifest.json: the signature does not verify" in refused.output


def test_items_that_failed_or_are_restricted_are_not_exported(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    seal = with_keys(team)
    altered = digital(team, case)
    restricted = digital(team, case, by="de", content=b"BKA informant report", handling="H1")
    mine = physical(team, case)

    def export(by: str, *items: EvidenceItem) -> bytes:
        return package.export(
            team.db,
            principal=team[by],
            sealer=seal,
            case=case,
            item_ids=[i.id for i in items],
            now=NOW,
        )

    tamper_file(team, altered)
    with pytest.raises(Conflict, match=f"{altered.reference} failed its integrity check"):
        export("nl", altered, mine)
    # Flagged now, it stays out even if the bytes were put back.
    tamper_file(team, altered, REPORT)
    with pytest.raises(Conflict, match=f"not exported: {altered.reference} \\(since"):
        export("nl", altered)
    with pytest.raises(Forbidden, match=f"{restricted.reference} \\(H1, contributed by DE-BKA\\)"):
        export("nl", mine, restricted)
    with pytest.raises(Invalid, match="name the evidence items"):
        export("nl")
    refusals = team.db.scalars(
        select(AuditEvent.outcome).where(AuditEvent.action == "cases.evidence.export")
    )
    assert list(refusals) == ["failure"] * 4
    # The provider exports its own H1 item.
    assert zipfile.ZipFile(BytesIO(export("de", restricted))).testzip() is None
    assert custody.log(team.db, mine)[-1].kind is CustodyKind.collected
