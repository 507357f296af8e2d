"""Benchmark of financial-intelligence monitoring (issue: financial intelligence) on an
AMLworld-like dataset made by `bench/aml_world.py`.

    D=/tmp/palermo-bench/aml
    .venv/bin/python bench/aml_world.py --transactions 10000000 --out $D/10m
    .venv/bin/python bench/finintel.py monitor --data $D/10m
    .venv/bin/python bench/finintel.py spark --data $D/1m
    .venv/bin/python bench/finintel.py model --data $D/10m

`monitor` runs every detector on DuckDB (the FIU's high-risk list is the generator's), and
beside it, in the same run, the issue's yardstick: one DuckDB window query over the same
rows. It prints the time of each step, the process's peak memory, and per typology the
account-level recall (by that typology's alerts, and by any alert) and precision (the share
of alerted accounts that take part in some laundering pattern).

`spark` runs the same monitoring on Spark local mode and on DuckDB and compares the alerts.

`model` trains the learned ranking (LightGBM on graph features) on half of the accounts
(split by a hash of the account id) and prints the laundering class's F1 on the other half,
beside the F1 of the rules alone (an account is called laundering when any alert names it).

Results go to JSON with `--json FILE`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from palermo.finintel import monitoring, ranking
from palermo.finintel.engine import Backend, DuckDBEngine
from palermo.finintel.monitoring import Alert
from palermo.finintel.thresholds import Thresholds
from palermo.finintel.typologies import TYPOLOGIES


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def thresholds(data: Path) -> Thresholds:
    meta = json.loads((data / "meta.json").read_text())
    return Thresholds(high_risk_countries=tuple(meta["high_risk"]))


def truth(data: Path) -> dict[str, set[str]]:
    rows = duckdb.sql(
        f"SELECT typology, account FROM read_parquet('{data / 'truth.parquet'}')"  # noqa: S608
    ).fetchall()
    by_typology: dict[str, set[str]] = defaultdict(set)
    for typology, account in rows:
        by_typology[typology].add(account)
    return by_typology


def quality(alerts: list[Alert], known: dict[str, set[str]]) -> dict[str, dict[str, Any]]:
    laundering = set().union(*known.values())
    alerted: dict[str, set[str]] = defaultdict(set)
    for alert in alerts:
        alerted[alert.typology].update(alert.accounts)
    anywhere = set().union(*alerted.values()) if alerted else set()
    table = {}
    for typology in TYPOLOGIES:
        mine, accounts = alerted.get(typology, set()), known.get(typology, set())
        table[typology] = {
            "alerts": sum(1 for a in alerts if a.typology == typology),
            "accounts": len(accounts),
            "recall": round(len(accounts & mine) / len(accounts), 3) if accounts else None,
            "recall_any": round(len(accounts & anywhere) / len(accounts), 3) if accounts else None,
            "precision": round(len(mine & laundering) / len(mine), 3) if mine else None,
        }
    return table


def window_query(files: list[Path]) -> float:
    """The issue's yardstick: one window query over every transaction."""
    listed = ", ".join(f"'{f}'" for f in files)
    clock = time.perf_counter()
    duckdb.sql(
        f"""
        SELECT count(*), sum(running) FROM (
            SELECT sum(amount_eur) OVER (PARTITION BY source ORDER BY time
                                         ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS running
            FROM read_parquet([{listed}])
        )
        """  # noqa: S608
    ).fetchall()
    return time.perf_counter() - clock


def monitor(args: argparse.Namespace) -> dict[str, Any]:
    files = [args.data / "transactions.parquet"]
    clock = time.perf_counter()
    run = monitoring.monitor(files, thresholds(args.data))
    seconds = time.perf_counter() - clock
    result = {
        "transactions": run.transactions,
        "alerts": len(run.alerts),
        "seconds": round(seconds, 1),
        "steps": {k: round(v, 1) for k, v in run.seconds.items()},
        "peak_mib": round(peak_mib()),
        "window_query_seconds": round(window_query(files), 1),
        "quality": quality(run.alerts, truth(args.data)),
    }
    print(f"{run.transactions:,} transactions: {len(run.alerts):,} alerts in {seconds:.1f} s, ")
    print(f"peak memory {result['peak_mib']:,} MiB; steps {result['steps']}")
    print(f"one DuckDB window query over the same rows: {result['window_query_seconds']} s")
    print(f"{'typology':20} {'alerts':>6} {'accounts':>8} {'recall':>7} {'any':>6} {'prec.':>6}")
    for typology, row in result["quality"].items():
        print(
            f"{typology:20} {row['alerts']:>6} {row['accounts']:>8} {row['recall']!s:>7}"
            f" {row['recall_any']!s:>6} {row['precision']!s:>6}"
        )
    return result


def spark(args: argparse.Namespace) -> dict[str, Any]:
    files = [args.data / "transactions.parquet"]
    chosen = thresholds(args.data)
    clock = time.perf_counter()
    on_duckdb = monitoring.monitor(files, chosen)
    duck_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    on_spark = monitoring.monitor(files, chosen, backend=Backend.spark)
    spark_seconds = time.perf_counter() - clock
    spark_alerts = {a.alert_id: a.as_dict() for a in on_spark.alerts}
    differences = [
        {
            k: (v, spark_alerts[a.alert_id].get(k))
            for k, v in a.as_dict().items()
            if spark_alerts[a.alert_id].get(k) != v
        }
        for a in on_duckdb.alerts
        if a.alert_id in spark_alerts and spark_alerts[a.alert_id] != a.as_dict()
    ]
    same = [a.as_dict() for a in on_spark.alerts] == [a.as_dict() for a in on_duckdb.alerts]
    result = {
        "transactions": on_duckdb.transactions,
        "alerts": len(on_duckdb.alerts),
        "duckdb_seconds": round(duck_seconds, 1),
        "spark_seconds": round(spark_seconds, 1),
        "same_alerts": same,
        "differences": differences[:10],
        "spark_only": len(
            {a.alert_id for a in on_spark.alerts} - {a.alert_id for a in on_duckdb.alerts}
        ),
        "duckdb_only": len(
            {a.alert_id for a in on_duckdb.alerts} - {a.alert_id for a in on_spark.alerts}
        ),
    }
    print(json.dumps(result, indent=2))
    return result


def half(account: str) -> bool:
    return hashlib.sha256(account.encode()).digest()[0] % 2 == 0


def model(args: argparse.Namespace) -> dict[str, Any]:
    files = [args.data / "transactions.parquet"]
    engine = DuckDBEngine()
    try:
        run = monitoring.detect(engine, files, thresholds(args.data))
        clock = time.perf_counter()
        found = ranking.features(engine, run.alerts)
        feature_seconds = time.perf_counter() - clock
    finally:
        engine.close()
    laundering = set().union(*truth(args.data).values())
    labels = np.array([a in laundering for a in found.accounts], dtype=np.int64)
    training = np.array([half(a) for a in found.accounts])
    testing = ~training
    learn = ranking.Features(
        [a for a, t in zip(found.accounts, training, strict=True) if t],
        found.names,
        found.values[training],
    )
    clock = time.perf_counter()
    trained = ranking.train(learn, labels[training])
    train_seconds = time.perf_counter() - clock
    scores = np.array(list(trained.score(found).values()))
    predicted = scores >= trained.threshold
    flagged = np.zeros(len(found.accounts), dtype=bool)
    for name in found.names:
        if name.startswith("rule_"):
            flagged |= found.values[:, found.names.index(name)] > 0
    result = {
        "accounts": len(found.accounts),
        "laundering_accounts": int(labels.sum()),
        "test_accounts": int(testing.sum()),
        "features": found.names,
        "feature_seconds": round(feature_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "rules_f1": round(ranking.f1(flagged[testing], labels[testing]), 4),
        "model_f1": round(ranking.f1(predicted[testing], labels[testing]), 4),
        "threshold": round(trained.threshold, 4),
    }
    print(
        f"laundering-class F1 on {result['test_accounts']:,} held-out accounts: "
        f"rules alone {result['rules_f1']:.4f}, learned ranking {result['model_f1']:.4f} "
        f"(features {feature_seconds:.1f} s, training {train_seconds:.1f} s)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["monitor", "spark", "model"])
    parser.add_argument("--data", type=Path, required=True, help="a bench/aml_world.py output")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    result = {"monitor": monitor, "spark": spark, "model": model}[args.command](args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
