"""The network an analysis runs on: nodes with what is known of them, and edges as the
evidence — each relationship, call or payment, typed, weighted, time-stamped and directed
where the relation is. Measures run on its simple undirected projection (one edge per pair
of nodes, tie strengths merged by a stated rule).

Columnar on purpose: a million nodes and ten million edges fit in numpy arrays, not in a
million Python objects.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import igraph as ig
import numpy as np

# What a node may carry besides its id (GraphML/GEXF attributes, the link chart's data).
NODE_ATTRIBUTES = ("label", "kind", "country", "access", "owner", "records")


class Duplicates(enum.StrEnum):
    """How repeated edges between the same two nodes become one tie: `sum` (default — ten
    calls make a stronger tie than one), `max`, `first` (file order) or `count` (the number
    of edges, whatever their weights)."""

    sum = "sum"
    max = "max"
    first = "first"
    count = "count"  # type: ignore[assignment]  # shadows str.count, harmlessly


@dataclass
class Edges:
    """Parallel arrays, one entry per edge (positions index `Network.ids`). Time is in
    seconds since the epoch, NaN when the evidence has no date."""

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    time: np.ndarray
    directed: np.ndarray
    kind: list[str] | None = None
    record: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.source)


@dataclass
class Network:
    ids: list[str]
    edges: Edges
    # Node attributes by name (see NODE_ATTRIBUTES), one value per node; absent for edge files.
    nodes: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index: dict[str, int] | None = None

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {node: i for i, node in enumerate(self.ids)}
        return self._index

    def attribute(self, name: str, node: int) -> Any:
        values = self.nodes.get(name)
        return values[node] if values is not None else None

    def label(self, node: int) -> str:
        return str(self.attribute("label", node) or self.ids[node])

    def countries(self) -> list[str | None] | None:
        return self.nodes.get("country")


def edges_of(
    source: Sequence[int] | np.ndarray,
    target: Sequence[int] | np.ndarray,
    *,
    weight: Sequence[float] | np.ndarray | None = None,
    time: Sequence[float] | np.ndarray | None = None,
    directed: Sequence[bool] | np.ndarray | None = None,
    kind: list[str] | None = None,
    record: list[str | None] | None = None,
) -> Edges:
    count = len(source)
    return Edges(
        source=np.asarray(source, dtype=np.int64),
        target=np.asarray(target, dtype=np.int64),
        weight=np.ones(count) if weight is None else np.asarray(weight, dtype=np.float64),
        time=np.full(count, np.nan) if time is None else np.asarray(time, dtype=np.float64),
        directed=(
            np.zeros(count, dtype=bool) if directed is None else np.asarray(directed, dtype=bool)
        ),
        kind=kind,
        record=record,
    )


@dataclass(frozen=True)
class Projection:
    """The simple undirected graph measures run on: vertex i is the network's node i; each
    edge has `weight` (tie strength) and `distance` (1 / strength, for weighted paths)."""

    graph: ig.Graph
    loops: int  # self-loops left out (a node calling itself says nothing of the network)
    merged: int  # repeated edges merged into the ties they repeat
    rule: Duplicates


def project(network: Network, rule: Duplicates = Duplicates.sum) -> Projection:
    edges = network.edges
    n = len(network.ids)
    keep = edges.source != edges.target
    loops = int(len(edges) - keep.sum())
    low = np.minimum(edges.source[keep], edges.target[keep])
    high = np.maximum(edges.source[keep], edges.target[keep])
    weight = edges.weight[keep]
    pairs, first, inverse = np.unique(low * n + high, return_index=True, return_inverse=True)
    merged_weight: np.ndarray
    if rule is Duplicates.sum:
        merged_weight = np.bincount(inverse, weights=weight, minlength=len(pairs))
    elif rule is Duplicates.max:
        merged_weight = np.zeros(len(pairs))
        np.maximum.at(merged_weight, inverse, weight)
    elif rule is Duplicates.count:
        merged_weight = np.bincount(inverse, minlength=len(pairs)).astype(np.float64)
    else:
        merged_weight = weight[first]
    graph = ig.Graph(n=n, edges=np.column_stack((pairs // n, pairs % n)), directed=False)
    graph.es["weight"] = merged_weight
    graph.es["distance"] = 1.0 / merged_weight
    return Projection(graph, loops=loops, merged=int(keep.sum() - len(pairs)), rule=rule)


def time_text(seconds: float) -> str | None:
    """An edge time as ISO 8601: a date when it has no time of day."""
    if np.isnan(seconds):
        return None
    moment = datetime.fromtimestamp(float(seconds), tz=UTC)
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.isoformat().replace("+00:00", "Z")


def epoch(moment: datetime) -> float:
    """Seconds since the epoch; a naive date-time is UTC, as everywhere in Palermo."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def timestamp(text: str) -> float:
    """ISO 8601 date or date-time (naive means UTC) as epoch seconds; ValueError otherwise."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return epoch(datetime.fromisoformat(value))
