"""Structuring (smurfing): cash paid in just under the reporting threshold, so that no single
deposit is reported — by one account in a run of deposits, or by several accounts (smurfs)
whose cash is then wired on to one collector."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from palermo.finintel.engine import Engine
from palermo.finintel.thresholds import DAY, HOUR, Thresholds
from palermo.finintel.typologies import Finding

# The money is wired on in a few large payments, not spent.
MAX_ONWARD = 3


def structuring(engine: Engine, th: Thresholds) -> list[Finding]:
    low = th.reporting_threshold * (1 - th.structuring_band)
    window = th.structuring_days * DAY
    engine.materialise(
        "deposits",
        f"""
        SELECT target AS account, tx_id, t, amount,
               count(*) OVER (PARTITION BY target ORDER BY t
                              RANGE BETWEEN {window} PRECEDING AND CURRENT ROW) AS run,
               count(*) OVER (PARTITION BY target) AS near_total
        FROM flows
        WHERE channel = 'cash' AND source IS NULL AND target IS NOT NULL
          AND amount >= {low} AND amount < {th.reporting_threshold}
        """,  # noqa: S608 - numbers from validated thresholds
    )
    return _runs(engine, th) + _collections(engine, th)


def _runs(engine: Engine, th: Thresholds) -> list[Finding]:
    """One account's run of deposits. Every deposit that ends a long enough run closes a
    window (the monitor merges overlapping ones). A cash business pays in near the
    threshold all year round: its runs are a small part of its deposits."""
    window = th.structuring_days * DAY
    ends = f"""
        SELECT account, t FROM deposits
        WHERE run >= {th.structuring_min_deposits}
          AND run >= {th.structuring_run_share} * near_total
    """  # noqa: S608
    deposits = engine.rows(
        f"""
        SELECT e.account, e.t AS window_end, d.tx_id, d.t, d.amount
        FROM ({ends}) AS e
        JOIN deposits AS d ON d.account = e.account AND d.t <= e.t AND d.t >= e.t - {window}
        """  # noqa: S608
    )
    debits = engine.rows(
        f"""
        SELECT e.account, e.t AS window_end, f.tx_id, f.t, f.amount, f.target
        FROM ({ends}) AS e
        JOIN flows AS f
          ON f.source = e.account AND f.t > e.t AND f.t <= e.t + {th.hop_hours * HOUR}
        WHERE f.target IS NOT NULL
        """  # noqa: S608
    )
    windows: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in deposits:
        windows[(row["account"], int(row["window_end"]))].append(row)
    after: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in debits:
        after[(row["account"], int(row["window_end"]))].append(row)
    found = []
    for key, paid_in in windows.items():
        total = math.fsum(float(d["amount"]) for d in paid_in)
        out = _moved_on(after.get(key, []), th.kept_min * total)
        found.append(_finding(th, {key[0]}, paid_in, out))
    return found


def _collections(engine: Engine, th: Thresholds) -> list[Finding]:
    """Several accounts, each paying in cash just under the threshold and soon wiring it to
    the same collector: together at least a run's worth of deposits."""
    rows = engine.rows(
        f"""
        SELECT f.target AS collector, f.source AS account, f.tx_id, f.t, f.amount,
               d.tx_id AS deposit_tx, d.t AS deposit_t, d.amount AS deposit_amount
        FROM deposits AS d
        JOIN flows AS f
          ON f.source = d.account AND f.t > d.t
         AND f.t <= d.t + {th.structuring_days * DAY + th.hop_hours * HOUR}
        WHERE f.target IS NOT NULL AND f.amount >= d.amount * {th.kept_min}
        """  # noqa: S608
    )
    by_collector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_collector[row["collector"]].append(row)
    found = []
    span = th.structuring_days * DAY + th.hop_hours * HOUR
    for collector, fed in by_collector.items():
        fed.sort(key=lambda r: r["t"])
        start = 0
        while start < len(fed):
            end = start
            while end + 1 < len(fed) and fed[end + 1]["t"] - fed[start]["t"] <= span:
                end += 1
            batch = fed[start : end + 1]
            start = end + 1
            smurfs = {r["account"] for r in batch}
            deposits = {r["deposit_tx"]: r for r in batch}
            if len(smurfs) < 2 or len(deposits) < th.structuring_min_deposits:
                continue
            paid_in = [
                {"tx_id": r["deposit_tx"], "t": r["deposit_t"], "amount": r["deposit_amount"]}
                for r in deposits.values()
            ]
            out = list({r["tx_id"]: r for r in batch}.values())
            found.append(_finding(th, smurfs | {collector}, paid_in, out, smurfs=len(smurfs)))
    return found


def _moved_on(debits: list[dict[str, Any]], least: float) -> list[dict[str, Any]]:
    """The few largest debits after a run that carry most of its cash on; none if they
    do not (the cash was kept, or spent)."""
    taken: list[dict[str, Any]] = []
    for debit in sorted(debits, key=lambda d: -float(d["amount"]))[:MAX_ONWARD]:
        taken.append(debit)
        if math.fsum(float(d["amount"]) for d in taken) >= least:
            return taken
    return []


def _finding(
    th: Thresholds,
    accounts: set[str],
    paid_in: list[dict[str, Any]],
    out: list[dict[str, Any]],
    **facts: Any,
) -> Finding:
    total = math.fsum(float(d["amount"]) for d in paid_in)
    times = [int(d["t"]) for d in paid_in + out]
    return Finding(
        "structuring",
        accounts | {o["target"] for o in out if o.get("target")},
        {str(d["tx_id"]) for d in paid_in + out},
        min(times),
        max(times),
        # More deposits, and more in total than the threshold, weigh more.
        score=min(
            0.99, 0.55 + 0.05 * len(paid_in) + 0.1 * min(1.0, total / (3 * th.reporting_threshold))
        ),
        facts={
            "deposits": len(paid_in),
            "total_eur": round(total, 2),
            "moved_on_eur": round(math.fsum(float(o["amount"]) for o in out), 2),
            **facts,
        },
    )
