"""Backup and restore of a node: a consistent snapshot of every table and of the node's
files, and its restore into an empty database — all or nothing, proven before it is kept.

A backup reads all tables in one snapshot transaction (REPEATABLE READ on PostgreSQL, a
read transaction on SQLite), so it is consistent while the node keeps working; its own
audit line ("node.backup") is written first and so travels inside it.

A restore checks the archive (signature, every member's SHA-256, the schema revision),
creates the schema in an empty database, inserts every row in one transaction, and before
committing reads every table back and compares its hash with the manifest, then verifies
the audit log — every entry, stored node and signed head — with the restored node key. Any
difference rolls everything back; files are staged beside the data directory and moved
into place only then."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from palermo.audit import tree
from palermo.audit.service import Operation, record
from palermo.audit.verify import verify_log
from palermo.backup.archive import FILES, MANIFEST, TABLES, Digest, Manifest, dump_table, load_lines
from palermo.db import session_factory, unit_of_work
from palermo.errors import Conflict, Invalid
from palermo.identity.keys import NodeKey, key_path, load_or_create_node_key
from palermo.migrations import current_revision, head_revision, upgrade
from palermo.models import Base
from palermo.records import names
from palermo.settings import Settings

NODE_KEY = "node-key.pem"
STAGING_PREFIX = ".palermo-restore-"
BATCH = 1_000  # rows per INSERT


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    rows: int
    audit_entries: int
    signed_heads: int


def database_files(settings: Settings) -> set[Path]:
    """The SQLite database and its journals, when they live in the data directory: the
    tables travel as JSON lines, never as a file copied mid-write."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return set()
    path = Path(url.database).resolve()
    return {path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")}


def node_files(settings: Settings, skip: set[Path]) -> Iterator[tuple[str, Path]]:
    """The data directory's files (transaction stores, demo log-ins…) by relative path;
    not the database, not the node key (it travels apart: it may live elsewhere), not
    restores in progress nor the backup being written."""
    root = settings.data_dir.resolve()
    if not root.exists():
        return
    key = key_path(settings).resolve()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or path.resolve() in skip or path.resolve() == key:
            continue
        if relative.parts[0].startswith(STAGING_PREFIX):
            continue
        yield relative.as_posix(), path


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of every table while the node keeps writing."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mode = 0o600
    archive.addfile(member, io.BytesIO(data))


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    archive.add(path, arcname=name, recursive=False)
    return digest.hexdigest()


def create(settings: Settings, engine: Engine, destination: Path, *, now: datetime) -> Manifest:
    """Write the node's backup to `destination` (gzipped tar, mode 0600)."""
    destination = destination.resolve()
    if destination.exists():
        raise Conflict(f"{destination} exists; a backup never overwrites a file")
    key = load_or_create_node_key(settings)
    with unit_of_work(session_factory(engine)) as session:
        record(
            session,
            action="node.backup",
            operation=Operation.disclosure,
            actor="operator",
            detail={"file": destination.name},
        )
    partial = destination.with_name(destination.name + ".partial")
    skip = database_files(settings) | {destination, partial}
    try:
        with snapshot(engine) as connection, tarfile.open(partial, "w:gz") as archive:
            os.chmod(partial, 0o600)
            manifest = _write(settings, connection, archive, key, skip, now)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _write(
    settings: Settings,
    connection: Connection,
    archive: tarfile.TarFile,
    key: NodeKey,
    skip: set[Path],
    now: datetime,
) -> Manifest:
    revision = current_revision(connection)
    if revision is None or revision != head_revision():
        raise Invalid(
            f"the database is at revision {revision}, the code at {head_revision()}: "
            "run `palermo db upgrade` first"
        )
    manifest = Manifest(
        created_at=now.isoformat(),
        node_code=settings.node_code,
        revision=revision,
        source=connection.dialect.name,
        key_id=key.key_id,
    )
    for table in Base.metadata.sorted_tables:
        digest = Digest()
        with tempfile.TemporaryFile() as spool:
            for line in dump_table(connection, table):
                spool.write(digest.add(line))
            member = tarfile.TarInfo(f"{TABLES}{table.name}.jsonl")
            member.size, member.mode = spool.tell(), 0o600
            spool.seek(0)
            archive.addfile(member, spool)
        manifest.tables[table.name] = {"rows": digest.count, "sha256": digest.hex}
    with Session(bind=connection) as session:
        size = tree.tree_size(session)
        manifest.audit = {"size": size, "root": tree.root_at(session, size).hex()}
    for relative, path in node_files(settings, skip):
        manifest.files[relative] = _add_file(archive, f"{FILES}{relative}", path)
    pem = key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    manifest.files[NODE_KEY] = hashlib.sha256(pem).hexdigest()
    _add_bytes(archive, f"{FILES}{NODE_KEY}", pem)
    manifest.signature = base64.b64encode(key.sign(manifest.signed_bytes())).decode()
    _add_bytes(archive, MANIFEST, manifest.to_json())
    return manifest


# Restore -------------------------------------------------------------------------------
def _extract(source: Path, staging: Path) -> tuple[Manifest, NodeKey]:
    """Unpack the archive (regular files only, inside `staging`) and check it: every
    member named by the manifest with its hash, nothing else, the signature good."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise Invalid(f"{source} is not a readable backup archive: {error}") from error
    if not (staging / MANIFEST).is_file():
        raise Invalid(f"{source} holds no {MANIFEST}: not a Palermo backup")
    try:
        manifest = Manifest.from_json((staging / MANIFEST).read_bytes())
    except (ValueError, TypeError) as error:
        raise Invalid(f"{source}: unreadable manifest ({error})") from error
    expected = {f"{TABLES}{name}.jsonl": t["sha256"] for name, t in manifest.tables.items()}
    expected |= {f"{FILES}{name}": digest for name, digest in manifest.files.items()}
    present = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    extra = sorted(present - set(expected))
    if extra:
        raise Invalid(f"{source}: {extra[0]} is not in the manifest")
    for name, digest in sorted(expected.items()):
        path = staging / name
        if not path.is_file():
            raise Invalid(f"{source}: {name} is missing")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise Invalid(f"{source}: {name} does not match its SHA-256 in the manifest")
    return manifest, _signer(manifest, staging / FILES / NODE_KEY, source)


def _signer(manifest: Manifest, pem_path: Path, source: Path) -> NodeKey:
    """The node key the archive carries, once it is shown to have signed the manifest."""
    private = serialization.load_pem_private_key(pem_path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise Invalid(f"{source}: the node key is not an Ed25519 key")
    key = NodeKey(private)
    if key.key_id != manifest.key_id:
        raise Invalid(f"{source}: the manifest names key {manifest.key_id}, not {key.key_id}")
    try:
        key.public.verify(base64.b64decode(manifest.signature), manifest.signed_bytes())
    except (InvalidSignature, ValueError) as error:
        raise Invalid(f"{source}: the manifest's signature does not verify") from error
    return key


def _require_empty(engine: Engine) -> None:
    """A restore never mixes with data: the database is new, or its tables are empty."""
    with engine.connect() as connection:
        if current_revision(connection) is None:
            return
        names = set(inspect(connection).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in names:
                continue
            rows = connection.scalar(select(func.count()).select_from(table))
            if rows:
                raise Conflict(
                    f"the database already holds data ({rows} rows in {table.name}); "
                    "restore into a new, empty database"
                )


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL's identity counters continue after the restored rows."""
    if connection.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            )
            if sequence:
                connection.execute(
                    text(
                        f"SELECT setval('{sequence}', "  # noqa: S608 - catalog names
                        f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                        "false)"
                    )
                )


def _insert(connection: Connection, staging: Path, manifest: Manifest) -> int:
    missing = {t.name for t in Base.metadata.sorted_tables} - set(manifest.tables)
    if missing:
        raise Invalid(f"the backup has no table {sorted(missing)[0]!r} of this schema")
    total = 0
    for table in Base.metadata.sorted_tables:
        with (staging / TABLES / f"{table.name}.jsonl").open("rb") as lines:
            rows = load_lines(table, lines)
            while batch := list(islice(rows, BATCH)):
                connection.execute(table.insert(), batch)
                total += len(batch)
    _reset_sequences(connection)
    names.rebuild(connection)
    return total


def _prove(connection: Connection, manifest: Manifest, public_key: NodeKey) -> tuple[int, int]:
    """Read every table back: the same rows, byte for byte; then the audit log verifies."""
    for table in Base.metadata.sorted_tables:
        digest = Digest()
        for line in dump_table(connection, table):
            digest.add(line)
        if digest.hex != manifest.tables[table.name]["sha256"]:
            raise Invalid(f"{table.name} reads back differently from the backup; nothing kept")
    with Session(bind=connection) as session:
        report = verify_log(session, public_key.public)
        root = tree.root_at(session, manifest.audit["size"]).hex()
    if not report.ok:
        raise Invalid(f"the restored audit log does not verify: {report.problems[0]}")
    if root != manifest.audit["root"]:
        raise Invalid("the restored audit log's root differs from the backup's")
    return report.entries, report.heads


def restore(settings: Settings, engine: Engine, source: Path) -> Restored:
    """Restore `source` into the node's empty database and data directory."""
    if not source.is_file():
        raise Invalid(f"no backup at {source}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX, dir=settings.data_dir) as tmp:
        staging = Path(tmp)
        manifest, key = _extract(source, staging)
        if manifest.revision != head_revision():
            raise Invalid(
                f"the backup is at schema revision {manifest.revision}, this Palermo at "
                f"{head_revision()}: restore with the version that made it, then upgrade"
            )
        _require_empty(engine)
        targets = _file_targets(settings, staging)
        upgrade(engine)
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(text("PRAGMA defer_foreign_keys = ON"))
            rows = _insert(connection, staging, manifest)
            entries, heads = _prove(connection, manifest, key)
            for staged, target in targets:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staged, target)
    with unit_of_work(session_factory(engine)) as session:
        record(
            session,
            action="node.restore",
            operation=Operation.alteration,
            actor="operator",
            detail={"file": source.name, "backup_created_at": manifest.created_at},
        )
    return Restored(manifest=manifest, rows=rows, audit_entries=entries, signed_heads=heads)


def _file_targets(settings: Settings, staging: Path) -> list[tuple[Path, Path]]:
    """Where each staged file goes; an existing different file is never overwritten."""
    targets = []
    for staged in sorted((staging / FILES).rglob("*")):
        if not staged.is_file():
            continue
        relative = staged.relative_to(staging / FILES).as_posix()
        target = key_path(settings) if relative == NODE_KEY else settings.data_dir / relative
        if target.exists() and target.read_bytes() != staged.read_bytes():
            raise Conflict(f"{target} exists and differs from the backup's; move it away first")
        targets.append((staged, target))
    return targets
