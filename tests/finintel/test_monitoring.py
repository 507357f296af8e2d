"""Every typology is found in ordinary traffic, and only laundering is alerted."""

from __future__ import annotations

from pathlib import Path

import pytest

from palermo.finintel.engine import Backend
from palermo.finintel.monitoring import monitor
from palermo.finintel.thresholds import RULE_VERSION, Thresholds
from palermo.finintel.typologies import TYPOLOGIES
from tests.databases import backend
from tests.finintel.world import ledger_file


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    return ledger_file(tmp_path_factory.mktemp("ledger") / "transactions.parquet")


@pytest.fixture(scope="module")
def run(ledger: tuple[Path, dict[str, set[str]]]):
    return monitor([ledger[0]], Thresholds())


def test_every_injected_typology_is_alerted_with_all_its_accounts(run, ledger) -> None:
    _, truth = ledger
    assert set(truth) == set(TYPOLOGIES)
    for typology, accounts in truth.items():
        alerted = set().union(*(a.accounts for a in run.alerts if a.typology == typology))
        assert accounts <= alerted, (typology, accounts - alerted)


def test_no_alert_is_made_of_ordinary_traffic_alone(run, ledger) -> None:
    """Payroll pays the same staff each month, the shop takes cards every day, people
    deposit cash under the threshold now and then: none of it alerts."""
    laundering = set().union(*ledger[1].values())
    for alert in run.alerts:
        assert set(alert.accounts) & laundering, alert
    assert not {"payroll", "shop"} & set().union(*(a.accounts for a in run.alerts))


def test_an_alert_carries_its_evidence_window_and_rule_version(run) -> None:
    structuring = next(a for a in run.alerts if a.typology == "structuring")
    assert structuring.accounts == ("s-smurf",)
    assert len(structuring.transactions) == 6
    assert structuring.facts["deposits"] == 6
    assert structuring.start < structuring.end
    assert structuring.rule_version == RULE_VERSION
    cycle = next(a for a in run.alerts if a.typology == "cycle")
    assert cycle.facts["round_trip"] is True
    assert cycle.facts["hops"] == 5
    as_json = cycle.as_dict()
    assert set(as_json) >= {"alert_id", "typology", "score", "accounts", "transactions", "window"}


def test_thresholds_are_the_fius_own(ledger) -> None:
    """Seven deposits needed: the structuring account (six) is no longer alerted."""
    strict = monitor([ledger[0]], Thresholds(structuring_min_deposits=7))
    assert not [a for a in strict.alerts if a.typology == "structuring"]


def test_the_same_data_gives_the_same_alerts(run, ledger) -> None:
    again = monitor([ledger[0]], Thresholds())
    assert [a.alert_id for a in again.alerts] == [a.alert_id for a in run.alerts]


@pytest.mark.skipif(
    backend() != "sqlite", reason="no database involved: runs once, in the SQLite pass"
)
def test_spark_gives_the_same_alerts_as_duckdb(run, ledger) -> None:
    spark = monitor([ledger[0]], Thresholds(), backend=Backend.spark)
    assert [a.as_dict() for a in spark.alerts] == [a.as_dict() for a in run.alerts]
