"""Structuring (smurfing): many cash deposits just under the reporting threshold, so that no
single one is reported."""

from __future__ import annotations

from typing import Any

from palermo.finintel.engine import Engine
from palermo.finintel.thresholds import DAY, Thresholds
from palermo.finintel.typologies import Finding


def structuring(engine: Engine, th: Thresholds) -> list[Finding]:
    low = th.reporting_threshold * (1 - th.structuring_band)
    window = th.structuring_days * DAY
    engine.materialise(
        "deposits",
        f"""
        SELECT target AS account, tx_id, t, amount,
               count(*) OVER (PARTITION BY target ORDER BY t
                              RANGE BETWEEN {window} PRECEDING AND CURRENT ROW) AS run
        FROM flows
        WHERE channel = 'cash' AND source IS NULL AND target IS NOT NULL
          AND amount >= {low} AND amount < {th.reporting_threshold}
        """,  # noqa: S608 - numbers from validated thresholds
    )
    # Every deposit that ends a run of enough deposits closes a window; the deposits of
    # overlapping windows are one finding (the monitor merges them).
    rows = engine.rows(
        f"""
        SELECT e.account, e.t AS window_end, d.tx_id, d.t, d.amount
        FROM deposits AS e
        JOIN deposits AS d
          ON d.account = e.account AND d.t <= e.t AND d.t >= e.t - {window}
        WHERE e.run >= {th.structuring_min_deposits}
        """  # noqa: S608
    )
    windows: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows:
        windows.setdefault((str(row["account"]), int(row["window_end"])), []).append(row)
    findings = []
    for (account, _), deposits in windows.items():
        total = sum(float(d["amount"]) for d in deposits)
        times = [int(d["t"]) for d in deposits]
        count = len(deposits)
        findings.append(
            Finding(
                "structuring",
                {account},
                {str(d["tx_id"]) for d in deposits},
                min(times),
                max(times),
                # More deposits, and more in total than the threshold, weigh more.
                score=min(
                    0.99, 0.55 + 0.05 * count + 0.1 * min(1.0, total / (3 * th.reporting_threshold))
                ),
                facts={"deposits": count, "total_eur": round(total, 2)},
            )
        )
    return findings
