"""The learned ranking: features of every account, a model trained on labels, alerts ranked
by their most suspicious account — and never added or removed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from palermo.errors import Invalid
from palermo.finintel import monitoring, ranking
from palermo.finintel.engine import DuckDBEngine
from palermo.finintel.thresholds import Thresholds
from tests.finintel.world import ledger_file


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    path, truth = ledger_file(tmp_path_factory.mktemp("ranking") / "tx.parquet")
    engine = DuckDBEngine()
    try:
        run = monitoring.detect(engine, [path], Thresholds())
        found = ranking.features(engine, run.alerts)
    finally:
        engine.close()
    laundering = set().union(*truth.values())
    labels = np.array([a in laundering for a in found.accounts], dtype=np.int64)
    return path, run, found, labels, ranking.train(found, labels)


def test_every_account_has_its_flows_rules_and_neighbours(trained) -> None:
    found = trained[2]
    row = dict(zip(found.names, found.values[found.accounts.index("s-smurf")], strict=True))
    assert row["cash_in"] == 6
    assert row["rule_structuring"] > 0
    assert row["rule_cycle"] == 0
    hub = dict(zip(found.names, found.values[found.accounts.index("gs-hub")], strict=True))
    assert hub["payers"] == 5
    assert hub["payees"] == 5
    assert hub["neighbours_flagged"] >= 10  # its counterparties are alerted too


def test_the_model_calls_laundering_accounts_better_than_chance(trained) -> None:
    _, _, found, labels, model = trained
    scores = model.score(found)
    called = np.array([scores[a] >= model.threshold for a in found.accounts])
    assert ranking.f1(called, labels) > 0.5
    assert labels.mean() < 0.3  # the positive class is the rare one


def test_alerts_are_ranked_not_added_or_removed(trained) -> None:
    path, run, _, _, model = trained
    ranked = monitoring.monitor([path], Thresholds(), model=model)
    assert sorted(a.alert_id for a in ranked.alerts) == sorted(a.alert_id for a in run.alerts)
    scores = [a.rank_score for a in ranked.alerts]
    assert all(s is not None for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_a_saved_model_scores_the_same(trained, tmp_path: Path) -> None:
    _, _, found, _, model = trained
    model.save(tmp_path / "model.txt")
    again = ranking.Model.load(tmp_path / "model.txt")
    assert again.threshold == model.threshold
    assert again.score(found) == pytest.approx(model.score(found))


def test_training_needs_both_classes(trained) -> None:
    _, _, found, labels, _ = trained
    with pytest.raises(Invalid, match="laundering accounts"):
        ranking.train(found, np.zeros_like(labels))
