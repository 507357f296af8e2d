"""Ranking alerts with a learned model: gradient boosting (LightGBM) on graph features of
accounts — their own flows, the rules that fired on them, and the rules that fired on their
counterparties (the "graph feature preprocessing" of IBM's AMLworld baselines) — trained on
labelled accounts: an FIU's confirmed cases, or a synthetic benchmark's ground truth.

The model ranks alerts (an alert scores as its most suspicious account); it never makes or
removes one, so every alert stays explained by the rule that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lightgbm
import numpy as np
import pyarrow as pa

from palermo.errors import Invalid
from palermo.finintel.engine import Engine
from palermo.finintel.typologies import TYPOLOGIES
from palermo.translatable import N_

if TYPE_CHECKING:
    from palermo.finintel.monitoring import Alert

FLOWS = """
    SELECT a.account, a.n_in, a.n_out, (a.t_last - a.t_first) / 86400.0 AS span_days,
           coalesce(o.payees, 0) AS payees, coalesce(i.payers, 0) AS payers,
           coalesce(o.sum_out, 0) AS sum_out, coalesce(i.sum_in, 0) AS sum_in,
           coalesce(o.max_out, 0) AS max_out, coalesce(i.max_in, 0) AS max_in,
           coalesce(o.abroad_out, 0) AS abroad_out, coalesce(i.abroad_in, 0) AS abroad_in,
           coalesce(i.cash_in, 0) AS cash_in, coalesce(o.cash_out, 0) AS cash_out
    FROM activity AS a
    LEFT JOIN (
        SELECT source AS account, count(DISTINCT target) AS payees, sum(amount) AS sum_out,
               max(amount) AS max_out, sum(CASE WHEN target IS NULL THEN 1 ELSE 0 END) AS cash_out,
               avg(CASE WHEN src_country <> dst_country THEN 1.0 ELSE 0.0 END) AS abroad_out
        FROM flows WHERE source IS NOT NULL GROUP BY source
    ) AS o ON o.account = a.account
    LEFT JOIN (
        SELECT target AS account, count(DISTINCT source) AS payers, sum(amount) AS sum_in,
               max(amount) AS max_in, sum(CASE WHEN source IS NULL THEN 1 ELSE 0 END) AS cash_in,
               avg(CASE WHEN src_country <> dst_country THEN 1.0 ELSE 0.0 END) AS abroad_in
        FROM flows WHERE target IS NOT NULL GROUP BY target
    ) AS i ON i.account = a.account
"""

# Of every account: what its counterparties' rules said.
NEIGHBOURS = """
    SELECT s.account, sum(r.best) AS neighbours_score, sum(r.flagged) AS neighbours_flagged
    FROM (
        SELECT source AS account, target AS other FROM flows
        WHERE source IS NOT NULL AND target IS NOT NULL AND source <> target
        UNION ALL
        SELECT target AS account, source AS other FROM flows
        WHERE source IS NOT NULL AND target IS NOT NULL AND source <> target
    ) AS s
    JOIN rule_flags AS r ON r.account = s.other
    GROUP BY s.account
"""


@dataclass(frozen=True)
class Features:
    accounts: list[str]
    names: list[str]
    values: np.ndarray  # accounts × names


def rule_flags(alerts: Iterable[Alert]) -> pa.Table:
    """Per account: each typology's best alert score (0: none), the best of all, flagged."""
    best: dict[str, dict[str, float]] = {}
    for alert in alerts:
        for account in alert.accounts:
            row = best.setdefault(account, dict.fromkeys(TYPOLOGIES, 0.0))
            row[alert.typology] = max(row[alert.typology], alert.score)
    accounts = sorted(best)
    columns: dict[str, Any] = {"account": pa.array(accounts, pa.string())}
    for typology in TYPOLOGIES:
        columns[typology] = pa.array([best[a][typology] for a in accounts], pa.float64())
    columns["best"] = pa.array([max(best[a].values()) for a in accounts], pa.float64())
    columns["flagged"] = pa.array([1.0] * len(accounts), pa.float64())
    return pa.table(columns)


def features(engine: Engine, alerts: Sequence[Alert]) -> Features:
    """Every account of the `flows` table, with its features."""
    engine.register("rule_flags", rule_flags(alerts))
    rules = ", ".join(f"coalesce(r.{t}, 0) AS rule_{t}" for t in TYPOLOGIES)
    table = engine.arrow(
        f"""
        SELECT f.*, {rules}, coalesce(n.neighbours_score, 0) AS neighbours_score,
               coalesce(n.neighbours_flagged, 0) AS neighbours_flagged
        FROM ({FLOWS}) AS f
        LEFT JOIN rule_flags AS r ON r.account = f.account
        LEFT JOIN ({NEIGHBOURS}) AS n ON n.account = f.account
        ORDER BY f.account
        """  # noqa: S608 - typology names from our own table
    )
    names = [c for c in table.column_names if c != "account"]
    values = np.column_stack(
        [table.column(c).to_numpy(zero_copy_only=False).astype(np.float64) for c in names]
    )
    return Features(table.column("account").to_pylist(), names, values)


@dataclass(frozen=True)
class Model:
    booster: lightgbm.Booster
    names: list[str]
    threshold: float  # the score from which an account is called laundering (best F1)

    def score(self, found: Features) -> dict[str, float]:
        if found.names != self.names:
            raise Invalid(N_("the model was trained on other features; train it again"))
        if not found.accounts:
            return {}
        scores = self.booster.predict(found.values)
        return dict(zip(found.accounts, (float(s) for s in scores), strict=True))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(path))
        path.with_suffix(".threshold").write_text(f"{self.threshold}\n")

    @classmethod
    def load(cls, path: Path) -> Model:
        booster = lightgbm.Booster(model_file=str(path))
        threshold = float(path.with_suffix(".threshold").read_text())
        return cls(booster, list(booster.feature_name()), threshold)


def train(found: Features, labels: np.ndarray, *, seed: int = 7) -> Model:
    """Gradient boosting on the accounts' features; `labels` 1 for laundering accounts.
    A quarter of the accounts is held back to stop the boosting before it learns the rest
    by heart, and to choose the threshold; the rare positive class is weighted up."""
    positives = int(labels.sum())
    if positives < 4 or positives == len(labels):
        raise Invalid(
            N_("training needs laundering accounts (at least 4) and others among the labels")
        )
    held = np.random.default_rng(seed).random(len(labels)) < 0.25
    fit = lightgbm.Dataset(found.values[~held], label=labels[~held], feature_name=found.names)
    check = lightgbm.Dataset(found.values[held], label=labels[held], reference=fit)
    booster = lightgbm.train(
        {
            "objective": "binary",
            "learning_rate": 0.05,
            "num_leaves": 31,
            "min_data_in_leaf": 20,
            "scale_pos_weight": ((len(labels) - positives) / positives) ** 0.5,
            "feature_fraction": 0.9,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "seed": seed,
            "deterministic": True,
            "num_threads": 2,
            "verbose": -1,
        },
        fit,
        num_boost_round=500,
        valid_sets=[check],
        callbacks=[lightgbm.early_stopping(30, verbose=False)],
    )
    scores = np.asarray(booster.predict(found.values[held]))
    return Model(booster, found.names, best_threshold(scores, labels[held]))


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The score threshold with the best F1 on these labels."""
    order = np.argsort(-scores)
    hits = np.cumsum(labels[order])
    called = np.arange(1, len(scores) + 1)
    f1 = 2 * hits / (called + labels.sum())
    return float(scores[order][int(np.argmax(f1))])


def f1(predicted: np.ndarray, labels: np.ndarray) -> float:
    """The minority (laundering) class's F1."""
    true = float((predicted & (labels == 1)).sum())
    called, actual = float(predicted.sum()), float(labels.sum())
    return 2 * true / (called + actual) if called + actual else 0.0


def rank(alerts: list[Alert], scores: dict[str, float]) -> list[Alert]:
    """Each alert scores as its most suspicious account; the strongest first."""
    ranked = [
        replace(a, rank_score=round(max(scores.get(x, 0.0) for x in a.accounts), 4)) for a in alerts
    ]
    ranked.sort(key=lambda a: (-(a.rank_score or 0.0), -a.score, a.typology, a.alert_id))
    return ranked
