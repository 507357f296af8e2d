"""Laundering typology detectors. Each reads the tables `flows` (one row per transaction)
and `activity` (per account) that `flows.prepare` makes, and returns findings: the
accounts and transactions that make one occurrence of its typology."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from palermo.translatable import N_

TYPOLOGIES = {
    "structuring": N_("Structuring: cash deposits just under the reporting threshold"),
    "fan_out": N_("Fan-out: one account paying many at once"),
    "fan_in": N_("Fan-in: many accounts paying one at once"),
    "gather_scatter": N_("Gather-scatter: gathered from many, scattered to many"),
    "scatter_gather": N_("Scatter-gather: scattered through intermediaries to one destination"),
    "cycle": N_("Cycle / round-tripping: money coming back to where it started"),
    "bipartite": N_("Bipartite layering: a group of accounts paying another group"),
    "stack": N_("Stacked layering: layers of accounts paying the next layer"),
    "rapid_pass_through": N_("Rapid pass-through: credits paid straight out again"),
    "cross_border": N_("Cross-border layering through high-risk jurisdictions"),
    "dormant": N_("Dormant account waking up to move money"),
}


@dataclass
class Finding:
    typology: str
    accounts: set[str]
    transactions: set[str]
    start: int  # epoch seconds of the first and last transaction
    end: int
    score: float  # 0–1: how strongly the rule fired, before any learned ranking
    facts: dict[str, Any] = field(default_factory=dict)
