"""Clusters of records that are one entity: high-probability pairs and confirmed
judgements join records, rejected judgements keep a pair apart — and where other links
join a rejected pair anyway (A=B, B=C, A≠C) the cluster is flagged for review, not merged
silently."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class Cluster:
    id: str  # its smallest record id: stable while the cluster keeps that record
    members: list[str]
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # rejected, yet joined


class _Forest:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def form(
    pairs: Iterable[tuple[str, str, float]],
    verdicts: Mapping[tuple[str, str], str],
    threshold: float,
) -> list[Cluster]:
    """Clusters of two records or more, largest first. `pairs` are (left, right,
    probability) with left < right; `verdicts` the judgements by the same ordered pair."""
    forest = _Forest()
    for left, right, probability in pairs:
        verdict = verdicts.get((left, right))
        if probability >= threshold and verdict != "rejected":
            forest.join(left, right)
    for (left, right), verdict in verdicts.items():
        if verdict == "confirmed":
            forest.join(left, right)
    members: dict[str, list[str]] = {}
    for record in list(forest.parent):
        members.setdefault(forest.find(record), []).append(record)
    clusters = {
        root: Cluster(id=min(ids), members=sorted(ids))
        for root, ids in members.items()
        if len(ids) > 1
    }
    for (left, right), verdict in sorted(verdicts.items()):
        if verdict == "rejected" and left in forest.parent and right in forest.parent:
            root = forest.find(left)
            if root == forest.find(right):
                clusters[root].conflicts.append((left, right))
    return sorted(clusters.values(), key=lambda c: (-len(c.members), c.id))
