"""Patterns of timing: money that passes straight through an account, and accounts that
wake from a long sleep to move money."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from palermo.finintel.engine import Engine
from palermo.finintel.thresholds import DAY, HOUR, Thresholds
from palermo.finintel.typologies import Finding


def rapid_pass_through(engine: Engine, th: Thresholds) -> list[Finding]:
    """An account that, again and again, pays out nearly all of a large credit within hours."""
    rows = engine.rows(
        f"""
        SELECT i.target AS account, a.n AS activity, i.tx_id AS in_tx, i.t AS in_t,
               i.amount AS in_amount,
               i.source AS payer, o.tx_id AS out_tx, o.t AS out_t, o.amount AS out_amount,
               o.target AS payee
        FROM flows AS i
        JOIN activity AS a ON a.account = i.target AND a.n <= {th.hub_transactions}
        JOIN flows AS o
          ON o.source = i.target AND o.t > i.t AND o.t <= i.t + {th.pass_through_hours * HOUR}
        WHERE i.amount >= {th.layering_min_amount} AND o.target IS NOT NULL
          AND i.source IS DISTINCT FROM i.target AND o.target <> o.source
        """  # noqa: S608 - numbers from validated thresholds
    )
    credits: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        credits[(row["account"], row["in_tx"])].append(row)
    # A pass-through: the payments out within hours of a credit carry most of it — and no
    # more than it (a large bill paid from the balance after a small credit is not one).
    events: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    for (account, _), outs in credits.items():
        credit, paid, passed = outs[0]["in_amount"], 0.0, []
        for out in sorted(outs, key=lambda o: o["out_t"]):
            if paid + out["out_amount"] <= credit:
                paid += out["out_amount"]
                passed.append(out)
        if paid >= th.pass_through_share * credit:
            events[account].append(passed)
    found = []
    for account, passes in events.items():
        passes.sort(key=lambda p: p[0]["in_t"])
        for run in _runs(passes, th.pass_through_days * DAY, th.pass_through_min_events):
            legs = [leg for p in run for leg in p]
            moves = len({leg["in_tx"] for leg in legs} | {leg["out_tx"] for leg in legs})
            if moves < th.pass_through_activity_share * legs[0]["activity"]:
                continue
            # The run's other large credits passed on in part belong to it too: the account
            # does little else.
            first, last = run[0][0]["in_t"], run[-1][0]["in_t"]
            legs += [
                leg
                for (holder, _), outs in credits.items()
                if holder == account and first <= outs[0]["in_t"] <= last
                for leg in outs
                if leg["out_amount"] <= leg["in_amount"]
            ]
            accounts = {account} | {leg["payee"] for leg in legs}
            accounts |= {leg["payer"] for leg in legs if leg["payer"] is not None}
            moved = math.fsum(p[0]["in_amount"] for p in run)
            found.append(
                Finding(
                    "rapid_pass_through",
                    accounts,
                    {leg["in_tx"] for leg in legs} | {leg["out_tx"] for leg in legs},
                    min(leg["in_t"] for leg in legs),
                    max(leg["out_t"] for leg in legs),
                    score=min(0.99, 0.55 + 0.08 * len(run) + 0.1 * min(1.0, moved / 100_000)),
                    facts={"passes": len(run), "total_eur": round(moved, 2)},
                )
            )
    return found


def _runs(
    passes: list[list[dict[str, Any]]], window: int, least: int
) -> list[list[list[dict[str, Any]]]]:
    """Maximal runs of at least `least` passes, each within `window` of the run's first."""
    runs, start = [], 0
    while start < len(passes):
        end = start
        while (
            end + 1 < len(passes)
            and passes[end + 1][0]["in_t"] - passes[start][0]["in_t"] <= window
        ):
            end += 1
        if end - start + 1 >= least:
            runs.append(passes[start : end + 1])
            start = end + 1
        else:
            start += 1
    return runs


def dormant(engine: Engine, th: Thresholds) -> list[Finding]:
    """An account silent for `dormant_days` that then takes in a large sum and passes most
    of it on within `dormant_wake_days`."""
    gap, wake = th.dormant_days * DAY, th.dormant_wake_days * DAY
    rows = engine.rows(
        f"""
        WITH sides AS (
            SELECT source AS account, tx_id, t, amount, 'out' AS direction, target AS party
            FROM flows WHERE source IS NOT NULL
            UNION ALL
            SELECT target AS account, tx_id, t, amount, 'in' AS direction, source AS party
            FROM flows WHERE target IS NOT NULL
        ),
        quiet AS (
            SELECT s.*, t - lag(t) OVER (PARTITION BY s.account ORDER BY t, tx_id) AS silence
            FROM sides AS s
            JOIN activity AS a ON a.account = s.account AND a.n <= {th.hub_transactions}
             AND a.t_last - a.t_first >= {gap}
        ),
        wakes AS (SELECT account, t AS woke FROM quiet WHERE silence >= {gap})
        SELECT w.account, w.woke, s.tx_id, s.t, s.amount, s.direction, s.party
        FROM wakes AS w
        JOIN sides AS s ON s.account = w.account AND s.t >= w.woke AND s.t <= w.woke + {wake}
        """  # noqa: S608
    )
    woken: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        woken[(row["account"], int(row["woke"]))].append(row)
    found = []
    for (account, woke), moves in woken.items():
        received = math.fsum(m["amount"] for m in moves if m["direction"] == "in")
        sent = math.fsum(m["amount"] for m in moves if m["direction"] == "out")
        if received < th.dormant_min_amount or sent < th.dormant_passed_share * received:
            continue
        found.append(
            Finding(
                "dormant",
                {account} | {m["party"] for m in moves if m["party"] is not None},
                {m["tx_id"] for m in moves},
                woke,
                max(int(m["t"]) for m in moves),
                score=min(
                    0.99, 0.6 + 0.2 * min(1.0, received / 50_000) + 0.1 * (sent >= 0.9 * received)
                ),
                facts={"received_eur": round(received, 2), "sent_eur": round(sent, 2)},
            )
        )
    return found
