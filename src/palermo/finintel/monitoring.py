"""A monitoring run: every typology detector over an FIU's transactions, on DuckDB or
Spark, giving alerts that each carry their typology, score, evidence and rule version."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from palermo.finintel import ranking
from palermo.finintel.engine import Backend, Engine, engine
from palermo.finintel.thresholds import RULE_VERSION, Thresholds
from palermo.finintel.typologies import Finding, bursts, cash, chains, flows, timing

Detector = Callable[[Engine, Thresholds], list[Finding]]
DETECTORS: tuple[tuple[str, Detector], ...] = (
    ("structuring", cash.structuring),
    ("fans", bursts.fans),
    ("gather_scatter", bursts.gather_scatter),
    ("scatter_gather", bursts.scatter_gather),
    ("layered_groups", bursts.layered_groups),
    ("chains", chains.chains),
    ("rapid_pass_through", timing.rapid_pass_through),
    ("dormant", timing.dormant),
)


@dataclass(frozen=True)
class Alert:
    alert_id: str  # the same evidence gives the same id, on any backend
    typology: str
    score: float
    accounts: tuple[str, ...]
    transactions: tuple[str, ...]
    start: datetime
    end: datetime
    rule_version: str
    facts: dict[str, Any]
    rank_score: float | None = None  # the learned model's, when the FIU has one

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "typology": self.typology,
            "score": self.score,
            "accounts": list(self.accounts),
            "transactions": list(self.transactions),
            "window": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "rule_version": self.rule_version,
            "facts": self.facts,
            "rank_score": self.rank_score,
        }


@dataclass
class Run:
    alerts: list[Alert]
    transactions: int
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for the benchmark


def monitor(
    files: Sequence[Path],
    thresholds: Thresholds,
    *,
    backend: Backend = Backend.duckdb,
    model: ranking.Model | None = None,
    step: Callable[[str], None] | None = None,
    **engine_options: Any,
) -> Run:
    """Run every detector, and rank the alerts with `model` when there is one; `step(name)`
    is called as each step begins (for progress)."""
    work = engine(backend, **engine_options)
    try:
        run = detect(work, files, thresholds, step=step)
        if model is not None:
            if step:
                step("ranking")
            clock = time.perf_counter()
            run.alerts = ranking.rank(run.alerts, model.score(ranking.features(work, run.alerts)))
            run.seconds["ranking"] = time.perf_counter() - clock
    finally:
        work.close()
    return run


def detect(
    work: Engine,
    files: Sequence[Path],
    thresholds: Thresholds,
    *,
    step: Callable[[str], None] | None = None,
) -> Run:
    """The detectors on an open engine (its tables stay for what comes next)."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    first, last = flows.prepare(work, files)
    bursts.prepare(work, thresholds, last - first)
    seconds["prepare"] = time.perf_counter() - clock
    count = work.rows("SELECT count(*) AS n FROM flows")[0]["n"]
    findings: list[Finding] = []
    for name, detector in DETECTORS:
        if step:
            step(name)
        clock = time.perf_counter()
        findings.extend(detector(work, thresholds))
        seconds[name] = time.perf_counter() - clock
    return Run(merge(findings), int(count), seconds)


def merge(findings: list[Finding]) -> list[Alert]:
    """One alert per occurrence: findings of a typology that share a transaction (the same
    burst seen from two windows, the sub-chains of one chain) are one alert."""
    parent = list(range(len(findings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, finding in enumerate(findings):
        for tx in finding.transactions:
            j = owner.setdefault((finding.typology, tx), i)
            parent[root(i)] = root(j)
    groups: dict[int, list[Finding]] = defaultdict(list)
    for i, finding in enumerate(findings):
        groups[root(i)].append(finding)
    alerts = [_alert(group) for group in groups.values()]
    alerts.sort(key=lambda a: (-a.score, a.typology, a.alert_id))
    return alerts


def _alert(group: list[Finding]) -> Alert:
    # Ties broken by the evidence itself, so that every engine picks the same finding.
    strongest = max(
        group, key=lambda f: (round(f.score, 6), len(f.transactions), sorted(f.transactions))
    )
    transactions = tuple(sorted(set().union(*(f.transactions for f in group))))
    typology = strongest.typology
    digest = hashlib.sha256("\n".join((typology, *transactions)).encode()).hexdigest()
    facts = dict(strongest.facts)
    if len(group) > 1:
        facts["findings"] = len(group)
    return Alert(
        alert_id=f"A-{digest[:16]}",
        typology=typology,
        score=round(strongest.score, 3),
        accounts=tuple(sorted(set().union(*(f.accounts for f in group)))),
        transactions=transactions,
        start=datetime.fromtimestamp(min(f.start for f in group), UTC),
        end=datetime.fromtimestamp(max(f.end for f in group), UTC),
        rule_version=RULE_VERSION,
        facts=facts,
    )
