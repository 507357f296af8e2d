"""`palermo backup` and `palermo restore` on a node with records, an audit log and signed
tree heads: the restore drill (every table back byte for byte, the audit log verifying, the
node working on), and the archives, databases and files a restore refuses — leaving the
target database empty."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select
from typer.testing import CliRunner

from palermo.backup.archive import Manifest
from palermo.db import create_db_engine
from palermo.models.audit import AuditEvent
from tests.conftest import Palermo
from tests.databases import fresh_database
from tests.records.test_transfer import CONSULT, GOOD, IMPORT, setup_world, write


@pytest.fixture
def backed_up(palermo: Palermo, tmp_path: Path) -> Path:
    """A node with an agency, records and two signed heads, backed up."""
    setup_world(palermo)
    palermo(*IMPORT, str(write(tmp_path / "group.jsonl", GOOD)))
    palermo("audit", "head")
    palermo.json("--as", "milan", "records", "search", "petrovic", *CONSULT)
    palermo("audit", "head")
    archive = tmp_path / "node.tar.gz"
    palermo("backup", str(archive))
    return archive


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Palermo]:
    """Another node: an empty database and data directory."""
    with fresh_database(tmp_path) as url:
        env = {
            "PALERMO_DATABASE_URL": url,
            "PALERMO_DATA_DIR": str(tmp_path / "target"),
            "PALERMO_USER": "",
        }
        yield Palermo(CliRunner(), env)


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def rewrite(archive: Path, destination: Path, changed: dict[str, bytes]) -> Path:
    with tarfile.open(destination, "w:gz") as tar:
        for name, data in {**members(archive), **changed}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return destination


def audit_rows(target: Palermo) -> int:
    engine = create_db_engine(target.env["PALERMO_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(select(func.count()).select_from(AuditEvent.__table__)) or 0
            )
    except Exception:
        return 0
    finally:
        engine.dispose()


def test_the_restore_drill(palermo: Palermo, backed_up: Path, target: Palermo) -> None:
    manifest = Manifest.from_json(members(backed_up)["manifest.json"])
    assert manifest.tables["records"]["rows"] == len(GOOD)
    assert manifest.tables["audit_tree_heads"]["rows"] == 2
    assert "node-key.pem" in manifest.files

    restored = target.json("restore", str(backed_up))
    assert restored["rows"] == sum(t["rows"] for t in manifest.tables.values())
    assert restored["audit_entries"] == manifest.audit["size"]
    assert restored["signed_heads"] == 2
    # The restored node is the same node: its key, its records, its audit log — and it works on.
    source_key = Path(palermo.env["PALERMO_DATA_DIR"], "keys", "node-ed25519.pem").read_bytes()
    assert (
        Path(target.env["PALERMO_DATA_DIR"], "keys", "node-ed25519.pem").read_bytes() == source_key
    )
    found = target.json("--as", "milan", "records", "search", "petrovic", *CONSULT)
    assert (
        found["total"]
        == palermo.json("--as", "milan", "records", "search", "petrovic", *CONSULT)["total"]
    )
    target("audit", "head")
    verified = target.json("audit", "verify")
    assert verified["ok"] is True
    assert verified["signed_heads"] == 3
    # A backup of the restored node holds the same tables, and the restore's own audit line.
    again = target.json("backup", str(backed_up.with_name("again.tar.gz")))
    assert again["audit_entries"] > manifest.audit["size"]


def test_a_tampered_member_is_refused(backed_up: Path, target: Palermo, tmp_path: Path) -> None:
    lines = members(backed_up)["tables/records.jsonl"].replace(b"H2", b"H0")
    tampered = rewrite(backed_up, tmp_path / "t.tar.gz", {"tables/records.jsonl": lines})
    refused = target("restore", str(tampered), ok=False)
    assert "tables/records.jsonl does not match its SHA-256 in the manifest" in refused.output
    assert audit_rows(target) == 0


def test_a_manifest_changed_without_the_key_is_refused(
    backed_up: Path, target: Palermo, tmp_path: Path
) -> None:
    manifest = json.loads(members(backed_up)["manifest.json"])
    manifest["node_code"] = "SOMEONE-ELSE"
    tampered = rewrite(
        backed_up, tmp_path / "m.tar.gz", {"manifest.json": json.dumps(manifest).encode()}
    )
    refused = target("restore", str(tampered), ok=False)
    assert "the manifest's signature does not verify" in refused.output


def test_an_altered_audit_log_is_not_restored_even_when_re_signed(
    backed_up: Path, target: Palermo, tmp_path: Path
) -> None:
    """Whoever holds the key can make the archive consistent again — but not the log."""
    content = members(backed_up)
    lines = content["tables/audit_events.jsonl"].splitlines(keepends=True)
    lines[3] = lines[3].replace(b'"actor":"', b'"actor":"x', 1)
    altered = b"".join(lines)
    manifest = Manifest.from_json(content["manifest.json"])
    manifest.tables["audit_events"]["sha256"] = hashlib.sha256(altered).hexdigest()
    key = serialization.load_pem_private_key(content["files/node-key.pem"], password=None)
    manifest.signature = base64.b64encode(key.sign(manifest.signed_bytes())).decode()  # type: ignore[union-attr,call-arg]
    forged = rewrite(
        backed_up,
        tmp_path / "f.tar.gz",
        {"tables/audit_events.jsonl": altered, "manifest.json": manifest.to_json()},
    )
    refused = target("restore", str(forged), ok=False)
    assert "the restored audit log does not verify" in refused.output
    assert audit_rows(target) == 0  # rolled back: nothing kept
    assert not Path(target.env["PALERMO_DATA_DIR"], "keys").exists()


def test_a_database_with_data_is_refused(palermo: Palermo, backed_up: Path) -> None:
    refused = palermo("restore", str(backed_up), ok=False)
    assert "the database already holds data" in refused.output
    assert "restore into a new, empty database" in refused.output


def test_a_different_node_key_is_never_overwritten(backed_up: Path, target: Palermo) -> None:
    keys = Path(target.env["PALERMO_DATA_DIR"], "keys")
    keys.mkdir(parents=True)
    (keys / "node-ed25519.pem").write_bytes(b"another node's key")
    refused = target("restore", str(backed_up), ok=False)
    assert "node-ed25519.pem exists and differs from the backup's" in refused.output
    assert (keys / "node-ed25519.pem").read_bytes() == b"another node's key"


def test_what_is_not_a_backup(target: Palermo, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not gzip")
    assert "is not a readable backup archive" in target("restore", str(junk), ok=False).output
    assert "no backup at" in target("restore", str(tmp_path / "nothing"), ok=False).output


def test_a_backup_never_overwrites(palermo: Palermo, backed_up: Path) -> None:
    refused = palermo("backup", str(backed_up), ok=False)
    assert "exists; a backup never overwrites a file" in refused.output
