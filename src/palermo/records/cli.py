"""`palermo import|export|records …`: intelligence records from the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from palermo.console import emit_json, err, handles_errors, out, state
from palermo.errors import Invalid
from palermo.models.base import utcnow
from palermo.network import calls
from palermo.policy.records import AccessContext
from palermo.records import service, transfer
from palermo.records.envelope import (
    AccessLevel,
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    ShareScope,
    SourceReliability,
    SubjectCategory,
    Tlp,
)
from palermo.records.retention import review_record, run_retention
from palermo.records.schemas import EnvelopeIn, HitOut, ShareIn

import_app = typer.Typer(help="Import intelligence.", no_args_is_help=True)
export_app = typer.Typer(help="Export intelligence.", no_args_is_help=True)
records_app = typer.Typer(help="Intelligence records.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
PurposeOpt = Annotated[str, typer.Option(help="Why you consult: a purpose code.")]
JustificationOpt = Annotated[str, typer.Option(help="The case or reason (logged).")]


def parse_share(text: str) -> ShareIn:
    """agency:CODE[:hit_only] | country:CC[:hit_only] | everyone[:hit_only]"""
    parts = text.split(":")
    level = AccessLevel.full
    if parts[-1] in (AccessLevel.hit_only.value, AccessLevel.full.value):
        level = AccessLevel(parts.pop())
    try:
        scope = ShareScope(parts[0])
    except ValueError:
        raise Invalid(f"share {text!r}: use agency:CODE, country:CC or everyone") from None
    target = parts[1] if len(parts) > 1 else None
    return ShareIn(
        scope=scope,
        agency=target if scope is ShareScope.agency else None,
        country=target if scope is ShareScope.country else None,
        level=level,
    )


LegalBasisOpt = Annotated[str, typer.Option(help="The law under which the data is held.")]
OwnerOpt = Annotated[str | None, typer.Option("--agency", help="Owner agency (operator only).")]
SubjectOpt = Annotated[
    SubjectCategory | None, typer.Option(help="For the persons in the file (LED Art. 6).")
]
NatureOpt = Annotated[Nature, typer.Option(help="fact or assessment")]
ReliabilityOpt = Annotated[SourceReliability, typer.Option(help="A, B, C or X")]
AccuracyOpt = Annotated[InformationAccuracy, typer.Option(help="1, 2, 3 or 4")]
HandlingOpt = Annotated[HandlingCode, typer.Option(help="H0-H3")]
HandlingNoteOpt = Annotated[str | None, typer.Option(help="The H3 restriction.")]
TlpOpt = Annotated[Tlp, typer.Option(help="TLP 2.0 label")]
PurposesOpt = Annotated[list[Purpose] | None, typer.Option("--purpose", help="Permitted purposes.")]
ShareOpt = Annotated[
    list[str] | None,
    typer.Option(help="agency:CODE, country:CC or everyone, optionally :hit_only"),
]
OffenceOpt = Annotated[list[str] | None, typer.Option(help="ICCS offence codes.")]


@import_app.command("ftm")
@handles_errors
def import_ftm(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    legal_basis: LegalBasisOpt,
    agency: OwnerOpt = None,
    subject_category: SubjectOpt = None,
    nature: NatureOpt = Nature.fact,
    reliability: ReliabilityOpt = SourceReliability.X,
    accuracy: AccuracyOpt = InformationAccuracy.not_assessed,
    handling: HandlingOpt = HandlingCode.H2,
    handling_note: HandlingNoteOpt = None,
    tlp: TlpOpt = Tlp.amber,
    purpose: PurposesOpt = None,
    share: ShareOpt = None,
    offence: OffenceOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Import FtM JSON lines under one envelope: all or nothing, each bad line reported."""
    envelope = _envelope(locals())
    total = sum(1 for _ in file.open("rb"))
    _import(
        ctx, file.name, lambda: file.open(encoding="utf-8"), total, envelope, agency, json_output
    )


@import_app.command("calls")
@handles_errors
def import_calls(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Call detail records (CSV).")],
    legal_basis: LegalBasisOpt,
    columns: Annotated[
        str | None,
        typer.Option(help="caller=COL,callee=COL,start=COL,duration=COL,cell=COL"),
    ] = None,
    time_format: Annotated[
        str | None, typer.Option(help="strftime format of start times (default ISO 8601).")
    ] = None,
    subscribers: Annotated[
        Path | None, typer.Option(help="Subscriber list (CSV): number, name, …")
    ] = None,
    subscriber_columns: Annotated[
        str | None,
        typer.Option(help="number=COL,name=COL,birth_date=COL,id_number=COL,address=COL"),
    ] = None,
    agency: OwnerOpt = None,
    subject_category: SubjectOpt = None,
    nature: NatureOpt = Nature.fact,
    reliability: ReliabilityOpt = SourceReliability.A,
    accuracy: AccuracyOpt = InformationAccuracy.known_to_source,
    handling: HandlingOpt = HandlingCode.H2,
    handling_note: HandlingNoteOpt = None,
    tlp: TlpOpt = Tlp.amber,
    purpose: PurposesOpt = None,
    share: ShareOpt = None,
    offence: OffenceOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Import call detail records (and the subscribers of the numbers) as Call and Person
    records, ready for network analysis."""
    if subscribers is not None and subject_category is None:
        raise Invalid("subscribers are persons: give --subject-category (suspect, contact, …)")
    envelope = _envelope(locals())
    found = calls.entities(
        file,
        columns=columns,
        time_format=time_format,
        subscribers=subscribers,
        subscriber_columns=subscriber_columns,
    )
    lines = [json.dumps(entity, ensure_ascii=False) for entity in found]
    _import(ctx, file.name, lambda: lines, len(lines), envelope, agency, json_output)


def _envelope(options: dict[str, Any]) -> EnvelopeIn:
    """The envelope an import command's options describe (its `locals()`)."""
    return EnvelopeIn(
        subject_category=options["subject_category"],
        nature=options["nature"],
        source_reliability=options["reliability"],
        information_accuracy=options["accuracy"],
        handling_code=options["handling"],
        handling_note=options["handling_note"],
        tlp=options["tlp"],
        purposes=options["purpose"] or [Purpose.criminal_investigation],
        shares=[parse_share(s) for s in options["share"] or []],
        legal_basis=options["legal_basis"],
        offences=options["offence"] or [],
    )


def _import(
    ctx: typer.Context,
    name: str,
    lines: Callable[[], Iterable[str]],
    total: int,
    envelope: EnvelopeIn,
    agency: str | None,
    json_output: bool,
) -> None:
    cli = state(ctx)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=json_output,
    ) as progress:
        task = progress.add_task(f"Importing {name}", total=total)
        try:
            with cli.work() as (session, principal):
                report = transfer.import_ftm(
                    session,
                    principal=principal,
                    settings=cli.settings,
                    lines=lines,
                    envelope=envelope,
                    owner_code=agency,
                    origin=f"import:{name}"[:100],
                    now=utcnow(),
                    on_progress=lambda n: progress.update(task, completed=n),
                )
        except UnicodeDecodeError as error:
            raise Invalid(f"{name} is not UTF-8 (byte {error.start})") from None
    summary = {
        "lines": report.lines,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    if json_output:
        emit_json(summary)
    else:
        out.print(
            f"Imported {name}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged ({report.lines} lines)"
        )


@export_app.command("ftm")
@handles_errors
def export_ftm(
    ctx: typer.Context,
    purpose: PurposeOpt,
    justification: JustificationOpt,
    out_file: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
    schema: Annotated[str | None, typer.Option(help="Only this schema and its children.")] = None,
) -> None:
    """Export, as FtM JSON lines, every record you may fully see (with its envelope)."""
    context = AccessContext.of(purpose, justification)
    count = 0
    with state(ctx).work() as (session, principal):
        handle = out_file.open("w", encoding="utf-8") if out_file else sys.stdout
        try:
            for entity in transfer.export_ftm(
                session, principal=principal, context=context, schema=schema, now=utcnow()
            ):
                handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if out_file:
                handle.close()
    err.print(f"Exported {count} records")


@records_app.command("show")
@handles_errors
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument()],
    purpose: PurposeOpt,
    justification: JustificationOpt,
    json_output: JsonFlag = False,
) -> None:
    """Show one record (or, where you may only know of it, its reference and owner)."""
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        view = service.read_record(
            session, principal=principal, context=context, record_id=record_id, now=utcnow()
        )
    if json_output:
        emit_json(view.model_dump(mode="json", by_alias=True))
        return
    if isinstance(view, HitOut):
        out.print(
            f"[bold]{view.id}[/] ({view.schema_}): known to {view.owner_agency}; "
            "ask the owner for details"
        )
        return
    env = view.envelope
    banner = f"{env.handling_code.value} · TLP:{env.tlp.value} · {env.evaluation}"
    if env.nature.value == "assessment":
        banner += " · ASSESSMENT"
    out.print(f"[bold]{view.caption}[/] ({view.schema_}, {view.id})\n{banner}")
    if env.handling_note:
        out.print(f"[bold yellow]{env.handling_note}[/]")
    table = Table("Property", "Values")
    for prop, values in sorted(view.properties.items()):
        table.add_row(prop, "; ".join(values))
    out.print(table)


@records_app.command("search")
@handles_errors
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="A name, or part of one.")],
    purpose: PurposeOpt,
    justification: JustificationOpt,
    schema: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 20,
    json_output: JsonFlag = False,
) -> None:
    """Search records by name, through your agency's policy."""
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        result = service.search_records(
            session,
            principal=principal,
            context=context,
            text=text,
            schema=schema,
            limit=limit,
            now=utcnow(),
        )
    if json_output:
        emit_json(
            {
                "total": result.total,
                "items": [i.model_dump(mode="json", by_alias=True) for i in result.items],
            }
        )
        return
    table = Table("Record", "Schema", "Caption", "Owner", "Handling", title=f"{result.total} found")
    for item in result.items:
        if isinstance(item, HitOut):
            table.add_row(item.id, item.schema_, "(hit only: ask the owner)", item.owner_agency, "")
        else:
            table.add_row(
                item.id,
                item.schema_,
                item.caption,
                item.envelope.owner_agency,
                f"{item.envelope.handling_code.value} TLP:{item.envelope.tlp.value}",
            )
    out.print(table)


@records_app.command("retention")
@handles_errors
def retention(
    ctx: typer.Context,
    erase: Annotated[bool, typer.Option(help="Erase overdue records instead of blocking.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Remind owners of due reviews; block (or erase) records past their delete-by date."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        report = run_retention(
            session,
            principal=principal,
            settings=cli.settings,
            today=now.date(),
            now=now,
            erase_overdue=erase,
        )
    summary = {"reminded": report.reminded, "blocked": report.blocked, "erased": report.erased}
    if json_output:
        emit_json(summary)
    else:
        out.print(", ".join(f"{v} {k}" for k, v in summary.items()))


@records_app.command("review")
@handles_errors
def review(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument()],
    decision: Annotated[str, typer.Option(help="retain or erase")],
    reason: Annotated[str, typer.Option(help="The reasons, kept with the record.")],
    review_due: Annotated[str | None, typer.Option(help="Next review (YYYY-MM-DD).")] = None,
) -> None:
    """Record the owner's review decision on a record: retain (until a date) or erase."""
    cli = state(ctx)
    try:
        next_review = date.fromisoformat(review_due) if review_due else None
    except ValueError:
        raise Invalid(f"--review-due {review_due!r} is not a date (YYYY-MM-DD)") from None
    with cli.work() as (session, principal):
        review_record(
            session,
            principal=principal,
            record_id=record_id,
            decision=decision,
            reason=reason,
            review_due=next_review,
            delete_by=None,
            settings=cli.settings,
            now=utcnow(),
        )
    out.print(f"Review recorded for {record_id}: {decision}")
