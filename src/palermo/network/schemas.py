"""API shapes of network analysis."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from palermo.network.analysis import DEFAULT_MEASURES
from palermo.network.disruption import Mode, Strategy
from palermo.network.graph import Duplicates


class ScopeIn(BaseModel):
    """Which part of the intelligence graph: owners' records, seeds and depth, a window."""

    owners: list[str] | None = Field(default=None, max_length=200, description="agency codes")
    seeds: list[str] = Field(default_factory=list, max_length=200, description="record ids")
    depth: int = Field(default=2, ge=0, le=6)
    since: datetime | None = None
    until: datetime | None = None
    identifiers: bool = Field(default=True, description="tie records that share identifiers")
    canonical: bool = Field(
        default=False, description="one node per entity your agency's linkage resolved"
    )


class AnalysisIn(BaseModel):
    weighted: bool = False
    duplicates: Duplicates = Duplicates.sum
    measures: list[str] = Field(default_factory=lambda: list(DEFAULT_MEASURES), max_length=12)
    top: int = Field(default=10, ge=1, le=1000)
    sample: int | None = Field(default=None, ge=1)
    resolution: float = Field(default=1.0, gt=0)
    robustness_missing: float | None = Field(default=None, gt=0, lt=1)
    robustness_samples: int = Field(default=50, ge=1, le=1000)
    seed: int = 0


class DisruptionIn(BaseModel):
    strategy: Strategy = Strategy.betweenness
    mode: Mode = Mode.sequential
    block_size: int = Field(default=5, ge=1, le=1000)
    steps: int = Field(default=100, ge=1, le=10_000)
    weighted: bool = False
    duplicates: Duplicates = Duplicates.sum
    planned: list[str] = Field(default_factory=list, max_length=10_000, description="node ids")


class JobIn(BaseModel):
    purpose: str
    justification: str
    kind: Literal["build", "analyze", "disrupt"] = "analyze"
    scope: ScopeIn = Field(default_factory=ScopeIn)
    analysis: AnalysisIn = Field(default_factory=AnalysisIn)
    disruption: DisruptionIn = Field(default_factory=DisruptionIn)


class ChartNode(BaseModel):
    id: str
    label: str
    kind: str | None
    country: str | None
    access: str | None
    owner: str | None
    records: list[str]
    community: int | None
    degree: float
    betweenness: float
    pagerank: float


class ChartEdge(BaseModel):
    id: str
    source: str
    target: str
    kind: str | None
    record: str | None
    time: str | None
    directed: bool
    weight: float


class ChartOut(BaseModel):
    """What the link chart draws: nodes with community and centralities, edges as evidence."""

    nodes: list[ChartNode]
    edges: list[ChartEdge]
    summary: dict[str, Any]


class PathOut(BaseModel):
    paths: list[list[str]]
    chart: ChartOut
