"""Imports as background jobs, each read and written by its capability's own service: FtM
JSON lines by `records.transfer`, watch lists by `screening.watchlists`, bulk transactions by
`finintel.service`.

Why two stages. A job commits each stage it reports (`background.run_job`), so that its
agency sees it move; but an import is all or nothing, even when the server is killed in the
middle (SIGKILL included: `palermo serve` then marks the job failed, and the database must
hold no part of it). So an import first *checks* the whole file and writes nothing — the
FtM lines parsed and validated chunk by chunk, the list parsed, the transactions checked
block by block — committing its progress as it goes; then it commits the stage "writing"
and writes everything in the one transaction that also marks the job done. Nothing is
committed after the first write, so a failure or a crash leaves nothing behind. The writing
stage shows no count: it could only be committed with a half-written import (and on SQLite
no second connection may write while the import holds the write lock). The price: an FtM
file is parsed twice, once to check it and once to import it.

What was uploaded stays on the job (a zip archive: an OFAC list comes in three files) until
the job ends, done or failed; then it is released.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from palermo.background import Progress, unobserved
from palermo.errors import Forbidden, Invalid, PalermoError
from palermo.finintel import service as finintel
from palermo.finintel.currencies import load_rates
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.imports import ImportJob
from palermo.policy.records import AccessContext, writes_records
from palermo.records.entities import parse_entity
from palermo.records.envelope import SubjectCategory
from palermo.records.schemas import EnvelopeIn
from palermo.records.service import owner_for, record_id_for
from palermo.records.transfer import check_ftm, import_ftm, lines_of
from palermo.screening.lists import PARSERS
from palermo.screening.watchlists import load_list
from palermo.settings import Settings
from palermo.translatable import N_

CHECKING, WRITING = "checking", "writing"  # the stages every import reports
OFAC_COMPANIONS = ("alt.csv", "add.csv")  # aliases and addresses, read beside sdn.csv


def may_import(principal: Principal) -> None:
    """Imports are started and read by those who collect records (an FIU's bulk
    transactions by its analysts besides: `finintel.service.analyst_fiu`)."""
    if not writes_records(principal):
        raise Forbidden(N_("imports are for officers, analysts, supervisors and administrators"))


def importable(session: Session, principal: Principal) -> tuple[str, ...]:
    """The kinds of import a principal who may import (`may_import`) may start."""
    try:
        finintel.analyst_fiu(session, principal)
    except PalermoError:
        return ("records", "watchlist")  # not an FIU's analyst
    return ("records", "watchlist", "transactions")


def _file_name(name: str | None, default: str) -> str:
    """An uploaded file's base name (never a path), as messages and the job name it."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    return base[:100] if base not in ("", ".", "..") else default


def submit_records(
    session: Session,
    *,
    principal: Principal,
    filename: str | None,
    content: bytes,
    envelope: EnvelopeIn,
    agency: str | None,
    now: datetime,
) -> ImportJob:
    """FtM JSON lines into records under one envelope (`records.transfer.import_ftm`)."""
    may_import(principal)
    owner = owner_for(session, principal, agency)
    return _submit(
        session,
        principal,
        owner,
        "records",
        {_file_name(filename, "records.jsonl"): content},
        {"envelope": envelope.model_dump(mode="json"), "agency": owner.code},
        now,
    )


def submit_watchlist(
    session: Session,
    *,
    principal: Principal,
    source: str,
    filename: str | None,
    content: bytes,
    companions: Mapping[str, bytes],
    agency: str | None,
    category: SubjectCategory,
    now: datetime,
) -> ImportJob:
    """A published list (`screening.watchlists.load_list`) for `agency` (default: the
    principal's own). An OFAC list may come with its aliases (alt.csv) and addresses
    (add.csv): `companions` by those names."""
    may_import(principal)
    if source not in PARSERS:
        raise Invalid(
            N_("unknown list %(source)s; known: %(parsers)s"),
            source=repr(source),
            parsers=", ".join(sorted(PARSERS)),
        )
    unknown = sorted(set(companions) - set(OFAC_COMPANIONS))
    if unknown or (companions and source != "ofac"):
        raise Invalid(N_("only an OFAC list comes with companion files (alt.csv, add.csv)"))
    owner = owner_for(session, principal, agency)
    # OFAC's parser finds alt.csv and add.csv beside the list: it is kept as sdn.csv.
    files = {("sdn.csv" if source == "ofac" else _file_name(filename, "list")): content}
    files.update(companions)
    parameters = {"source": source, "agency": owner.code, "subject_category": category.value}
    return _submit(session, principal, owner, "watchlist", files, parameters, now)


def submit_transactions(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    filename: str | None,
    content: bytes,
    mapping: dict[str, str],
    currency: str,
    context: AccessContext,
    now: datetime,
) -> ImportJob:
    """An FIU's bulk transactions (`finintel.service.import_transactions`); `mapping` as
    `finintel.transactions.parse_mapping` reads it."""
    may_import(principal)
    fiu = finintel.analyst_fiu(session, principal)
    if "currency" not in mapping:
        currency = load_rates(settings.finintel_fx_rates).check(currency)
    parameters = {
        "mapping": mapping,
        "currency": currency,
        "purpose": context.purpose.value,
        "justification": context.justification,
    }
    files = {_file_name(filename, "transactions.csv"): content}
    return _submit(session, principal, fiu, "transactions", files, parameters, now)


def _submit(
    session: Session,
    principal: Principal,
    agency: Agency,
    kind: str,
    files: Mapping[str, bytes],
    parameters: dict[str, Any],
    now: datetime,
) -> ImportJob:
    filename, content = next(iter(files.items()))
    if not content:
        raise Invalid(N_("%(filename)s is empty"), filename=filename)
    job = ImportJob(
        agency_id=agency.id,
        username=principal.username,
        kind=kind,
        filename=filename,
        parameters=parameters,
        upload=_packed(files),
        status="queued",
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def _packed(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@contextmanager
def _unpacked(upload: bytes) -> Iterator[Path]:
    """The uploaded files in a folder of their own (the parsers read paths): the first's."""
    with (
        tempfile.TemporaryDirectory(prefix="palermo-import-") as folder,
        zipfile.ZipFile(io.BytesIO(upload)) as archive,
    ):
        names = archive.namelist()  # base names only: `_file_name`, OFAC_COMPANIONS
        for name in names:
            (Path(folder) / name).write_bytes(archive.read(name))
        yield Path(folder) / names[0]


Run = Callable[[Session, Settings, ImportJob, Principal, Path, datetime, Progress], dict[str, Any]]


def execute(
    session: Session,
    settings: Settings,
    *,
    job: ImportJob,
    principal: Principal,
    now: datetime,
    progress: Progress = unobserved,
) -> None:
    """Check the whole file, then write everything at once (see the module): the job ends
    done with its report, and its upload released, in the transaction that wrote it."""
    upload = job.upload
    assert upload is not None  # kept until the job ends
    with _unpacked(upload) as path:
        result = RUNS[job.kind](session, settings, job, principal, path, now, progress)
    job.status, job.result, job.finished_at, job.upload = "done", result, utcnow(), None


def released(job: ImportJob, error: PalermoError) -> None:
    """A failed import keeps its problems (each naming its line) and releases its upload."""
    job.problems, job.upload = error.details or None, None


def _records(
    session: Session,
    settings: Settings,
    job: ImportJob,
    principal: Principal,
    path: Path,
    now: datetime,
    progress: Progress,
) -> dict[str, Any]:
    agency = job.parameters["agency"]
    owner = owner_for(session, principal, agency)
    lines = lines_of(path.read_bytes())
    ids = check_ftm(lambda: lines, on_progress=lambda done, total: progress(CHECKING, done, total))
    progress(WRITING, 0, 0)
    report = import_ftm(
        session,
        principal=principal,
        settings=settings,
        lines=lambda: lines,
        envelope=EnvelopeIn.model_validate(job.parameters["envelope"]),
        owner_code=agency,
        origin=f"import:{job.filename}"[:100],
        now=now,
    )
    first = next(iter(ids), None)
    return {
        "lines": report.lines,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "first_record": record_id_for(owner, first) if first else None,
    }


def _watchlist(
    session: Session,
    settings: Settings,
    job: ImportJob,
    principal: Principal,
    path: Path,
    now: datetime,
    progress: Progress,
) -> dict[str, Any]:
    p = job.parameters
    progress(CHECKING, 0, 0)  # a list is parsed whole: nothing to count meanwhile
    listing = PARSERS[p["source"]](path)
    progress(WRITING, 0, 0)
    report = load_list(
        session,
        principal=principal,
        settings=settings,
        listing=listing,
        agency=p["agency"],
        category=SubjectCategory(p["subject_category"]),
        now=now,
    )
    owner = owner_for(session, principal, p["agency"])
    first = parse_entity(listing.entries[0].entity).source_id if listing.entries else None
    return {
        "source": report.source,
        "entries": len(listing.entries),
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "retired": report.retired,
        "relisted": report.relisted,
        "first_record": record_id_for(owner, first) if first else None,
    }


def _transactions(
    session: Session,
    settings: Settings,
    job: ImportJob,
    principal: Principal,
    path: Path,
    now: datetime,
    progress: Progress,
) -> dict[str, Any]:
    p = job.parameters
    size = path.stat().st_size
    progress(CHECKING, 0, size)
    checked = finintel.check_transactions(
        session,
        principal,
        settings,
        path=path,
        mapping=p["mapping"],
        default_currency=p["currency"],
        progress=lambda done: progress(CHECKING, done, size),
    )
    progress(WRITING, 0, 0)
    batch = finintel.store_transactions(
        session,
        principal,
        settings,
        checked=checked,
        source=job.filename,
        context=AccessContext.of(p["purpose"], p["justification"]),
    )
    sources = checked.table.column("source").drop_null()
    return {
        "batch": str(batch.id),
        "transactions": batch.rows,
        "first": batch.first_time.isoformat() if batch.first_time else None,
        "last": batch.last_time.isoformat() if batch.last_time else None,
        "total_eur": batch.total_eur,
        "warnings": batch.warnings,
        "first_account": sources[0].as_py() if len(sources) else None,
    }


RUNS: dict[str, Run] = {
    "records": _records,
    "watchlist": _watchlist,
    "transactions": _transactions,
}
