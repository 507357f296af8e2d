"""Communities, paths, brokers and ranking robustness on graphs whose answer is known."""

from __future__ import annotations

import itertools
import warnings

import networkx as nx
import pytest

from palermo.network import analysis, brokers, communities, paths, robustness
from palermo.network.graph import Network, edges_of, project
from tests.network.conftest import network_of, projection_of


def test_leiden_finds_the_cells_of_a_ring_of_cliques_like_networkx_louvain() -> None:
    ring = nx.relabel_nodes(nx.ring_of_cliques(6, 5), lambda n: f"p{n:02d}")
    network = network_of(ring)
    graph = project(network).graph
    found = communities.leiden(graph, seed=3)
    ours = {
        frozenset(network.ids[i] for i, c in enumerate(found.membership) if c == k)
        for k in set(found.membership)
    }
    theirs = {frozenset(c) for c in nx.community.louvain_communities(ring, seed=3)}
    assert ours == theirs
    assert found.modularity == pytest.approx(nx.community.modularity(ring, theirs))
    assert found.sizes == [5] * 6
    assert communities.leiden(graph, seed=3) == found  # seeded: the same cells every time


def test_weighted_modularity_matches_networkx() -> None:
    graph = nx.les_miserables_graph()
    network = network_of(graph, weight="weight")
    found = communities.leiden(project(network).graph, weighted=True, seed=1)
    parts = [
        {network.ids[i] for i, c in enumerate(found.membership) if c == k}
        for k in range(len(found.sizes))
    ]
    assert found.modularity == pytest.approx(nx.community.modularity(graph, parts, weight="weight"))
    assert found.sizes == sorted(found.sizes, reverse=True)


def test_shortest_and_k_shortest_paths_match_networkx() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    network = network_of(graph)
    g = project(network).graph
    ix = network.index
    path = [network.ids[i] for i in paths.shortest(g, ix["16"], ix["25"])]
    assert len(path) == nx.shortest_path_length(graph, "16", "25") + 1
    assert path[0] == "16"
    assert path[-1] == "25"
    expected = list(itertools.islice(nx.shortest_simple_paths(graph, "16", "25"), 5))
    found = [[network.ids[i] for i in p] for p in paths.k_shortest(g, ix["16"], ix["25"], 5)]
    assert [len(p) for p in found] == [len(p) for p in expected]
    assert all(nx.is_simple_path(graph, p) for p in found)
    assert paths.shortest(g, ix["16"], ix["16"]) == [ix["16"]]


def test_no_path_between_components() -> None:
    network = Network(ids=["a", "b", "c", "d"], edges=edges_of([0, 2], [1, 3]))
    g = project(network).graph
    assert paths.shortest(g, 0, 3) == []
    assert paths.k_shortest(g, 0, 3, 3) == []


def test_ego_network_to_depth_k_is_networkx_ego_graph() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    network = network_of(graph)
    g = project(network).graph
    for depth in (0, 1, 2):
        ours = {network.ids[i] for i in paths.ego(g, [network.index["16"]], depth)}
        assert ours == set(nx.ego_graph(graph, "16", radius=depth))


def _brute_time_respecting(edges: list[tuple[str, str, int]], s: str, t: str) -> int | None:
    """Earliest arrival over every simple path whose hop times strictly increase."""
    graph = nx.MultiGraph()
    for u, v, when in edges:
        graph.add_edge(u, v, time=when)
    best = None
    for path in nx.all_simple_edge_paths(graph, s, t):
        times = [graph.edges[e]["time"] for e in path]
        if all(a < b for a, b in itertools.pairwise(times)):
            best = times[-1] if best is None else min(best, times[-1])
    return best


def test_time_respecting_path_is_the_earliest_arrival_with_hops_in_order() -> None:
    # a–b at 5 then b–d at 3 is not possible in time; a–c at 1, c–b at 2, b–d at 3 is.
    edges = [("a", "b", 5), ("b", "d", 3), ("a", "c", 1), ("c", "b", 2), ("d", "e", 9)]
    edges += [("b", "d", 8), ("c", "e", 1)]
    ids = sorted({x for u, v, _ in edges for x in (u, v)})
    ix = {n: i for i, n in enumerate(ids)}
    network = Network(
        ids=ids,
        edges=edges_of(
            [ix[u] for u, _, _ in edges], [ix[v] for _, v, _ in edges], time=[t for *_, t in edges]
        ),
    )
    for target in ("b", "d", "e"):
        hops = paths.time_respecting(network, ix["a"], ix[target])
        assert hops, target
        times = [h.time for h in hops]
        assert times == sorted(set(times))  # strictly later each hop
        assert hops[0].source == ix["a"]
        assert hops[-1].target == ix[target]
        assert times[-1] == _brute_time_respecting(edges, "a", target)
    # c–e at 1 cannot follow a–c at 1: the only way to e is through d at 9.
    assert [ids[h.target] for h in paths.time_respecting(network, ix["a"], ix["e"])] == [
        "c",
        "b",
        "d",
        "e",
    ]
    assert paths.time_respecting(network, ix["a"], ix["e"], after=5) == []


def test_time_respecting_paths_follow_direction_when_asked() -> None:
    network = Network(
        ids=["payer", "mule", "boss"],
        edges=edges_of([1, 1], [0, 2], time=[1, 2], directed=[True, True]),
    )
    assert len(paths.time_respecting(network, 0, 2)) == 2
    assert paths.time_respecting(network, 0, 2, follow_direction=True) == []


def test_brokerage_roles_match_a_count_over_all_contact_pairs() -> None:
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    network = network_of(graph)
    g = project(network).graph
    club = nx.get_node_attributes(nx.karate_club_graph(), "club")
    groups = [club[int(node)] if int(node) % 7 else None for node in network.ids]
    found = brokers.brokerage(g, groups)
    for v, node in enumerate(network.ids):
        gate = liaison = 0
        for a, c in itertools.combinations(graph[node], 2):
            ga, gc = groups[network.index[a]], groups[network.index[c]]
            if ga is None or gc is None or ga == gc or graph.has_edge(a, c):
                continue
            if groups[v] in (ga, gc):
                gate += 1
            else:
                liaison += 1
        assert (found.gatekeeper[v], found.liaison[v]) == (gate, liaison), node


def test_a_cross_border_broker_stands_out() -> None:
    # Two national cliques joined only through "broker", who is of a third country.
    graph = nx.Graph()
    graph.add_edges_from(itertools.combinations(["nl1", "nl2", "nl3", "nl4"], 2))
    graph.add_edges_from(itertools.combinations(["co1", "co2", "co3", "co4"], 2))
    graph.add_edges_from([("broker", "nl1"), ("broker", "co1"), ("nl1", "co1")])
    network = network_of(graph)
    countries = [{"n": "NL", "c": "CO", "b": "ES"}[node[0]] for node in network.ids]
    found = brokers.brokerage(project(network).graph, countries)
    best = max(range(len(network.ids)), key=lambda i: found.total[i])
    assert network.ids[best] in {"nl1", "co1"}  # gatekeepers of their countries
    assert found.liaison[network.index["broker"]] == 0  # nl1 and co1 are tied directly
    assert found.groups_reached[network.index["broker"]] == 2


def test_robustness_of_a_tiny_network_drops_at_least_one_tie() -> None:
    projection = projection_of(nx.path_graph(4))
    labels = [str(v) for v in range(4)]
    report = robustness.robustness(projection.graph, labels, top=1, missing=0.1, samples=20)
    assert report.overlap < 1  # the centre of a path loses its place when a tie goes


def test_a_path_search_leaves_the_warning_filters_as_they_were() -> None:
    before = list(warnings.filters)
    network = Network(ids=["a", "b", "c"], edges=edges_of([0], [1]))
    assert paths.shortest(project(network).graph, 0, 2) == []
    assert list(warnings.filters) == before


def test_ranking_robustness_is_seeded_and_bounded() -> None:
    projection = projection_of(nx.relabel_nodes(nx.karate_club_graph(), str))
    labels = [str(v) for v in range(projection.graph.vcount())]
    report = robustness.robustness(projection.graph, labels, top=5, missing=0.2, samples=30)
    again = robustness.robustness(projection.graph, labels, top=5, missing=0.2, samples=30)
    assert report == again
    assert 0 < report.overlap_low <= report.overlap <= report.overlap_high <= 1
    assert len(report.nodes) == 5
    assert all(r.low <= r.rate <= r.high for r in report.nodes)
    # The two leaders of the karate club keep their place however the ties are thinned.
    assert report.nodes[0].rate == 1.0
    with pytest.raises(ValueError, match="missing"):
        robustness.robustness(projection.graph, labels, missing=1.5)


def test_the_bridge_between_two_cells_tops_edge_betweenness() -> None:
    graph = nx.relabel_nodes(nx.barbell_graph(5, 0), lambda n: f"m{n}")
    report = analysis.analyze(network_of(graph), analysis.Options(top=3)).to_dict()
    assert {report["bridges"][0]["source"], report["bridges"][0]["target"]} == {"m4", "m5"}
    assert report["summary"]["communities"]["count"] == 2
    assert {row["node"] for row in report["brokers"]["communities"][:2]} == {"m4", "m5"}
