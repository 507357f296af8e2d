"""`palermo link run|pairs|judge|clusters`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Annotated

import typer

from palermo.console import emit_json, err, handles_errors, out, state
from palermo.errors import Invalid
from palermo.linkage import incremental, service
from palermo.linkage.engine import Backend
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext

link_app = typer.Typer(help="Entity resolution: link records of the same person or thing.")

PurposeOpt = Annotated[str, typer.Option(help="Why you link: a purpose, e.g. criminal_analysis.")]
JustificationOpt = Annotated[str, typer.Option(help="The case or reason (logged).")]
SchemaOpt = Annotated[str, typer.Option(help="Person, Organization, Company, Vessel…")]


@link_app.command("run")
@handles_errors
def run(
    ctx: typer.Context,
    purpose: PurposeOpt,
    justification: JustificationOpt,
    schema: SchemaOpt = "Person",
    scope: Annotated[
        str | None, typer.Option(help="Only these owner agencies: codes, comma-separated.")
    ] = None,
    backend: Annotated[Backend, typer.Option(help="duckdb (default) or spark.")] = Backend.duckdb,
    threshold: Annotated[
        float, typer.Option(help="Keep pairs from this match probability on.")
    ] = 0.5,
) -> None:
    """Link the records you may see; keeps the proposed pairs for review."""
    context = AccessContext.of(purpose, justification)
    agencies = [c.strip().upper() for c in scope.split(",") if c.strip()] if scope else None
    with (
        err.status(f"linking {schema} records on {backend.value}…"),
        state(ctx).work() as (session, principal),
    ):
        linkage = service.run(
            session,
            principal=principal,
            context=context,
            schema=schema,
            scope=agencies,
            backend=backend,
            threshold=threshold,
            now=utcnow(),
        )
    out.print(f"{linkage.records} records linked: {linkage.pairs} pairs proposed ({linkage.id})")


@link_app.command("pairs")
@handles_errors
def pairs(
    ctx: typer.Context,
    purpose: PurposeOpt,
    justification: JustificationOpt,
    schema: SchemaOpt = "Person",
    status: Annotated[
        str | None, typer.Option(help="proposed, confirmed, rejected or unsure.")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """The latest run's pairs and your agency's judgements, best first."""
    if output not in ("csv", "json"):
        raise Invalid("--format is csv or json")
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        found = service.pairs(
            session,
            principal=principal,
            context=context,
            schema=schema,
            status=status,
            now=utcnow(),
        )
    if output == "json":
        emit_json([asdict(p) for p in found])
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["left_id", "right_id", "probability", "match_weight", "status", "weights"])
    for p in found:
        writer.writerow(
            [
                p.left_id,
                p.right_id,
                "" if p.probability is None else f"{p.probability:.6f}",
                "" if p.match_weight is None else f"{p.match_weight:.3f}",
                p.status,
                "" if p.weights is None else json.dumps(p.weights, sort_keys=True),
            ]
        )
    typer.echo(buffer.getvalue(), nl=False)


@link_app.command("judge")
@handles_errors
def judge(
    ctx: typer.Context,
    left_id: Annotated[str, typer.Argument(help="One record id.")],
    right_id: Annotated[str, typer.Argument(help="The other record id.")],
    verdict: Annotated[str, typer.Argument(help="confirmed, rejected or unsure.")],
    purpose: PurposeOpt,
    justification: JustificationOpt,
    note: Annotated[str | None, typer.Option(help="Why (kept with the judgement).")] = None,
) -> None:
    """Decide whether two records are the same entity; kept across runs."""
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        service.judge(
            session,
            principal=principal,
            context=context,
            left_id=left_id,
            right_id=right_id,
            verdict=verdict,
            note=note,
            now=utcnow(),
        )
    out.print(f"{left_id} ~ {right_id}: {verdict}")


@link_app.command("clusters")
@handles_errors
def clusters(
    ctx: typer.Context,
    purpose: PurposeOpt,
    justification: JustificationOpt,
    schema: SchemaOpt = "Person",
    threshold: Annotated[
        float, typer.Option(help="Pairs from this probability join without a judgement.")
    ] = service.CLUSTER_PROBABILITY,
    output: Annotated[str, typer.Option("--format", help="json or text.")] = "text",
) -> None:
    """Clusters of records that are one entity; conflicting judgements are flagged."""
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        found = service.clusters_of(
            session,
            principal=principal,
            context=context,
            schema=schema,
            threshold=threshold,
            now=utcnow(),
        )
    if output == "json":
        emit_json([asdict(c) for c in found])
        return
    for cluster in found:
        flag = f"  [bold red]CONFLICT[/] {cluster.conflicts}" if cluster.conflicts else ""
        out.print(f"{cluster.id}: {', '.join(cluster.members)}{flag}")
    out.print(f"{len(found)} clusters")


@link_app.command("add")
@handles_errors
def add(
    ctx: typer.Context,
    record_ids: Annotated[list[str], typer.Argument(help="The new records' ids.")],
    purpose: PurposeOpt,
    justification: JustificationOpt,
    schema: SchemaOpt = "Person",
) -> None:
    """Link new records against your agency's latest run, without running again."""
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        found = incremental.link_records(
            session,
            principal=principal,
            context=context,
            record_ids=record_ids,
            schema=schema,
            now=utcnow(),
        )
    for linked in found:
        others = [p.left_id if p.right_id == linked.record_id else p.right_id for p in linked.pairs]
        out.print(f"{linked.record_id}: {len(others)} pairs {', '.join(others)}")
