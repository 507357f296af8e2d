"""`palermo finintel …`: reporters and reports, transaction imports, monitoring, traces
and alert triage."""

from __future__ import annotations

import csv
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from palermo.console import as_utc, emit_json, err, handles_errors, out, state
from palermo.errors import Invalid
from palermo.files import read_file
from palermo.finintel import reporting, service, triage
from palermo.finintel.engine import Backend
from palermo.finintel.tracing import DEFAULT_MIN_AMOUNT, Direction, Method
from palermo.finintel.transactions import parse_mapping
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext

finintel_app = typer.Typer(
    help="Financial intelligence: reports, transactions, monitoring, tracing, triage."
)

PurposeOpt = Annotated[str, typer.Option(help="Why (logged).")]
JustificationOpt = Annotated[
    str | None, typer.Option(help="The case or reason (logged; required).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
FORMATS = ("goaml", "csv", "json")


@finintel_app.command("register")
@handles_errors
def register(
    ctx: typer.Context,
    partner: Annotated[str, typer.Argument(help="The private partner's agency code.")],
    registration: Annotated[str, typer.Option(help="Its reporting-entity id (goAML rentity_id).")],
    sector: Annotated[str, typer.Option(help=", ".join(reporting.SECTORS))] = "bank",
    fiu: Annotated[str | None, typer.Option(help="The FIU (for the node operator).")] = None,
) -> None:
    """Register a private partner as a reporting entity of an FIU."""
    with state(ctx).work() as (session, principal):
        reporting.register(
            session,
            principal,
            partner_code=partner,
            registration=registration,
            sector=sector,
            fiu_code=fiu,
        )
    out.print(f"{partner.upper()} reports as {registration}")


@finintel_app.command("import")
@handles_errors
def import_report(
    ctx: typer.Context,
    format: Annotated[str, typer.Argument(help="goaml, csv or json")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    reporter: Annotated[
        str | None, typer.Option(help="The reporting entity (agency code) that filed it.")
    ] = None,
    fiu: Annotated[str | None, typer.Option(help="The FIU it is filed with.")] = None,
    json_output: JsonOpt = False,
) -> None:
    """File a report (goAML XML, CSV or JSON); refused files list every problem."""
    if format not in FORMATS:
        raise Invalid(f"unknown report format {format!r}: one of {', '.join(FORMATS)}")
    settings = state(ctx).settings
    # As much as the API takes of a filing: a request body.
    content = read_file(file, limit=settings.max_request_bytes, what="the report")
    with state(ctx).work() as (session, principal):
        report = reporting.submit(
            session,
            principal,
            settings,
            content=content,
            format=format,
            now=utcnow(),
            reporter_code=reporter,
            fiu_code=fiu,
        )
        ack = {
            "fiu_reference": report.fiu_reference,
            "reference": report.reference,
            "kind": report.kind,
            "status": report.status,
            "records": len(report.record_ids),
            "transactions": len(report.summary["transactions"]),
        }
    if json_output:
        emit_json(ack)
    else:
        out.print(
            f"{ack['kind']} {ack['reference']} received as {ack['fiu_reference']}: "
            f"{ack['records']} records, {ack['transactions']} transactions"
        )


@finintel_app.command("import-transactions")
@handles_errors
def import_transactions(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    mapping: Annotated[
        str,
        typer.Option("--map", help="source=COL,target=COL,amount=COL,time=COL[,currency=COL,…]"),
    ],
    currency: Annotated[str, typer.Option(help="Currency where none is mapped.")] = "EUR",
    purpose: PurposeOpt = "financial_intelligence",
    justification: JustificationOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Load bulk transactions (bank returns, production orders) into the FIU's store."""
    fields = parse_mapping(mapping)
    context = AccessContext.of(purpose, justification)
    cli = state(ctx)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=json_output,
    ) as progress:
        task = progress.add_task(f"Reading {file.name}", total=file.stat().st_size)
        with cli.work() as (session, principal):
            batch = service.import_transactions(
                session,
                principal,
                cli.settings,
                path=file,
                mapping=fields,
                default_currency=currency,
                context=context,
                progress=lambda done: progress.update(task, completed=done),
            )
            summary: dict[str, Any] = {
                "batch": str(batch.id),
                "rows": batch.rows,
                "first": batch.first_time.isoformat() if batch.first_time else None,
                "last": batch.last_time.isoformat() if batch.last_time else None,
                "total_eur": batch.total_eur,
                "warnings": batch.warnings,
            }
    if json_output:
        emit_json(summary)
        return
    out.print(f"Imported {summary['rows']:,} transactions from {file.name} (batch {batch.id})")
    for warning in summary["warnings"]:
        err.print(f"[yellow]warning[/] {warning}")


@finintel_app.command("monitor")
@handles_errors
def monitor(
    ctx: typer.Context,
    backend: Annotated[Backend, typer.Option(help="duckdb (default) or spark")] = Backend.duckdb,
    purpose: PurposeOpt = "financial_intelligence",
    justification: JustificationOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Run every typology detector over the FIU's transactions; alerts join the queue."""
    context = AccessContext.of(purpose, justification)
    cli = state(ctx)
    with err.status("monitoring…") as status, cli.work() as (session, principal):
        run, kept = service.monitor(
            session,
            principal,
            cli.settings,
            backend=backend,
            context=context,
            now=utcnow(),
            step=lambda name: status.update(f"monitoring: {name.replace('_', ' ')}…"),
        )
        statuses = {a.alert_key: a.status for a in kept}
    if json_output:
        emit_json([{**a.as_dict(), "status": statuses[a.alert_id]} for a in run.alerts])
        return
    table = Table("alert", "typology", "score", "accounts", "tx", "window", "status")
    for a in run.alerts:
        table.add_row(
            a.alert_id,
            a.typology,
            f"{a.score:.2f}",
            str(len(a.accounts)),
            str(len(a.transactions)),
            f"{a.start:%Y-%m-%d} – {a.end:%Y-%m-%d}",
            statuses[a.alert_id],
        )
    out.print(table)
    out.print(f"{len(run.alerts)} alerts over {run.transactions:,} transactions")


@finintel_app.command("train")
@handles_errors
def train(
    ctx: typer.Context,
    cases: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV with an `account` column: confirmed cases"
        ),
    ],
    purpose: PurposeOpt = "financial_intelligence",
    justification: JustificationOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Train the FIU's alert ranking on the accounts of its confirmed cases."""
    context = AccessContext.of(purpose, justification)
    with cases.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if "account" not in (reader.fieldnames or []):
            raise Invalid(f"{cases.name} has no `account` column (header: {reader.fieldnames})")
        laundering = {row["account"].strip() for row in reader if row["account"].strip()}
    cli = state(ctx)
    with err.status("training the ranking…"), cli.work() as (session, principal):
        summary = service.train_ranking(
            session, principal, cli.settings, laundering=laundering, context=context
        )
    if json_output:
        emit_json(summary)
    else:
        out.print(
            f"ranking trained on {summary['accounts']:,} accounts, {summary['laundering']} "
            f"laundering ({summary['not_in_store']} named but not in the store); "
            f"F1 on the labels {summary['f1_on_labels']}"
        )


@finintel_app.command("trace")
@handles_errors
def trace(
    ctx: typer.Context,
    origin: Annotated[str, typer.Argument(help="An account, or a transaction id.")],
    direction: Annotated[Direction, typer.Option()] = Direction.forward,
    hops: Annotated[int, typer.Option(min=1, max=10)] = 4,
    method: Annotated[Method, typer.Option(help="fifo or pro_rata attribution")] = Method.fifo,
    since: Annotated[datetime | None, typer.Option()] = None,
    until: Annotated[datetime | None, typer.Option()] = None,
    min_amount: Annotated[float, typer.Option(help="EUR")] = DEFAULT_MIN_AMOUNT,
    purpose: PurposeOpt = "financial_intelligence",
    justification: JustificationOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Follow the money from an account or a transaction."""
    context = AccessContext.of(purpose, justification)
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.trace(
            session,
            principal,
            cli.settings,
            origin=origin,
            direction=direction,
            hops=hops,
            method=method,
            since=as_utc(since),
            until=as_utc(until, end_of_day=True),
            min_amount=min_amount,
            context=context,
        )
    if json_output:
        emit_json(found.as_dict())
        return
    table = Table("hop", "time", "from", "to", "amount €", "traced €", "countries")
    for f in found.flows:
        m = f.move
        table.add_row(
            str(f.hop),
            f"{m.t:%Y-%m-%d %H:%M}",
            m.source or "cash in",
            m.target or "cash out",
            f"{m.amount:,.2f}",
            f"{f.attributed:,.2f}",
            f"{m.source_country or '?'}→{m.target_country or '?'}",
        )
    out.print(table)
    if found.unknown_origin:
        out.print(f"{found.unknown_origin:,.2f} € came from funds older than the data")


@finintel_app.command("reports")
@handles_errors
def reports(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help=", ".join(reporting.STATUSES))] = None,
    json_output: JsonOpt = False,
) -> None:
    """Reports you may see: a reporter its own, an FIU those filed with it."""
    with state(ctx).work() as (session, principal):
        rows = [
            {
                "fiu_reference": r.fiu_reference,
                "reference": r.reference,
                "kind": r.kind,
                "status": r.status,
                "received_at": r.received_at.isoformat(),
                "reason": r.reason,
            }
            for r in reporting.list_reports(session, principal, status=status)
        ]
    if json_output:
        emit_json(rows)
        return
    table = Table("FIU reference", "reference", "kind", "status", "received", "reason")
    for r in rows:
        table.add_row(
            r["fiu_reference"],
            r["reference"],
            r["kind"],
            r["status"],
            r["received_at"][:16],
            r["reason"][:60],
        )
    out.print(table)


@finintel_app.command("alerts")
@handles_errors
def alerts(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help=", ".join(triage.STATUSES))] = None,
    typology: Annotated[str | None, typer.Option()] = None,
    account: Annotated[str | None, typer.Option()] = None,
    json_output: JsonOpt = False,
) -> None:
    """The FIU's alert queue, strongest first."""
    with state(ctx).work() as (session, principal):
        rows: list[dict[str, Any]] = [
            {
                "id": str(a.id),
                "alert_id": a.alert_key,
                "typology": a.typology,
                "score": a.score,
                "status": a.status,
                "accounts": a.accounts,
                "window": [a.window_start.isoformat(), a.window_end.isoformat()],
            }
            for a in triage.list_alerts(
                session, principal, status=status, typology=typology, account=account
            )
        ]
    if json_output:
        emit_json(rows)
        return
    table = Table("id", "typology", "score", "status", "accounts")
    for r in rows:
        table.add_row(
            r["id"], r["typology"], f"{r['score']:.2f}", r["status"], str(len(r["accounts"]))
        )
    out.print(table)


@finintel_app.command("triage")
@handles_errors
def triage_alert(
    ctx: typer.Context,
    alert: Annotated[uuid.UUID, typer.Argument(help="The alert's id.")],
    action: Annotated[str, typer.Argument(help="review, dismiss, escalate or reopen")],
    note: Annotated[str | None, typer.Option(help="Why (required to dismiss or escalate).")] = None,
    reference: Annotated[str | None, typer.Option(help="The case escalated to.")] = None,
) -> None:
    """Move an alert through triage."""
    with state(ctx).work() as (session, principal):
        moved = triage.move(
            session, principal, alert, action=action, now=utcnow(), note=note, reference=reference
        )
        status = moved.status
    out.print(f"alert {alert} is {status.replace('_', ' ')}")
