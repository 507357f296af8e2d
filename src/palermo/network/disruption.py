"""Disruption simulation: which arrests would break the network apart?

Nodes are removed by a strategy — degree, betweenness, Katz, collective influence,
PageRank, or the analyst's list of planned arrests — either sequentially (the ranking is
computed again after each removal, as when each arrest is followed by new intelligence) or
in blocks of b (ranked once per block: a coordinated "police raid"). After each step:

- `lcc_ratio` — size of the largest connected component relative to the start;
- `components` — number of connected components among the remaining nodes;
- `efficiency` — global efficiency (mean inverse distance) averaged over the pairs of the
  *original* network, so removed nodes count as unreachable and the figure only falls.

Ties in a ranking go by node id (see `measures.ranking`): the same network, strategy and
mode always remove the same nodes in the same order.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np

from palermo.network import measures


class Strategy(enum.StrEnum):
    degree = "degree"
    betweenness = "betweenness"
    katz = "katz"
    ci = "ci"
    pagerank = "pagerank"
    planned = "list"


class Mode(enum.StrEnum):
    sequential = "sequential"
    block = "block"


SCORES: dict[Strategy, measures.Measure] = {
    Strategy.degree: measures.degree,
    Strategy.betweenness: measures.betweenness,
    Strategy.katz: measures.katz,
    Strategy.ci: measures.collective_influence,
    Strategy.pagerank: measures.pagerank,
}


@dataclass(frozen=True)
class State:
    lcc_ratio: float
    components: int
    efficiency: float


@dataclass
class Disruption:
    strategy: Strategy
    mode: Mode
    block_size: int
    weighted: bool
    start: State
    steps: list[tuple[list[str], State]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy.value,
            "mode": self.mode.value,
            "block_size": self.block_size,
            "weighted": self.weighted,
            "start": vars(self.start),
            "steps": [{"removed": removed, **vars(state)} for removed, state in self.steps],
        }


def simulate(
    graph: ig.Graph,
    names: list[str],
    *,
    strategy: Strategy,
    mode: Mode = Mode.sequential,
    block_size: int = 5,
    weighted: bool = False,
    steps: int = 100,
    planned: Sequence[str] = (),
) -> Disruption:
    """Remove nodes step by step (one per step, or `block_size` per step in block mode)
    until `steps` steps are done, the planned list is exhausted or no tie is left. `names`
    (node ids) name the removed nodes and break ties in the rankings."""
    if block_size < 1 or steps < 1:
        raise ValueError("block size and steps must be at least 1")
    per_step = 1 if mode is Mode.sequential else block_size
    current = graph.copy()
    current.vs["position"] = list(range(graph.vcount()))
    n = graph.vcount()
    start_lcc = _largest(current)
    result = Disruption(strategy, mode, per_step, weighted, _state(current, start_lcc, n, weighted))
    queue = _planned(names, planned) if strategy is Strategy.planned else []
    while len(result.steps) < steps and current.ecount() > 0:
        if strategy is Strategy.planned:
            chosen, queue = queue[:per_step], queue[per_step:]
            local = [current.vs["position"].index(p) for p in chosen]
        else:
            local = _targets(current, names, strategy, weighted, per_step)
        if not local:
            break
        removed = [names[current.vs[i]["position"]] for i in local]
        current.delete_vertices(local)
        result.steps.append((removed, _state(current, start_lcc, n, weighted)))
    return result


def _planned(names: list[str], planned: Sequence[str]) -> list[int]:
    index = {name: i for i, name in enumerate(names)}
    unknown = [p for p in planned if p not in index]
    if unknown:
        raise ValueError(f"planned arrests not in the network: {', '.join(unknown)}")
    if len(set(planned)) != len(planned):
        raise ValueError("a planned arrest is listed twice")
    return [index[p] for p in planned]


def _targets(
    current: ig.Graph, names: list[str], strategy: Strategy, weighted: bool, count: int
) -> list[int]:
    scores = SCORES[strategy](current, weighted)
    remaining = [names[p] for p in current.vs["position"]]
    return measures.ranking(np.asarray(scores), remaining)[:count]


def _largest(graph: ig.Graph) -> int:
    return max(graph.connected_components().sizes(), default=0)


def _state(graph: ig.Graph, start_lcc: int, nodes: int, weighted: bool) -> State:
    return State(
        lcc_ratio=_largest(graph) / start_lcc if start_lcc else 0.0,
        components=len(graph.connected_components()),
        efficiency=measures.global_efficiency(graph, weighted, nodes=nodes),
    )
