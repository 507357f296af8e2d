"""Layering chains: payments that pass most of an amount on, hop after hop, in time order.
A chain that comes back to where it began is a cycle (round-tripping when it crossed a
border); one that runs through several countries, one of them high-risk, is cross-border
layering.

Chains are grown one hop per statement, from every payment of at least
`layering_min_amount` between accounts that are not hubs: the next payment leaves the last
account after the previous one arrived, within `hop_hours`, carrying between `kept_min` and
all of its amount, and the whole chain lasts at most `chain_max_days`.
"""

from __future__ import annotations

from typing import Any

from palermo.finintel.engine import Engine
from palermo.finintel.thresholds import DAY, HOUR, Thresholds
from palermo.finintel.typologies import Finding


def _high_risk(th: Thresholds) -> str:
    return " OR ".join(f"strpos(countries, '|{c}|') > 0" for c in th.high_risk_countries) or "FALSE"


def chains(engine: Engine, th: Thresholds) -> list[Finding]:
    # Every hop of a chain carries at least kept_min^(hops-1) of its first amount.
    smallest = th.layering_min_amount * th.kept_min ** (th.chain_max_hops - 1)
    engine.materialise(
        "hops",
        f"""
        SELECT f.tx_id, f.t, f.source, f.target, f.amount,
               coalesce(f.src_country, '') AS src_country,
               coalesce(f.dst_country, '') AS dst_country
        FROM flows AS f
        JOIN activity AS s ON s.account = f.source AND s.n <= {th.hub_transactions}
        JOIN activity AS d ON d.account = f.target AND d.n <= {th.hub_transactions}
        WHERE f.source <> f.target AND f.amount >= {smallest}
        """,  # noqa: S608 - numbers from validated thresholds
    )
    engine.materialise(
        "chain_1",
        f"""
        SELECT source AS origin, target AS last, t AS t0, t AS t_last, amount AS amount_last,
               1 AS hops, '|' || source || '|' || target || '|' AS accounts,
               '|' || tx_id || '|' AS txs,
               '|' || src_country || '|' || dst_country || '|' AS countries
        FROM hops WHERE amount >= {th.layering_min_amount}
        """,  # noqa: S608
    )
    found: list[Finding] = []
    for hops in range(2, th.chain_max_hops + 1):
        size = engine.materialise(
            f"chain_{hops}",
            f"""
            SELECT c.origin, h.target AS last, c.t0, h.t AS t_last, h.amount AS amount_last,
                   {hops} AS hops, c.accounts || h.target || '|' AS accounts,
                   c.txs || h.tx_id || '|' AS txs,
                   CASE WHEN strpos(c.countries, '|' || h.dst_country || '|') > 0
                        THEN c.countries ELSE c.countries || h.dst_country || '|' END AS countries
            FROM chain_{hops - 1} AS c
            JOIN hops AS h
              ON h.source = c.last AND h.t > c.t_last AND h.t <= c.t_last + {th.hop_hours * HOUR}
             AND h.t <= c.t0 + {th.chain_max_days * DAY}
             AND h.amount >= {th.kept_min} * c.amount_last AND h.amount <= c.amount_last
            WHERE c.last <> c.origin
              AND (h.target = c.origin OR strpos(c.accounts, '|' || h.target || '|') = 0)
            """,  # noqa: S608
        )
        if size == 0:
            break
        for row in engine.rows(
            f"SELECT * FROM chain_{hops} WHERE last = origin AND hops >= 3"  # noqa: S608
        ):
            found.append(_finding("cycle", row))
        if hops >= th.cross_border_min_hops:
            for row in engine.rows(
                f"""
                SELECT * FROM chain_{hops}
                WHERE {_high_risk(th)}
                """  # noqa: S608
            ):
                if len(_countries(row)) >= 2:
                    found.append(_finding("cross_border", row))
    return found


def _finding(typology: str, row: dict[str, Any]) -> Finding:
    accounts = {a for a in str(row["accounts"]).split("|") if a}
    countries = _countries(row)
    facts: dict[str, Any] = {"hops": int(row["hops"]), "countries": countries}
    if typology == "cycle":
        facts["round_trip"] = len(countries) > 1
    return Finding(
        typology,
        accounts,
        {t for t in str(row["txs"]).split("|") if t},
        int(row["t0"]),
        int(row["t_last"]),
        score=min(0.99, 0.6 + 0.04 * int(row["hops"]) + 0.1 * (len(countries) > 1)),
        facts=facts,
    )


def _countries(row: dict[str, Any]) -> list[str]:
    return sorted({c for c in str(row["countries"]).split("|") if c})
