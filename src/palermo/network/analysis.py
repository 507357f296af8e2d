"""One analysis of a network, as an analyst reads it: size and shape, key players by each
chosen measure, cells (communities) and the brokers between them and between countries,
and how far the top of the ranking can be trusted. The CLI, the API jobs and the link chart
all call `analyze`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import igraph as ig
import numpy as np

from palermo.network import brokers, communities, measures, robustness
from palermo.network.graph import Duplicates, Network, Projection, project

DEFAULT_MEASURES = ("degree", "betweenness", "pagerank", "katz", "coreness")
# Above this many nodes exact betweenness (one search per node) is out of reach: sample
# as many pivots as ~300 million tie visits allow (32 on 10M ties, about a minute on the
# benchmark machine), and never fewer than 32.
EXACT_BETWEENNESS_NODES = 50_000
SAMPLE_WORK = 300_000_000
MIN_SAMPLE = 32


@dataclass(frozen=True)
class Options:
    weighted: bool = False
    duplicates: Duplicates = Duplicates.sum
    measures: tuple[str, ...] = DEFAULT_MEASURES
    top: int = 10
    sample: int | None = None  # betweenness pivots; None = exact up to EXACT_BETWEENNESS_NODES
    communities: bool = True
    resolution: float = 1.0
    robustness_missing: float | None = None  # share of ties to drop, e.g. 0.1
    robustness_samples: int = 50
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [m for m in self.measures if m not in measures.MEASURES]
        if unknown:
            known = ", ".join(measures.MEASURES)
            raise ValueError(f"unknown measure(s) {', '.join(unknown)}; known: {known}")
        if self.top < 1:
            raise ValueError("top must be at least 1")


@dataclass
class Analysis:
    summary: dict[str, Any]
    top: dict[str, list[dict[str, Any]]]
    values: dict[str, np.ndarray] = field(repr=False)
    bridges: list[dict[str, Any]] = field(default_factory=list)  # ties by edge betweenness
    membership: list[int] | None = None
    brokers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    robustness: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "top": self.top,
            "bridges": self.bridges,
            "brokers": self.brokers,
            "robustness": self.robustness,
        }


def analyze(network: Network, options: Options) -> Analysis:
    projection = project(network, options.duplicates)
    graph = projection.graph
    labels = [network.label(i) for i in range(len(network.ids))]
    values: dict[str, np.ndarray] = {}
    sampled = None
    for name in options.measures:
        if name == "betweenness":
            sampled = _sample(graph.vcount(), graph.ecount(), options.sample)
            values[name] = measures.betweenness(
                graph, options.weighted, sample=sampled, seed=options.seed
            )
        else:
            values[name] = measures.MEASURES[name](graph, options.weighted)
    result = Analysis(
        summary=_summary(network, projection, sampled),
        top={name: _top(network, labels, v, options.top) for name, v in values.items()},
        values=values,
    )
    if "betweenness" in values and graph.ecount():
        result.bridges = _bridges(network, labels, graph, options, sampled)
    if options.communities and graph.ecount():
        found = communities.leiden(
            graph, options.weighted, resolution=options.resolution, seed=options.seed
        )
        result.membership = found.membership
        result.summary["communities"] = {
            "count": len(found.sizes),
            "modularity": found.modularity,
            "largest": found.sizes[:10],
        }
        result.brokers["communities"] = _brokers(
            network, labels, brokers.brokerage(graph, found.membership), options.top
        )
    countries = network.countries()
    if countries and any(countries):
        result.brokers["countries"] = _brokers(
            network, labels, brokers.brokerage(graph, countries), options.top
        )
    if options.robustness_missing is not None and graph.ecount():
        measure = "betweenness" if "betweenness" in values else options.measures[0]
        report = robustness.robustness(
            graph,
            labels,
            measure=measure,
            weighted=options.weighted,
            top=options.top,
            missing=options.robustness_missing,
            samples=options.robustness_samples,
            seed=options.seed,
        )
        result.robustness = {
            **{k: v for k, v in asdict(report).items() if k != "nodes"},
            "nodes": [
                {**_node(network, labels, r.node), "rate": r.rate, "low": r.low, "high": r.high}
                for r in report.nodes
            ],
        }
    return result


def _sample(nodes: int, ties: int, requested: int | None) -> int | None:
    if requested is not None:
        return requested if requested < nodes else None
    if nodes <= EXACT_BETWEENNESS_NODES:
        return None
    return max(MIN_SAMPLE, min(nodes, SAMPLE_WORK // max(ties, 1)))


def _summary(network: Network, projection: Projection, sampled: int | None) -> dict[str, Any]:
    graph = projection.graph
    components = graph.connected_components()
    n = graph.vcount()
    return {
        "nodes": n,
        "edges": len(network.edges),
        "ties": graph.ecount(),
        "self_loops_left_out": projection.loops,
        "repeated_edges_merged": projection.merged,
        "duplicates_rule": projection.rule.value,
        "density": graph.density() if n > 1 else 0.0,
        "components": len(components),
        "largest_component": max(components.sizes(), default=0),
        "betweenness_sample": sampled,
    }


def _node(network: Network, labels: list[str], i: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"node": network.ids[i], "label": labels[i]}
    for name in ("kind", "country", "access"):
        value = network.attribute(name, i)
        if value is not None:
            entry[name] = value
    return entry


def _top(network: Network, labels: list[str], values: np.ndarray, k: int) -> list[dict[str, Any]]:
    return [
        {**_node(network, labels, i), "value": float(values[i])}
        for i in measures.ranking(values, labels)[:k]
    ]


def _bridges(
    network: Network,
    labels: list[str],
    graph: ig.Graph,
    options: Options,
    sampled: int | None,
) -> list[dict[str, Any]]:
    """The ties whose loss cuts most shortest paths (edge betweenness), strongest first."""
    values = measures.edge_betweenness(graph, options.weighted, sample=sampled, seed=options.seed)
    ends = graph.get_edgelist()
    names = [f"{labels[a]} – {labels[b]}" for a, b in ends]
    return [
        {
            "source": network.ids[ends[e][0]],
            "target": network.ids[ends[e][1]],
            "label": names[e],
            "value": float(values[e]),
        }
        for e in measures.ranking(values, names)[: options.top]
    ]


def _brokers(
    network: Network, labels: list[str], roles: brokers.Brokerage, k: int
) -> list[dict[str, Any]]:
    ranked = [i for i in measures.ranking(roles.total, labels)[:k] if roles.total[i] > 0]
    return [
        {
            **_node(network, labels, i),
            "brokerage": int(roles.total[i]),
            "gatekeeper": int(roles.gatekeeper[i]),
            "liaison": int(roles.liaison[i]),
            "groups_reached": int(roles.groups_reached[i]),
            "participation": float(roles.participation[i]),
        }
        for i in ranked
    ]
