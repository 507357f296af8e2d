"""Who matters in a network: centralities on the simple undirected projection, with
networkx's normalisations so that figures read the same as in the literature (and the
tests compare them with networkx on small graphs).

Weighted measures read `weight` as tie strength: degree becomes strength, PageRank,
eigenvector and Katz walk strong ties more often, and path-based measures (betweenness,
closeness, efficiency) travel along `distance` = 1 / strength. Collective influence and
k-core are defined on plain degrees and ignore weights.
"""

from __future__ import annotations

from collections.abc import Callable

import igraph as ig
import numpy as np
from scipy import sparse
from scipy.sparse import linalg

Measure = Callable[[ig.Graph, bool], np.ndarray]


def _weights(weighted: bool) -> str | None:
    return "weight" if weighted else None


def _distances(weighted: bool) -> str | None:
    return "distance" if weighted else None


def degree(graph: ig.Graph, weighted: bool = False) -> np.ndarray:
    """Number of ties (strength — the sum of tie strengths — when weighted)."""
    return np.asarray(graph.strength(weights=_weights(weighted)), dtype=np.float64)


def betweenness(
    graph: ig.Graph, weighted: bool = False, *, sample: int | None = None, seed: int = 0
) -> np.ndarray:
    """Share of shortest paths between other nodes that pass through each node (normalised
    by (n−1)(n−2)/2). With `sample`, estimated from that many random source nodes (Brandes
    and Pich's pivots, scaled by n / sample) — what large networks can afford."""
    n = graph.vcount()
    if n < 3:
        return np.zeros(n)
    sources = _pivots(n, sample, seed)
    raw = np.asarray(
        graph.betweenness(directed=False, weights=_distances(weighted), sources=sources),
        dtype=np.float64,
    )
    if sources is not None:
        raw *= n / len(sources)
    normalised: np.ndarray = raw * 2 / ((n - 1) * (n - 2))
    return normalised


def edge_betweenness(
    graph: ig.Graph, weighted: bool = False, *, sample: int | None = None, seed: int = 0
) -> np.ndarray:
    """The same for ties (normalised by n(n−1)/2): the bridges whose loss cuts most paths."""
    n = graph.vcount()
    if n < 2:
        return np.zeros(graph.ecount())
    sources = _pivots(n, sample, seed)
    raw = np.asarray(
        graph.edge_betweenness(directed=False, weights=_distances(weighted), sources=sources),
        dtype=np.float64,
    )
    if sources is not None:
        raw *= n / len(sources)
    normalised: np.ndarray = raw * 2 / (n * (n - 1))
    return normalised


def _pivots(n: int, sample: int | None, seed: int) -> list[int] | None:
    if sample is None or sample >= n:
        return None
    if sample < 1:
        raise ValueError("a betweenness sample needs at least one source node")
    return sorted(np.random.default_rng(seed).choice(n, size=sample, replace=False).tolist())


def closeness(graph: ig.Graph, weighted: bool = False) -> np.ndarray:
    """Inverse mean distance to the nodes a node can reach, scaled by the share of the
    network it can reach (Wasserman–Faust, networkx's default), so that the centre of a
    small component does not outrank the centre of the whole network."""
    n = graph.vcount()
    if n < 2:
        return np.zeros(n)
    values = np.nan_to_num(
        np.asarray(graph.closeness(weights=_distances(weighted), normalized=True), dtype=float)
    )
    components = graph.connected_components()
    reach = np.asarray(components.sizes())[components.membership] - 1
    scaled: np.ndarray = values * reach / (n - 1)
    return scaled


def harmonic(graph: ig.Graph, weighted: bool = False) -> np.ndarray:
    """Sum of inverse distances to every other node (0 for those out of reach)."""
    return np.asarray(
        graph.harmonic_centrality(weights=_distances(weighted), normalized=False), dtype=float
    )


def eigenvector(graph: ig.Graph, weighted: bool = False) -> np.ndarray:
    """Ties to well-tied nodes count more (unit Euclidean norm, as networkx)."""
    if graph.ecount() == 0:
        return np.zeros(graph.vcount())
    values = np.asarray(graph.eigenvector_centrality(weights=_weights(weighted)), dtype=float)
    unit: np.ndarray = values / np.linalg.norm(values)
    return unit


def pagerank(graph: ig.Graph, weighted: bool = False, *, damping: float = 0.85) -> np.ndarray:
    return np.asarray(
        graph.pagerank(directed=False, damping=damping, weights=_weights(weighted)), dtype=float
    )


def adjacency(graph: ig.Graph, weighted: bool = False) -> sparse.csr_array:
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    values = np.asarray(graph.es["weight"]) if weighted else np.ones(len(edges))
    n = graph.vcount()
    upper = sparse.coo_array((values, (edges[:, 0], edges[:, 1])), shape=(n, n))
    return (upper + upper.T).tocsr()


def katz_alpha(graph: ig.Graph, weighted: bool = False) -> float:
    """Katz's attenuation, 0.9 / λmax: long walks count, and the series still converges."""
    matrix = adjacency(graph, weighted)
    if matrix.nnz == 0:
        return 0.1
    if graph.vcount() < 50:  # ARPACK wants more nodes than it has eigenvectors to track
        largest = float(np.abs(np.linalg.eigvalsh(matrix.toarray())).max())
    else:
        largest = float(abs(linalg.eigsh(matrix.astype(float), k=1, which="LA")[0][0]))
    return 0.9 / largest


def katz(
    graph: ig.Graph, weighted: bool = False, *, alpha: float | None = None, beta: float = 1.0
) -> np.ndarray:
    """Walks of every length from a node, each step attenuated by `alpha`: x = (I − αA)⁻¹β
    (unit Euclidean norm, as networkx). Solved by conjugate gradients — I − αA is symmetric
    positive definite for α < 1/λmax — so it scales to millions of nodes."""
    n = graph.vcount()
    if n == 0:
        return np.zeros(0)
    chosen = katz_alpha(graph, weighted) if alpha is None else alpha
    system = sparse.identity(n, format="csr") - chosen * adjacency(graph, weighted)
    values, info = linalg.cg(system, np.full(n, beta), rtol=1e-10, maxiter=10_000)
    if info != 0:
        raise ArithmeticError(f"Katz centrality did not converge with alpha={chosen:g}")
    unit: np.ndarray = values / np.linalg.norm(values)
    return unit


def collective_influence(graph: ig.Graph, weighted: bool = False, *, radius: int = 2) -> np.ndarray:
    """Morone and Makse's CI: (kᵢ − 1) · Σ (kⱼ − 1) over the nodes j at exactly `radius`
    hops — the nodes whose removal best breaks a network apart. Defined on degrees."""
    excess = np.asarray(graph.degree(), dtype=float) - 1
    frontier = graph.neighborhood(order=radius, mindist=radius)
    return np.array(
        [excess[i] * excess[ball].sum() if ball else 0.0 for i, ball in enumerate(frontier)]
    ).clip(min=0)


def coreness(graph: ig.Graph, weighted: bool = False) -> np.ndarray:
    """k-core number: the largest k such that the node sits in a subgraph where everyone
    has at least k ties — the hard core of a group."""
    return np.asarray(graph.coreness(), dtype=float)


MEASURES: dict[str, Measure] = {
    "degree": degree,
    "betweenness": betweenness,
    "closeness": closeness,
    "harmonic": harmonic,
    "eigenvector": eigenvector,
    "katz": katz,
    "pagerank": pagerank,
    "collective_influence": collective_influence,
    "coreness": coreness,
}


def global_efficiency(
    graph: ig.Graph, weighted: bool = False, *, nodes: int | None = None
) -> float:
    """Mean inverse distance over ordered pairs (Latora–Marchiori). `nodes` is the count
    to average over — the network's size before any removal, so that removing nodes never
    makes a network look more efficient."""
    total = nodes if nodes is not None else graph.vcount()
    if total < 2:
        return 0.0
    return float(harmonic(graph, weighted).sum()) / (total * (total - 1))


def ranking(values: np.ndarray, labels: list[str]) -> list[int]:
    """Nodes from highest to lowest value. Ties (values equal to 12 significant digits,
    so floating-point noise is not a difference) go by label, then position: the same
    input always gives the same order."""
    rounded = np.array([float(f"{v:.12g}") for v in values])
    return sorted(range(len(values)), key=lambda i: (-rounded[i], labels[i], i))
