"""Laundering typology detectors. Each reads the tables `flows` (one row per transaction)
and `activity` (per account) that `flows.prepare` makes, and returns findings: the
accounts and transactions that make one occurrence of its typology."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Finding:
    typology: str
    accounts: set[str]
    transactions: set[str]
    start: int  # epoch seconds of the first and last transaction
    end: int
    score: float  # 0–1: how strongly the rule fired, before any learned ranking
    facts: dict[str, Any] = field(default_factory=dict)
