"""Disruption: the same removals and figures as a networkx reference, deterministic."""

from __future__ import annotations

import networkx as nx
import pytest

from palermo.network import disruption
from palermo.network.disruption import Mode, Strategy
from tests.network.conftest import network_of, projection_of


def _reference(graph: nx.Graph, rank: str, per_step: int, steps: int) -> list[dict[str, object]]:
    """Remove the top nodes by networkx's measure (ties by label), recomputed per step."""
    current = graph.copy()
    n = graph.number_of_nodes()
    start = max(len(c) for c in nx.connected_components(graph))
    out = []
    for _ in range(steps):
        if current.number_of_edges() == 0:
            break
        scores = dict(current.degree()) if rank == "degree" else nx.betweenness_centrality(current)
        order = sorted(current, key=lambda v: (-round(scores[v], 12), v))
        removed = order[:per_step]
        current.remove_nodes_from(removed)
        kept = current.number_of_nodes()
        out.append(
            {
                "removed": removed,
                "lcc_ratio": max(len(c) for c in nx.connected_components(current)) / start,
                "components": nx.number_connected_components(current),
                "efficiency": nx.global_efficiency(current) * kept * (kept - 1) / (n * (n - 1)),
            }
        )
    return out


@pytest.mark.parametrize(
    ("strategy", "mode", "per_step"),
    [
        (Strategy.degree, Mode.sequential, 1),
        (Strategy.betweenness, Mode.sequential, 1),
        (Strategy.degree, Mode.block, 4),
    ],
)
def test_removals_and_figures_match_a_networkx_reference(
    strategy: Strategy, mode: Mode, per_step: int
) -> None:
    graph = nx.relabel_nodes(nx.les_miserables_graph(), lambda n: n.replace(" ", "_"))
    network = network_of(graph)
    result = disruption.simulate(
        projection_of(graph).graph,
        network.ids,
        strategy=strategy,
        mode=mode,
        block_size=per_step,
        steps=8,
    ).to_dict()
    if mode is Mode.block:
        # Block mode ranks once per block: the reference recomputes per removal, so compare
        # the first block with a one-shot ranking instead.
        degree = dict(graph.degree())
        assert result["steps"][0]["removed"] == sorted(graph, key=lambda v: (-degree[v], v))[:4]
        assert all(len(step["removed"]) == 4 for step in result["steps"])
        return
    expected = _reference(graph, strategy.value, per_step, 8)
    assert [s["removed"] for s in result["steps"]] == [e["removed"] for e in expected]
    for ours, theirs in zip(result["steps"], expected, strict=True):
        assert ours["lcc_ratio"] == pytest.approx(theirs["lcc_ratio"])
        assert ours["components"] == theirs["components"]
        assert ours["efficiency"] == pytest.approx(theirs["efficiency"])


@pytest.mark.parametrize("strategy", [s for s in Strategy if s is not Strategy.planned])
def test_every_strategy_is_deterministic_and_only_breaks_the_network(strategy: Strategy) -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), lambda n: f"k{n:02d}")
    network = network_of(graph)
    runs = [
        disruption.simulate(
            projection_of(graph).graph, network.ids, strategy=strategy, weighted=True, steps=10
        ).to_dict()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    ratios = [runs[0]["start"]["lcc_ratio"]] + [s["lcc_ratio"] for s in runs[0]["steps"]]
    assert ratios[0] == 1.0
    assert ratios == sorted(ratios, reverse=True)
    efficiencies = [s["efficiency"] for s in runs[0]["steps"]]
    assert efficiencies == sorted(efficiencies, reverse=True)


def test_planned_arrests_are_removed_in_the_analysts_order() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), lambda n: f"k{n:02d}")
    network = network_of(graph)
    plan = ["k33", "k00", "k32", "k02", "k01"]
    result = disruption.simulate(
        projection_of(graph).graph,
        network.ids,
        strategy=Strategy.planned,
        mode=Mode.block,
        block_size=2,
        planned=plan,
    )
    assert [removed for removed, _ in result.steps] == [plan[:2], plan[2:4], plan[4:]]
    with pytest.raises(ValueError, match="not in the network: nobody"):
        disruption.simulate(
            projection_of(graph).graph, network.ids, strategy=Strategy.planned, planned=["nobody"]
        )


def test_a_disconnected_network_stops_when_no_tie_is_left() -> None:
    graph = nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])
    network = network_of(graph)
    result = disruption.simulate(
        projection_of(graph).graph, network.ids, strategy=Strategy.degree, steps=50
    )
    assert result.start.components == 2
    assert result.start.lcc_ratio == 1.0
    assert [removed for removed, _ in result.steps] == [["d"], ["a"]]
    assert result.steps[-1][1].efficiency == 0.0
