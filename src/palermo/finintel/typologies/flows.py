"""The tables every detector reads, made once per monitoring run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from palermo.finintel.engine import Engine


def prepare(engine: Engine, files: Sequence[Path]) -> tuple[int, int]:
    """`flows` (time in whole epoch seconds, floored as Spark's unix_timestamp does; amounts
    in EUR) and `activity` (per account: payments out and in, first and last). Returns the
    first and last time of the data."""
    engine.load("transactions", files)
    engine.materialise(
        "flows",
        """
        SELECT tx_id, CAST(floor(epoch(time)) AS BIGINT) AS t, source, target,
               amount_eur AS amount, source_country AS src_country,
               target_country AS dst_country, channel
        FROM transactions
        """,
    )
    engine.materialise(
        "activity",
        """
        SELECT account, sum(o) AS n_out, sum(i) AS n_in, sum(o) + sum(i) AS n,
               min(t) AS t_first, max(t) AS t_last
        FROM (
            SELECT source AS account, t, 1 AS o, 0 AS i FROM flows WHERE source IS NOT NULL
            UNION ALL
            SELECT target AS account, t, 0 AS o, 1 AS i FROM flows WHERE target IS NOT NULL
        ) AS sides
        GROUP BY account
        """,
    )
    bounds = engine.rows("SELECT min(t) AS first, max(t) AS last FROM flows")[0]
    if bounds["first"] is None:
        return 0, 0
    return int(bounds["first"]), int(bounds["last"])
