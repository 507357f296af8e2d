"""How far to trust a top-k ranking when the network is incomplete — and intelligence
networks always are. Resample: drop a share of ties at random, rank again, and see how
much of the top k stays (Borgatti, Carley and Krackhardt 2006 on centrality under missing
data). Seeded, so a report can be reproduced."""

from __future__ import annotations

import math
from dataclasses import dataclass

import igraph as ig
import numpy as np

from palermo.network.measures import MEASURES, ranking

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Retention:
    node: int
    rate: float  # share of resamples in which the node stayed in the top k
    low: float  # Wilson 95 % interval of that share
    high: float


@dataclass(frozen=True)
class Robustness:
    measure: str
    top: int
    missing: float
    samples: int
    overlap: float  # mean share of the top k found again
    overlap_low: float  # 2.5th and 97.5th percentiles over the resamples
    overlap_high: float
    nodes: list[Retention]


def robustness(
    graph: ig.Graph,
    labels: list[str],
    *,
    measure: str = "betweenness",
    weighted: bool = False,
    top: int = 10,
    missing: float = 0.1,
    samples: int = 50,
    seed: int = 0,
) -> Robustness:
    if not 0 < missing < 1:
        raise ValueError("the missing share of ties is between 0 and 1")
    if samples < 1 or top < 1:
        raise ValueError("samples and top must be at least 1")
    rank = MEASURES[measure]
    k = min(top, graph.vcount())
    reference = ranking(rank(graph, weighted), labels)[:k]
    rng = np.random.default_rng(seed)
    kept = np.zeros(k)
    overlaps = []
    # At least one tie goes, or a small network would be "robust" by testing nothing.
    dropped = max(1, round(missing * graph.ecount()))
    for _ in range(samples):
        thinned = graph.copy()
        thinned.delete_edges(rng.choice(graph.ecount(), size=dropped, replace=False).tolist())
        again = set(ranking(rank(thinned, weighted), labels)[:k])
        found = np.array([node in again for node in reference])
        kept += found
        overlaps.append(found.mean())
    return Robustness(
        measure=measure,
        top=k,
        missing=missing,
        samples=samples,
        overlap=float(np.mean(overlaps)),
        overlap_low=float(np.percentile(overlaps, 2.5)),
        overlap_high=float(np.percentile(overlaps, 97.5)),
        nodes=[
            Retention(node, *_wilson(int(hits), samples))
            for node, hits in zip(reference, kept, strict=True)
        ],
    )


def _wilson(hits: int, trials: int) -> tuple[float, float, float]:
    rate = hits / trials
    centre = (rate + Z95**2 / (2 * trials)) / (1 + Z95**2 / trials)
    spread = Z95 * math.sqrt(rate * (1 - rate) / trials + Z95**2 / (4 * trials**2))
    spread /= 1 + Z95**2 / trials
    # Clamped to the rate itself: at 0 or 1 the bounds equal it up to rounding.
    return rate, min(rate, max(0.0, centre - spread)), max(rate, min(1.0, centre + spread))
