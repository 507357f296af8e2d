"""An FIU's transaction store: Parquet files under `<data dir>/finintel/<agency>/`, one per
batch, each listed in `transaction_batches`. A file is written whole before its row is
flushed; a file whose row rolled back is never listed, so never read."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.finintel.transactions import TransactionBatch as Checked
from palermo.finintel.transactions import write_batch
from palermo.identity.principal import Principal
from palermo.models.finintel import TransactionBatch
from palermo.models.identity import Agency
from palermo.settings import Settings


def directory(settings: Settings, agency: Agency) -> Path:
    return settings.data_dir / "finintel" / agency.code.lower()


def files(session: Session, settings: Settings, agency: Agency) -> list[Path]:
    rows = session.scalars(
        select(TransactionBatch.file)
        .where(TransactionBatch.agency_id == agency.id, TransactionBatch.rows > 0)
        .order_by(TransactionBatch.created_at)
    )
    return [directory(settings, agency) / name for name in rows]


def add(
    session: Session,
    settings: Settings,
    agency: Agency,
    checked: Checked,
    *,
    source: str,
    kind: str,
    principal: Principal,
) -> TransactionBatch:
    batch_id = uuid.uuid4()
    path = write_batch(checked.table, directory(settings, agency), batch_id.hex)
    row = TransactionBatch(
        id=batch_id,
        agency_id=agency.id,
        source=source[:256],
        kind=kind,
        file=path.name,
        rows=checked.rows,
        first_time=checked.first_time if checked.rows else None,
        last_time=checked.last_time if checked.rows else None,
        total_eur=round(checked.total_eur, 2),
        sha256=_digest(path),
        warnings=checked.warnings,
        imported_by=principal.username,
    )
    session.add(row)
    session.flush()
    return row


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
