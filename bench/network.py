"""Benchmark of network analysis (issue: network), Palermo's own path beside networkx.

    D=/tmp/palermo-bench/network
    .venv/bin/python bench/network.py generate --nodes 1000000 --edges 10000000 --out $D/1m.csv
    .venv/bin/python bench/network.py large --edges-file $D/1m.csv
    .venv/bin/python bench/network.py exact
    .venv/bin/python bench/network.py disrupt

`generate` writes an edge file (`source,target,weight,time`) of a planted-partition network
with heavy-tailed degrees: nodes in communities of ~50, 80 % of edges inside a community,
endpoints drawn with Zipf-like weights so a few nodes are hubs — the shape of a criminal
network at national scale (many small cells, a few brokers), not a uniform random graph.

`large` times, on that file: reading and building the graph (`edgefile.read` +
`graph.project`: Arrow CSV, one id dictionary, numpy de-duplication, igraph), then
components + PageRank + Leiden, then betweenness sampled from 64 pivots — and networkx on
the same edges (each step given `--networkx-budget` seconds; what does not finish is
reported with the fraction done, never as a figure).

`exact` times exact betweenness on a 10,000-node / 50,000-edge network; `disrupt` a
100-step sequential disruption by betweenness on a 2,000-node network: Palermo's
`disruption.simulate` beside the same loop on networkx (recompute, remove, measure).

Timings are medians of `--repeat` runs (default 3) where a run is short; peak memory is the
process's maximum resident set. Results go to JSON with `--json FILE`.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from palermo.network import communities, disruption, edgefile, measures
from palermo.network.graph import Duplicates, Network, edges_of, project

SEED = 2026
PIVOTS = 32


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median seconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


class OutOfTime(Exception):
    pass


@contextmanager
def budget(seconds: int) -> Iterator[None]:
    """Stop pure-Python work (networkx) after `seconds` (SIGALRM, between bytecodes)."""

    def expire(_signum: int, _frame: object) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def planted(nodes: int, edges: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Endpoints of a planted-partition network with heavy-tailed degrees (duplicates and
    self-loops included, as in real evidence)."""
    rng = np.random.default_rng(seed)
    community = 50
    # Zipf-like activity: the i-th node of each community is drawn ∝ 1 / (i + 1).
    activity = 1.0 / (np.arange(nodes) % community + 1)
    activity /= activity.sum()
    source = rng.choice(nodes, size=edges, p=activity)
    inside = rng.random(edges) < 0.8
    offset = rng.choice(community, size=edges, p=activity[:community] / activity[:community].sum())
    same = (source // community) * community + offset
    target = np.where(
        inside, np.minimum(same, nodes - 1), rng.choice(nodes, size=edges, p=activity)
    )
    return source, target


def generate(args: argparse.Namespace) -> None:
    source, target = planted(args.nodes, args.edges)
    rng = np.random.default_rng(SEED + 1)
    start = np.datetime64("2022-01-01T00:00:00")
    times = start + rng.integers(0, 3 * 365 * 86400, size=args.edges).astype("timedelta64[s]")
    table = pa.table(
        {
            "source": pa.array(np.char.add("n", source.astype(str))),
            "target": pa.array(np.char.add("n", target.astype(str))),
            "weight": pa.array(rng.integers(1, 6, size=args.edges)),
            "time": pa.array(np.datetime_as_string(times, unit="s")),
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, args.out)
    print(f"{args.out}: {args.nodes:,} nodes, {args.edges:,} edges")


def _networkx_step(label: str, seconds: int, step: Callable[[], Any]) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with budget(seconds):
            step()
    except OutOfTime:
        return {"step": label, "seconds": None, "note": f"not done in {seconds} s"}
    return {"step": label, "seconds": time.perf_counter() - start}


def large(args: argparse.Namespace) -> None:
    report: dict[str, Any] = {"file": str(args.edges_file)}
    load, network = timed(lambda: edgefile.read(args.edges_file))
    build, projection = timed(lambda: project(network, Duplicates.sum))  # noqa: F821
    graph = projection.graph
    report["graph"] = {"nodes": graph.vcount(), "ties": graph.ecount(), "edges": len(network.edges)}
    report["read_seconds"], report["build_seconds"] = load, build
    analyse: dict[str, float] = {}
    analyse["components"], _ = timed(lambda: graph.connected_components())
    analyse["pagerank"], _ = timed(lambda: measures.pagerank(graph))
    analyse["leiden"], found = timed(lambda: communities.leiden(graph, seed=1))
    report["palermo"] = analyse | {
        "together": sum(analyse.values()),
        "modularity": found.modularity,
        "communities": len(found.sizes),
        "sampled_betweenness": timed(lambda: measures.betweenness(graph, sample=PIVOTS))[0],
        "peak_mib": peak_mib(),
    }
    print(json.dumps(report, indent=2))
    if args.networkx_budget == 0:
        _finish(report, args)
        return
    edges = np.column_stack((network.edges.source, network.edges.target))
    del network, projection
    steps = []
    holder: dict[str, nx.Graph] = {}

    def load_networkx() -> None:
        holder["g"] = nx.Graph()
        holder["g"].add_edges_from(edges.tolist())

    steps.append(_networkx_step("build", args.networkx_budget, load_networkx))
    if "g" in holder and steps[-1]["seconds"] is not None:
        g = holder["g"]
        steps.append(
            _networkx_step(
                "components", args.networkx_budget, lambda: list(nx.connected_components(g))
            )
        )
        steps.append(_networkx_step("pagerank", args.networkx_budget, lambda: nx.pagerank(g)))
        steps.append(
            _networkx_step(
                "louvain", args.networkx_budget, lambda: nx.community.louvain_communities(g, seed=1)
            )
        )
        # One pivot's cost, to say what 64 would take.
        steps.append(
            _networkx_step(
                "betweenness, 1 pivot",
                args.networkx_budget,
                lambda: nx.betweenness_centrality(g, k=1, seed=1),
            )
        )
    report["networkx"] = steps
    report["peak_mib"] = peak_mib()
    _finish(report, args)


def _random_network(nodes: int, edges: int) -> Network:
    source, target = planted(nodes, edges * 2, seed=SEED + nodes)
    keep = source != target
    pairs = np.unique(np.sort(np.column_stack((source[keep], target[keep])), axis=1), axis=0)
    pairs = pairs[np.random.default_rng(SEED).permutation(len(pairs))[:edges]]
    return Network(ids=[f"n{i}" for i in range(nodes)], edges=edges_of(pairs[:, 0], pairs[:, 1]))


def _as_networkx(network: Network) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(network.ids)
    graph.add_edges_from(
        (network.ids[s], network.ids[t])
        for s, t in zip(network.edges.source, network.edges.target, strict=True)
    )
    return graph


def exact(args: argparse.Namespace) -> None:
    network = _random_network(10_000, 50_000)
    graph = project(network).graph
    ours, values = timed(lambda: measures.betweenness(graph), args.repeat)
    twin = _as_networkx(network)
    theirs, reference = timed(lambda: nx.betweenness_centrality(twin), 1)
    gap = max(abs(values[i] - reference[node]) for i, node in enumerate(network.ids))
    _finish(
        {
            "graph": {"nodes": graph.vcount(), "ties": graph.ecount()},
            "palermo_seconds": ours,
            "networkx_seconds": theirs,
            "ratio": theirs / ours,
            "largest_difference": gap,
        },
        args,
    )


def _networkx_disruption(graph: nx.Graph, steps: int) -> None:
    """The same loop on networkx: rank by betweenness, remove the top node, measure."""
    current = graph.copy()
    for _ in range(steps):
        scores = nx.betweenness_centrality(current)
        top = sorted(current, key=lambda v: (-round(scores[v], 12), v))[0]
        current.remove_node(top)
        max(len(c) for c in nx.connected_components(current))
        nx.number_connected_components(current)
        nx.global_efficiency(current)


def disrupt(args: argparse.Namespace) -> None:
    network = _random_network(2_000, 8_000)
    graph = project(network).graph
    ours, result = timed(
        lambda: disruption.simulate(
            graph, network.ids, strategy=disruption.Strategy.betweenness, steps=100
        ),
        args.repeat,
    )
    twin = _as_networkx(network)
    sample = args.networkx_steps
    theirs, _ = timed(lambda: _networkx_disruption(twin, sample), 1)
    _finish(
        {
            "graph": {"nodes": graph.vcount(), "ties": graph.ecount()},
            "palermo_seconds_100_steps": ours,
            "lcc_ratio_after_100": result.steps[-1][1].lcc_ratio,
            "networkx_seconds": {"steps": sample, "seconds": theirs},
            "networkx_100_steps_estimate": theirs * 100 / sample,
            "ratio_estimate": theirs * 100 / sample / ours,
        },
        args,
    )


def _finish(report: dict[str, Any], args: argparse.Namespace) -> None:
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--repeat", type=int, default=3)
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("generate")
    made.add_argument("--nodes", type=int, default=1_000_000)
    made.add_argument("--edges", type=int, default=10_000_000)
    made.add_argument("--out", type=Path, required=True)
    made.set_defaults(run=generate)
    big = commands.add_parser("large")
    big.add_argument("--edges-file", type=Path, required=True)
    big.add_argument(
        "--networkx-budget", type=int, default=600, help="seconds per step; 0: no networkx"
    )
    big.set_defaults(run=large)
    commands.add_parser("exact").set_defaults(run=exact)
    disrupted = commands.add_parser("disrupt")
    disrupted.add_argument("--networkx-steps", type=int, default=5)
    disrupted.set_defaults(run=disrupt)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
