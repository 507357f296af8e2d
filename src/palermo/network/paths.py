"""How two people connect: shortest paths, the k shortest, ego networks, and
time-respecting paths (i2's "Find Path" with date ordering) where each hop happens after
the one before — the order in which an instruction or a payment could actually travel."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import igraph as ig
import numpy as np

from palermo.network.graph import Network


def shortest(graph: ig.Graph, source: int, target: int, weighted: bool = False) -> list[int]:
    """Fewest hops (or least distance, 1 / tie strength, when weighted); [] if none."""
    with _unreachable_is_an_answer():
        path = graph.get_shortest_path(
            source, to=target, weights="distance" if weighted else None, mode="all"
        )
    return list(path) if path and path[-1] == target else []


def k_shortest(
    graph: ig.Graph, source: int, target: int, k: int, weighted: bool = False
) -> list[list[int]]:
    """Up to k loopless paths, shortest first (Yen's algorithm)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    with _unreachable_is_an_answer():
        found = graph.get_k_shortest_paths(
            source, to=target, k=k, weights="distance" if weighted else None, mode="all"
        )
    return [list(p) for p in found if p]


@contextmanager
def _unreachable_is_an_answer() -> Iterator[None]:
    """igraph warns when a target is out of reach; here that is the answer, not a fault."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Couldn't reach some vertices", RuntimeWarning)
        yield


def ego(graph: ig.Graph, seeds: Sequence[int], depth: int) -> list[int]:
    """The seeds and every node within `depth` hops of one of them, in node order."""
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    reached: set[int] = set()
    for ball in graph.neighborhood(list(seeds), order=depth):
        reached.update(ball)
    return sorted(reached)


@dataclass(frozen=True)
class Hop:
    source: int
    target: int
    time: float
    edge: int  # position in Network.edges (which record is the evidence)


def time_respecting(
    network: Network,
    source: int,
    target: int,
    *,
    after: float | None = None,
    follow_direction: bool = False,
) -> list[Hop]:
    """The earliest-arriving path from source to target whose hops are strictly later
    each than the one before (and than `after`, if given); [] if there is none.

    One pass over the dated edges in time order (Wu et al. 2014): a node is reached at the
    time of the first edge that leaves an already-reached node later than it was reached.
    Edges without a date cannot be ordered and take no part. Directed relations (a payment,
    a call) are followed backwards too unless `follow_direction` is set.
    """
    edges = network.edges
    dated = np.flatnonzero(~np.isnan(edges.time))
    order = dated[np.argsort(edges.time[dated], kind="stable")]
    arrival: dict[int, float] = {source: -math.inf if after is None else after}
    parent: dict[int, tuple[int, int]] = {}
    for e in order.tolist():
        when = float(edges.time[e])
        ends = [(int(edges.source[e]), int(edges.target[e]))]
        if not (follow_direction and edges.directed[e]):
            ends.append((ends[0][1], ends[0][0]))
        for u, v in ends:
            if u != v and arrival.get(u, math.inf) < when and v not in arrival:
                arrival[v] = when
                parent[v] = (u, e)
        if target in arrival and target != source:
            break
    if target not in parent:
        return []
    hops: list[Hop] = []
    node = target
    while node != source:
        previous, e = parent[node]
        hops.append(Hop(previous, node, float(edges.time[e]), e))
        node = previous
    return hops[::-1]
