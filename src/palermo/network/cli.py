"""`palermo network build|analyze|disrupt|paths`; call records come in through
`palermo import calls`.

`analyze` and `disrupt` work on an edge file (`source,target[,weight][,time]`) without a
database or a log-in, or on a network built inside Palermo from the records you may see
(then a purpose and a justification are required and the work is logged)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from palermo.console import as_utc, emit_json, err, handles_errors, out, state
from palermo.errors import Invalid
from palermo.models.base import utcnow
from palermo.network import analysis, edgefile, service
from palermo.network.disruption import Mode, Strategy
from palermo.network.graph import Duplicates, Network
from palermo.network.schemas import AnalysisIn, DisruptionIn, ScopeIn
from palermo.policy.records import AccessContext

network_app = typer.Typer(help="Criminal network analysis: build, analyse, disrupt, export.")

PurposeOpt = Annotated[
    str | None, typer.Option(help="Why (for networks built from records), e.g. criminal_analysis.")
]
JustificationOpt = Annotated[str | None, typer.Option(help="The case or reason (logged).")]
ScopeOpt = Annotated[
    str | None, typer.Option("--scope", help="Only records of these owner agencies (codes).")
]
SeedOpt = Annotated[
    list[str] | None, typer.Option("--seed", help="Start from this record (repeatable).")
]
DepthOpt = Annotated[int, typer.Option(help="With --seed: hops from the seeds.")]
SinceOpt = Annotated[datetime | None, typer.Option(help="Dated evidence from this day on.")]
UntilOpt = Annotated[datetime | None, typer.Option(help="Dated evidence up to this day.")]
CanonicalOpt = Annotated[
    bool, typer.Option(help="One node per entity your agency's linkage resolved.")
]
IdentifiersOpt = Annotated[
    bool, typer.Option(help="Tie records that share a phone, account, document or address.")
]
WeightedOpt = Annotated[bool, typer.Option(help="Read weights as tie strengths.")]
DuplicatesOpt = Annotated[
    Duplicates, typer.Option(help="How repeated pairs merge: sum, max, first or count.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _scope(
    scope: str | None,
    seeds: list[str] | None,
    depth: int,
    since: datetime | None,
    until: datetime | None,
    canonical: bool,
    identifiers: bool = True,
) -> ScopeIn:
    return ScopeIn(
        owners=[c.strip().upper() for c in scope.split(",") if c.strip()] if scope else None,
        seeds=seeds or [],
        depth=depth,
        since=as_utc(since),
        until=as_utc(until, end_of_day=True),
        canonical=canonical,
        identifiers=identifiers,
    )


def _network(
    ctx: typer.Context,
    edges: Path | None,
    purpose: str | None,
    justification: str | None,
    scope: ScopeIn,
) -> Network:
    if edges is not None:
        return edgefile.read(edges)
    context = AccessContext.of(purpose, justification)
    with err.status("building the network…"), state(ctx).work() as (session, principal):
        built = service.build(
            session, principal=principal, context=context, scope=scope, now=utcnow()
        )
    if built.left_out:
        left = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in built.left_out.items())
        err.print(f"left out — {left}")
    return built.network


@network_app.command("build")
@handles_errors
def build(
    ctx: typer.Context,
    out_file: Annotated[
        Path, typer.Option("--out", help="FILE.graphml, .gexf, .csv or .ftm.jsonl")
    ],
    purpose: PurposeOpt = None,
    justification: JustificationOpt = None,
    scope: ScopeOpt = None,
    seed: SeedOpt = None,
    depth: DepthOpt = 2,
    since: SinceOpt = None,
    until: UntilOpt = None,
    canonical: CanonicalOpt = False,
    identifiers: IdentifiersOpt = True,
    weighted: WeightedOpt = False,
) -> None:
    """Build the network of the records you may see and write it for Gephi, yEd or i2."""
    context = AccessContext.of(purpose, justification)
    chosen = _scope(scope, seed, depth, since, until, canonical, identifiers)
    with err.status("building the network…"), state(ctx).work() as (session, principal):
        now = utcnow()
        built = service.build(session, principal=principal, context=context, scope=chosen, now=now)
        written = service.export_file(
            session,
            principal=principal,
            context=context,
            built=built,
            path=out_file,
            options=analysis.Options(weighted=weighted),
            now=now,
        )
    out.print(
        f"{len(built.network.ids)} nodes, {len(built.network.edges)} edges → {out_file} "
        f"({written.value})"
    )


@network_app.command("analyze")
@handles_errors
def analyze(
    ctx: typer.Context,
    edges: Annotated[Path | None, typer.Argument(help="An edge file; else records.")] = None,
    purpose: PurposeOpt = None,
    justification: JustificationOpt = None,
    scope: ScopeOpt = None,
    seed: SeedOpt = None,
    depth: DepthOpt = 2,
    since: SinceOpt = None,
    until: UntilOpt = None,
    canonical: CanonicalOpt = False,
    identifiers: IdentifiersOpt = True,
    weighted: WeightedOpt = False,
    duplicates: DuplicatesOpt = Duplicates.sum,
    measures: Annotated[
        str,
        typer.Option(
            help="Comma-separated: degree, betweenness, closeness, harmonic, "
            "eigenvector, katz, pagerank, collective_influence, coreness."
        ),
    ] = ",".join(analysis.DEFAULT_MEASURES),
    top: Annotated[int, typer.Option(help="Key players to list per measure.")] = 10,
    sample: Annotated[
        int | None, typer.Option(help="Estimate betweenness from this many source nodes.")
    ] = None,
    robustness: Annotated[
        float | None, typer.Option(help="Test the top ranking with this share of ties missing.")
    ] = None,
    nodes_out: Annotated[
        Path | None, typer.Option(help="Write every node's values to this CSV file.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Key players, cells, brokers and how far the ranking can be trusted."""
    chosen = _scope(scope, seed, depth, since, until, canonical, identifiers)
    network = _network(ctx, edges, purpose, justification, chosen)
    options = service.options_of(
        AnalysisIn(
            weighted=weighted,
            duplicates=duplicates,
            measures=[m.strip() for m in measures.split(",") if m.strip()],
            top=top,
            sample=sample,
            robustness_missing=robustness,
        )
    )
    with err.status(f"analysing {len(network.ids)} nodes…"):
        found = analysis.analyze(network, options)
    if nodes_out is not None:
        _write_nodes(network, found, nodes_out)
    if as_json:
        emit_json(found.to_dict())
        return
    _print_analysis(found.to_dict())


def _write_nodes(network: Network, found: analysis.Analysis, path: Path) -> None:
    import csv

    columns = service.node_columns(network, found)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["node", "label", *columns])
        for i, node in enumerate(network.ids):
            writer.writerow([node, network.label(i), *(columns[c][i] for c in columns)])


def _print_analysis(report: dict[str, Any]) -> None:
    summary = report["summary"]
    parts = summary["components"]
    out.print(
        f"{summary['nodes']} nodes, {summary['ties']} ties ({summary['edges']} edges), "
        f"{parts} component{'' if parts == 1 else 's'}, largest {summary['largest_component']}"
    )
    if "communities" in summary:
        cells = summary["communities"]
        out.print(f"{cells['count']} communities, modularity {cells['modularity']:.3f}")
    for name, rows in report["top"].items():
        # Nodes of an edge file have no label but their id: one column says it.
        labelled = any(row["label"] != row["node"] for row in rows)
        table = Table(title=f"top by {name}")
        table.add_column("node")
        if labelled:
            table.add_column("label")
        table.add_column(name, justify="right")
        for row in rows:
            names = [row["node"], row["label"]] if labelled else [row["node"]]
            table.add_row(*names, f"{row['value']:.6g}")
        out.print(table)
    if report["bridges"]:
        table = Table(title="bridges (ties by edge betweenness)")
        table.add_column("tie")
        table.add_column("edge betweenness", justify="right")
        for row in report["bridges"]:
            table.add_row(row["label"], f"{row['value']:.6g}")
        out.print(table)
    for groups, rows in report["brokers"].items():
        table = Table(title=f"brokers between {groups}")
        for column in ("node", "label", "brokerage", "gatekeeper", "liaison", "groups reached"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["node"],
                row["label"],
                str(row["brokerage"]),
                str(row["gatekeeper"]),
                str(row["liaison"]),
                str(row["groups_reached"]),
            )
        out.print(table)
    if report["robustness"]:
        r = report["robustness"]
        out.print(
            f"top {r['top']} by {r['measure']} with {r['missing']:.0%} of ties missing: "
            f"{r['overlap']:.0%} found again (95 % of resamples: "
            f"{r['overlap_low']:.0%}–{r['overlap_high']:.0%})"
        )


@network_app.command("disrupt")
@handles_errors
def disrupt(
    ctx: typer.Context,
    edges: Annotated[Path | None, typer.Argument(help="An edge file; else records.")] = None,
    strategy: Annotated[
        Strategy, typer.Option(help="degree, betweenness, katz, ci, pagerank or list.")
    ] = Strategy.betweenness,
    mode: Annotated[Mode, typer.Option(help="sequential or block.")] = Mode.sequential,
    block_size: Annotated[int, typer.Option(help="Nodes per block in block mode.")] = 5,
    steps: Annotated[int, typer.Option(help="At most this many steps.")] = 100,
    plan: Annotated[
        str | None, typer.Option(help="With --strategy list: node ids, comma-separated.")
    ] = None,
    weighted: WeightedOpt = False,
    duplicates: DuplicatesOpt = Duplicates.sum,
    purpose: PurposeOpt = None,
    justification: JustificationOpt = None,
    scope: ScopeOpt = None,
    seed: SeedOpt = None,
    depth: DepthOpt = 2,
    since: SinceOpt = None,
    until: UntilOpt = None,
    canonical: CanonicalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Simulate arrests: how fast does the network fall apart?"""
    if strategy is Strategy.planned and not plan:
        raise Invalid("--strategy list needs --plan with the planned arrests")
    network = _network(
        ctx, edges, purpose, justification, _scope(scope, seed, depth, since, until, canonical)
    )
    body = DisruptionIn(
        strategy=strategy,
        mode=mode,
        block_size=block_size,
        steps=steps,
        weighted=weighted,
        duplicates=duplicates,
        planned=[p.strip() for p in (plan or "").split(",") if p.strip()],
    )
    with err.status(f"disrupting {len(network.ids)} nodes by {strategy.value}…"):
        result = service.disrupt(network, body).to_dict()
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"disruption by {strategy.value}, {mode.value}")
    for column in ("step", "removed", "largest component", "components", "efficiency"):
        table.add_column(column)
    start = result["start"]
    table.add_row("0", "", "100%", str(start["components"]), f"{start['efficiency']:.4f}")
    for number, step in enumerate(result["steps"], start=1):
        table.add_row(
            str(number),
            ", ".join(step["removed"]),
            f"{step['lcc_ratio']:.0%}",
            str(step["components"]),
            f"{step['efficiency']:.4f}",
        )
    out.print(table)


@network_app.command("paths")
@handles_errors
def find_paths(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="From this record (or node) id.")],
    target: Annotated[str, typer.Argument(help="To this one.")],
    purpose: PurposeOpt = None,
    justification: JustificationOpt = None,
    mode: Annotated[
        str, typer.Option(help="shortest, k (the k shortest) or time (hops in date order).")
    ] = "shortest",
    k: Annotated[int, typer.Option(help="With --mode k: how many paths.")] = 3,
    after: Annotated[datetime | None, typer.Option(help="With --mode time: from this day.")] = None,
    scope: ScopeOpt = None,
    canonical: CanonicalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """How two people connect — by fewest hops, or in the order things happened."""
    context = AccessContext.of(purpose, justification)
    with err.status("searching the network…"), state(ctx).work() as (session, principal):
        found = service.paths_between(
            session,
            principal=principal,
            context=context,
            scope=_scope(scope, None, 2, None, None, canonical),
            source=source,
            target=target,
            mode=mode,
            k=k,
            after=as_utc(after),
            now=utcnow(),
        )
    if as_json:
        emit_json(found.model_dump(mode="json"))
        return
    if not found.paths:
        out.print(f"no {mode} path from {source} to {target}")
    labels = {n.id: n.label for n in found.chart.nodes}
    for path in found.paths:
        out.print(" → ".join(labels.get(n, n) for n in path))
    if mode == "time":
        for edge in found.chart.edges:
            out.print(f"  {edge.time}  {labels[edge.source]} – {labels[edge.target]} ({edge.kind})")
