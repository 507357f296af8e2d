"""Every centrality gives networkx's values on the same small graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from palermo.network import measures
from palermo.network.graph import Duplicates, Network, edges_of, project
from tests.network.conftest import by_label, network_of

TOLERANCE = {"rel": 1e-6, "abs": 1e-9}


def _twin(graph: nx.Graph, weighted: bool) -> tuple[Network, nx.Graph]:
    network = network_of(graph, weight="weight" if weighted else None)
    expected = nx.relabel_nodes(graph, str)
    if weighted:
        for _, _, data in expected.edges(data=True):
            data["distance"] = 1 / data["weight"]
    return network, expected


def _compare(ours: dict[str, float], theirs: dict[str, float]) -> None:
    assert ours.keys() == {str(k) for k in theirs}
    for node, value in theirs.items():
        assert ours[str(node)] == pytest.approx(value, **TOLERANCE), node


def test_degree_betweenness_closeness_pagerank(graphs: tuple[nx.Graph, bool]) -> None:
    graph, weighted = graphs
    network, expected = _twin(graph, weighted)
    g = project(network).graph
    weight = "weight" if weighted else None
    distance = "distance" if weighted else None

    _compare(by_label(measures.degree(g, weighted), network), dict(expected.degree(weight=weight)))
    _compare(
        by_label(measures.betweenness(g, weighted), network),
        nx.betweenness_centrality(expected, weight=distance),
    )
    _compare(
        by_label(measures.closeness(g, weighted), network),
        nx.closeness_centrality(expected, distance=distance),
    )
    _compare(
        by_label(measures.harmonic(g, weighted), network),
        nx.harmonic_centrality(expected, distance=distance),
    )
    _compare(
        by_label(measures.pagerank(g, weighted), network),
        nx.pagerank(expected, weight=weight, tol=1e-12),
    )
    _compare(by_label(measures.coreness(g), network), nx.core_number(expected))


def test_edge_betweenness(graphs: tuple[nx.Graph, bool]) -> None:
    graph, weighted = graphs
    network, expected = _twin(graph, weighted)
    g = project(network).graph
    values = measures.edge_betweenness(g, weighted)
    theirs = nx.edge_betweenness_centrality(expected, weight="distance" if weighted else None)
    for edge, value in zip(g.es, values, strict=True):
        u, v = network.ids[edge.source], network.ids[edge.target]
        assert value == pytest.approx(theirs.get((u, v), theirs.get((v, u))), **TOLERANCE)


def test_eigenvector_and_katz_on_connected_graphs() -> None:
    for graph, weighted in (
        (nx.relabel_nodes(nx.karate_club_graph(), str), False),
        (nx.les_miserables_graph(), True),
    ):
        network, expected = _twin(graph, weighted)
        g = project(network).graph
        weight = "weight" if weighted else None
        _compare(
            by_label(measures.eigenvector(g, weighted), network),
            nx.eigenvector_centrality_numpy(expected, weight=weight),
        )
        alpha = measures.katz_alpha(g, weighted)
        _compare(
            by_label(measures.katz(g, weighted, alpha=alpha), network),
            nx.katz_centrality_numpy(expected, alpha=alpha, weight=weight),
        )


def test_sampled_betweenness_estimates_and_is_exact_with_every_source() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    network, _ = _twin(graph, False)
    g = project(network).graph
    exact = measures.betweenness(g)
    assert measures.betweenness(g, sample=g.vcount()) == pytest.approx(exact)
    # Each pivot's dependencies, scaled by n / k: an unbiased estimate, same as networkx's.
    estimate = measures.betweenness(g, sample=20, seed=1)
    assert not np.allclose(estimate, exact)
    assert measures.betweenness(g, sample=20, seed=1) == pytest.approx(estimate)
    top = measures.ranking(exact, network.ids)[:2]
    assert set(measures.ranking(estimate, network.ids)[:4]) >= set(top)


def test_collective_influence_follows_its_definition() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    network, expected = _twin(graph, False)
    values = by_label(measures.collective_influence(project(network).graph), network)
    for node in expected:
        ball = nx.single_source_shortest_path_length(expected, node, cutoff=2)
        frontier = [j for j, d in ball.items() if d == 2]
        ci = (expected.degree(node) - 1) * sum(expected.degree(j) - 1 for j in frontier)
        assert values[node] == ci


def test_global_efficiency_matches_networkx_and_counts_removed_nodes() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    network = network_of(graph)
    g = project(network).graph
    assert measures.global_efficiency(g) == pytest.approx(nx.global_efficiency(graph))
    rest = g.copy()
    rest.delete_vertices([network.index["0"], network.index["33"]])
    smaller = graph.copy()
    smaller.remove_nodes_from(["0", "33"])
    n, kept = 34, 32
    assert measures.global_efficiency(rest, nodes=n) == pytest.approx(
        nx.global_efficiency(smaller) * kept * (kept - 1) / (n * (n - 1))
    )


def test_repeated_edges_merge_by_the_chosen_rule_and_self_loops_are_left_out() -> None:
    network = Network(
        ids=["a", "b", "c"],
        edges=edges_of([0, 1, 0, 2, 2], [1, 0, 1, 2, 0], weight=[2.0, 3.0, 1.0, 5.0, 4.0]),
    )
    expected = {
        Duplicates.sum: 6.0,
        Duplicates.max: 3.0,
        Duplicates.first: 2.0,
        Duplicates.count: 3.0,
    }
    for rule, weight in expected.items():
        projection = project(network, rule)
        assert projection.loops == 1
        assert projection.merged == 2
        assert projection.graph.ecount() == 2
        tie = projection.graph.get_eid(0, 1)
        assert projection.graph.es[tie]["weight"] == weight


def test_ranking_breaks_ties_by_label() -> None:
    values = np.array([1.0, 2.0, 1.0 + 1e-15, 2.0])
    assert measures.ranking(values, ["d", "c", "a", "b"]) == [3, 1, 2, 0]
