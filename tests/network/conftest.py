"""Small graphs with known structure, as Palermo networks and as their networkx twins."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from palermo.network.graph import Duplicates, Network, Projection, edges_of, project


def network_of(graph: nx.Graph, *, weight: str | None = None) -> Network:
    """A Palermo network with the same nodes (in sorted order) and edges as `graph`."""
    ids = sorted(str(n) for n in graph.nodes)
    index = {node: i for i, node in enumerate(ids)}
    pairs = list(graph.edges(data=True))
    return Network(
        ids=ids,
        edges=edges_of(
            [index[str(u)] for u, _, _ in pairs],
            [index[str(v)] for _, v, _ in pairs],
            weight=[d.get(weight, 1.0) for *_, d in pairs] if weight else None,
        ),
    )


def projection_of(graph: nx.Graph, *, weight: str | None = None) -> Projection:
    return project(network_of(graph, weight=weight), Duplicates.sum)


def by_label(values: np.ndarray, network: Network) -> dict[str, float]:
    return {network.ids[i]: float(v) for i, v in enumerate(values)}


@pytest.fixture(params=["karate", "weighted-lesmis", "two-components"])
def graphs(request: pytest.FixtureRequest) -> tuple[nx.Graph, bool]:
    """(graph, weighted): a classic social network, a weighted one, a disconnected one."""
    if request.param == "karate":
        return nx.relabel_nodes(nx.karate_club_graph(), str), False
    if request.param == "weighted-lesmis":
        return nx.les_miserables_graph(), True
    twin = nx.disjoint_union(nx.barbell_graph(5, 2), nx.path_graph(6))
    return nx.relabel_nodes(twin, lambda n: f"n{n:02d}"), False
