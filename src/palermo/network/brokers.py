"""Brokers: who joins groups that would otherwise not meet — between communities (cells)
or between countries (cross-border brokers).

Gould and Fernandez's brokerage roles, on undirected ties: a node brokers between two of
its contacts who are not tied to each other and belong to different groups. It is a
*gatekeeper* when it shares a group with one of them (undirected ties cannot tell
gatekeeper from representative) and a *liaison* when all three groups differ. Counted from
group sizes among a node's contacts, less the contact pairs that are tied (triangles), so
hubs with thousands of contacts cost no more than their triangles. Guimerà and Amaral's
participation coefficient says how evenly a node's ties spread over groups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np


@dataclass(frozen=True)
class Brokerage:
    gatekeeper: np.ndarray
    liaison: np.ndarray
    participation: np.ndarray
    groups_reached: np.ndarray  # groups other than its own among a node's contacts

    @property
    def total(self) -> np.ndarray:
        both: np.ndarray = self.gatekeeper + self.liaison
        return both


def brokerage(graph: ig.Graph, groups: Sequence[Hashable | None]) -> Brokerage:
    """Roles of every node; contacts whose group is unknown are left out of its counts."""
    n = graph.vcount()
    gatekeeper, liaison = np.zeros(n), np.zeros(n)
    participation, reached = np.zeros(n), np.zeros(n)
    for v, contacts in enumerate(graph.get_adjlist()):
        counts = Counter(groups[c] for c in contacts if groups[c] is not None)
        total = sum(counts.values())
        if total == 0:
            continue
        own = counts.get(groups[v], 0) if groups[v] is not None else 0
        different = (total**2 - sum(c * c for c in counts.values())) / 2
        gatekeeper[v] = own * (total - own)
        liaison[v] = different - gatekeeper[v]
        participation[v] = 1 - sum((c / total) ** 2 for c in counts.values())
        reached[v] = len([g for g in counts if g != groups[v]])
    for triangle in graph.list_triangles():
        for i in range(3):
            v, a, c = triangle[i], triangle[(i + 1) % 3], triangle[(i + 2) % 3]
            ga, gc = groups[a], groups[c]
            if ga is None or gc is None or ga == gc:
                continue
            if groups[v] in (ga, gc):
                gatekeeper[v] -= 1
            else:
                liaison[v] -= 1
    return Brokerage(gatekeeper, liaison, participation, reached)
