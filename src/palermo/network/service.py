"""Network analysis for an agency's officers and analysts: the graph of what policy lets
them see, analysed, charted, searched for paths, disrupted in simulation and exported —
each time logged with its purpose (LED Art. 25: combining records is processing)."""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.background import Progress, unobserved
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.linkage import service as linkage
from palermo.models.network import NetworkJob
from palermo.network import analysis, building, disruption, export, paths
from palermo.network.graph import Network, epoch, project, time_text
from palermo.network.schemas import (
    AnalysisIn,
    ChartEdge,
    ChartNode,
    ChartOut,
    DisruptionIn,
    JobIn,
    PathOut,
    ScopeIn,
)
from palermo.policy.records import AccessContext
from palermo.records.schemas import HitOut
from palermo.records.service import AUDIT_CHUNK, notify_owner_of_hit
from palermo.records.transfer import disclose, log_export
from palermo.translatable import N_

ANALYSTS = (Role.officer, Role.analyst, Role.supervisor)
# Schemata whose records entity resolution may have merged (canonical nodes).
RESOLVED = ("Person", "Organization", "Company", "LegalEntity")
CHART_MEASURES = ("degree", "betweenness", "pagerank")


def may_analyse(principal: Principal) -> None:
    if principal.private_partner or not (principal.is_operator or principal.has_role(*ANALYSTS)):
        raise Forbidden(N_("network analysis is done by officers, analysts and supervisors"))


@dataclass(frozen=True)
class Built:
    network: Network
    left_out: dict[str, int]


def build(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    scope: ScopeIn,
    now: datetime,
) -> Built:
    """The network of the scope, as the principal may see it; the records it shows are
    logged as consulted."""
    built = _build(session, principal=principal, context=context, scope=scope, now=now)
    log_shown(session, principal=principal, context=context, network=built.network, scope=scope)
    return built


def _build(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    scope: ScopeIn,
    now: datetime,
) -> Built:
    may_analyse(principal)
    network, left_out = building.build(
        session,
        principal=principal,
        context=context,
        scope=building.Scope(
            owners=directory.scope_agencies(session, scope.owners),
            seeds=scope.seeds,
            depth=scope.depth,
            since=scope.since,
            until=scope.until,
            identifiers=scope.identifiers,
            canonical=_canonical(session, principal, context, now) if scope.canonical else (),
        ),
        now=now,
    )
    return Built(network, left_out)


def log_shown(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    network: Network,
    scope: ScopeIn,
) -> None:
    """Log the records a network shows in full as combined (LED Art. 25); its hit-only
    nodes are hits, as in a search: logged, and their owners told who hit them."""
    shown, hits = consulted(network), hit_references(network)
    for start in range(0, max(len(shown), 1), AUDIT_CHUNK):
        audit(
            session,
            action="network.build",
            operation=Operation.combination,
            principal=principal,
            purpose=context.purpose,
            justification=context.justification,
            object_ids=shown[start : start + AUDIT_CHUNK],
            detail={
                "nodes": len(network.ids),
                "edges": len(network.edges),
                "seeds": list(scope.seeds),
                "depth": scope.depth if scope.seeds else None,
            },
        )
    for start in range(0, len(hits), AUDIT_CHUNK):
        audit(
            session,
            action="network.hit",
            operation=Operation.consultation,
            principal=principal,
            purpose=context.purpose,
            justification=context.justification,
            object_ids=[h.id for h in hits[start : start + AUDIT_CHUNK]],
        )
    for hit in hits:
        notify_owner_of_hit(session, principal, hit, context)


def paths_between(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    scope: ScopeIn,
    source: str,
    target: str,
    mode: str,
    k: int = 3,
    after: datetime | None = None,
    follow_direction: bool = False,
    now: datetime,
) -> PathOut:
    """Paths over everything the principal may see; only what the paths show is logged."""
    built = _build(session, principal=principal, context=context, scope=scope, now=now)
    found = find_paths(
        built.network,
        source=source,
        target=target,
        mode=mode,
        k=k,
        after=after,
        follow_direction=follow_direction,
    )
    log_shown(session, principal=principal, context=context, network=found.shown, scope=scope)
    return found.out


def hit_references(network: Network) -> list[HitOut]:
    """The records a network shows as hits only: reference, schema and owner."""
    access = network.nodes.get("access") or []
    return [
        HitOut(
            id=network.ids[i],
            schema=network.attribute("kind", i),
            owner_agency=network.attribute("owner", i),
        )
        for i in range(len(access))
        if access[i] == "hit"
    ]


def consulted(network: Network) -> list[str]:
    """The records a network shows in full: its nodes' records and its edges' evidence."""
    ids: set[str] = set()
    access = network.nodes.get("access") or []
    for i, records in enumerate(network.nodes.get("records") or []):
        if access[i] == "full":
            ids.update(records or [])
    ids.update(r for r in network.edges.record or [] if r)
    return sorted(ids)


def _canonical(
    session: Session, principal: Principal, context: AccessContext, now: datetime
) -> list[list[str]]:
    groups: list[list[str]] = []
    for schema in RESOLVED:
        try:
            found = linkage.clusters_of(
                session, principal=principal, context=context, schema=schema, now=now
            )
        except NotFound:
            continue  # no linkage run of this schema: its records stay as they are
        groups.extend(c.members for c in found if len(c.members) > 1)
    if not groups:
        raise Invalid(
            N_(
                "one node per entity needs your agency's entity resolution: run `palermo "
                "link run` first, or build without canonical entities"
            )
        )
    return groups


# What the link chart draws --------------------------------------------------------------
def chart(network: Network, *, weighted: bool = False) -> ChartOut:
    """Nodes with community and centralities (for colour and size), edges as evidence."""
    found = analysis.analyze(
        network,
        analysis.Options(weighted=weighted, measures=CHART_MEASURES, top=10),
    )
    nodes = [
        ChartNode(
            id=node,
            label=network.label(i),
            kind=network.attribute("kind", i),
            country=network.attribute("country", i),
            access=network.attribute("access", i),
            owner=network.attribute("owner", i),
            records=list(network.attribute("records", i) or []),
            community=found.membership[i] if found.membership else None,
            **{name: float(found.values[name][i]) for name in CHART_MEASURES},
        )
        for i, node in enumerate(network.ids)
    ]
    edges = network.edges
    return ChartOut(
        nodes=nodes,
        edges=[
            ChartEdge(
                id=f"e{e}",
                source=network.ids[edges.source[e]],
                target=network.ids[edges.target[e]],
                kind=edges.kind[e] if edges.kind else None,
                record=edges.record[e] if edges.record else None,
                time=time_text(edges.time[e]),
                directed=bool(edges.directed[e]),
                weight=float(edges.weight[e]),
            )
            for e in range(len(edges))
        ],
        summary={**found.summary, "top": found.top},
    )


@dataclass(frozen=True)
class Found:
    out: PathOut
    shown: Network  # the paths' nodes and evidence: what the answer reveals


def find_paths(
    network: Network,
    *,
    source: str,
    target: str,
    mode: str,
    k: int = 3,
    after: datetime | None = None,
    follow_direction: bool = False,
) -> Found:
    """Paths between two nodes of the network, and the chart of just those paths."""
    s, t = node_of(network, source), node_of(network, target)
    keep_edges: np.ndarray | None = None
    if s == t:
        found = [[s]]
    elif mode == "time":
        hops = paths.time_respecting(
            network,
            s,
            t,
            after=epoch(after) if after else None,
            follow_direction=follow_direction,
        )
        found = [[s, *(h.target for h in hops)]] if hops else []
        keep_edges = np.zeros(len(network.edges), dtype=bool)
        keep_edges[[h.edge for h in hops]] = True
    elif mode in ("shortest", "k"):
        graph = project(network).graph
        found = paths.k_shortest(graph, s, t, k) if mode == "k" else [paths.shortest(graph, s, t)]
        found = [p for p in found if p]
    else:
        raise Invalid(N_("unknown path mode %(mode)s; use shortest, k or time"), mode=repr(mode))
    on_path = sorted({n for p in found for n in p})
    cut = building.subnetwork(network, on_path, keep_edges)
    if mode != "time":
        cut = _path_edges(cut, found, network)
    return Found(PathOut(paths=[[network.ids[n] for n in p] for p in found], chart=chart(cut)), cut)


def node_of(network: Network, name: str) -> int:
    """A node by its id, or by a record it stands for (an entity merged by linkage)."""
    index = network.index
    if name in index:
        return index[name]
    for i, records in enumerate(network.nodes.get("records") or []):
        if name in (records or ()):
            return i
    raise NotFound(N_("no node %(name)s in the network you may see"), name=name)


def _path_edges(cut: Network, found: list[list[int]], network: Network) -> Network:
    """Only the evidence along the paths' hops, not every tie among their nodes."""
    hops = {
        frozenset((network.ids[a], network.ids[b])) for p in found for a, b in itertools.pairwise(p)
    }
    edges = cut.edges
    keep = np.array(
        [
            frozenset((cut.ids[edges.source[e]], cut.ids[edges.target[e]])) in hops
            for e in range(len(edges))
        ],
        dtype=bool,
    )
    return building.subnetwork(cut, range(len(cut.ids)), keep)


# Analysis and disruption -------------------------------------------------------------------
def options_of(body: AnalysisIn) -> analysis.Options:
    try:
        return analysis.Options(
            weighted=body.weighted,
            duplicates=body.duplicates,
            measures=tuple(body.measures),
            top=body.top,
            sample=body.sample,
            resolution=body.resolution,
            robustness_missing=body.robustness_missing,
            robustness_samples=body.robustness_samples,
            seed=body.seed,
        )
    except ValueError as error:
        raise Invalid(str(error)) from None


def disrupt(network: Network, body: DisruptionIn) -> disruption.Disruption:
    projection = project(network, body.duplicates)
    if projection.graph.ecount() == 0:
        raise Invalid(N_("the network has no ties to break (self-loops are left out)"))
    try:
        return disruption.simulate(
            projection.graph,
            network.ids,
            strategy=body.strategy,
            mode=body.mode,
            block_size=body.block_size,
            weighted=body.weighted,
            steps=body.steps,
            planned=body.planned,
        )
    except ValueError as error:
        raise Invalid(str(error)) from None


def node_columns(network: Network, found: analysis.Analysis) -> dict[str, Sequence[Any]]:
    """Analysis results as node columns for GraphML/GEXF (Gephi colours and sizes by them)."""
    columns: dict[str, Sequence[Any]] = {k: v.tolist() for k, v in found.values.items()}
    if found.membership is not None:
        columns["community"] = found.membership
    return columns


def export_file(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    built: Built,
    path: Path,
    options: analysis.Options,
    now: datetime,
) -> export.Format:
    """Write the network to `path` (format by extension). Files leave Palermo: every record
    in them is logged as disclosed to the analyst's agency; FtM holds full records only."""
    chosen = export.Format.of(path)
    if chosen is export.Format.ftm:
        entities = disclose(
            session, principal=principal, context=context, ids=consulted(built.network), now=now
        )
        with path.open("w", encoding="utf-8") as handle:
            for entity in entities:
                handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
        return chosen
    found = analysis.analyze(built.network, options)
    ids = consulted(built.network)
    log_export(session, principal=principal, context=context, ids=ids, now=now)
    return export.write(built.network, path, node_columns(built.network, found))


def export_bytes(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    built: Built,
    file_format: export.Format,
    options: analysis.Options,
    now: datetime,
) -> bytes:
    """The export as the bytes of a download (written through a temporary file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"network.{file_format.value}"
        export_file(
            session,
            principal=principal,
            context=context,
            built=built,
            path=path,
            options=options,
            now=now,
        )
        return path.read_bytes()


# Jobs ----------------------------------------------------------------------------------------
def submit(
    session: Session, *, principal: Principal, context: AccessContext, body: JobIn, now: datetime
) -> NetworkJob:
    may_analyse(principal)
    if principal.agency_id is None:
        raise Forbidden(N_("a network job belongs to an agency: act as one of its analysts"))
    directory.scope_agencies(session, body.scope.owners)  # refuse unknown agencies now
    options_of(body.analysis)
    job = NetworkJob(
        agency_id=principal.agency_id,
        username=principal.username,
        kind=body.kind,
        parameters=body.model_dump(mode="json", exclude={"purpose", "justification"}),
        purpose=context.purpose.value,
        justification=context.justification,
        status="queued",
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def execute(
    session: Session,
    *,
    job: NetworkJob,
    principal: Principal,
    now: datetime,
    progress: Progress = unobserved,
) -> None:
    body = JobIn.model_validate(
        {**job.parameters, "purpose": job.purpose, "justification": job.justification}
    )
    context = AccessContext.of(job.purpose, job.justification)
    then = {"analyze": "analysing", "disrupt": "disrupting"}.get(body.kind)
    progress("building", 0, 2 if then else 1)
    built = build(session, principal=principal, context=context, scope=body.scope, now=now)
    if then:
        progress(then, 1, 2)
    result: dict[str, Any] = {"left_out": built.left_out}
    if body.kind == "build":
        result["nodes"], result["edges"] = len(built.network.ids), len(built.network.edges)
    elif body.kind == "analyze":
        result.update(analysis.analyze(built.network, options_of(body.analysis)).to_dict())
    else:
        result.update(disrupt(built.network, body.disruption).to_dict())
    job.status, job.result, job.finished_at = "done", result, now
