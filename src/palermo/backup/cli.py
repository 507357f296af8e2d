"""`palermo backup FILE` and `palermo restore FILE`: the node operator's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from palermo.backup import service
from palermo.console import emit_json, handles_errors, out, state
from palermo.models.base import utcnow

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Archive = Annotated[Path, typer.Argument(help="The backup archive (.tar.gz).")]


@handles_errors
def backup(ctx: typer.Context, archive: Archive, json_output: JsonFlag = False) -> None:
    """Write a consistent, signed backup of the database and the node's files (the archive
    holds the node's private key: keep it as safely as the node itself)."""
    cli = state(ctx)
    manifest = service.create(cli.settings, cli.engine, archive, now=utcnow())
    summary = {
        "file": str(archive),
        "tables": len(manifest.tables),
        "rows": sum(t["rows"] for t in manifest.tables.values()),
        "files": len(manifest.files),
        "audit_entries": manifest.audit["size"],
        "key_id": manifest.key_id,
    }
    if json_output:
        emit_json(summary)
        return
    out.print(
        f"Backup written to {archive}: {summary['rows']} rows in {summary['tables']} tables, "
        f"{summary['files']} files, audit log of {summary['audit_entries']} entries "
        f"(signed by node key {manifest.key_id})"
    )


@handles_errors
def restore(ctx: typer.Context, archive: Archive, json_output: JsonFlag = False) -> None:
    """Restore a backup into an empty database; kept only once every table reads back as
    backed up and the audit log verifies."""
    cli = state(ctx)
    restored = service.restore(cli.settings, cli.engine, archive)
    summary = {
        "file": str(archive),
        "backup_created_at": restored.manifest.created_at,
        "rows": restored.rows,
        "audit_entries": restored.audit_entries,
        "signed_heads": restored.signed_heads,
    }
    if json_output:
        emit_json(summary)
        return
    out.print(
        f"Restored {archive} (made {restored.manifest.created_at}): {restored.rows} rows; "
        f"audit log verified ({restored.audit_entries} entries, {restored.signed_heads} "
        "signed heads)"
    )
