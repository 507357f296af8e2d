"""Bursts of counterparties — fan-out, fan-in — and the patterns built of them:
gather-scatter, scatter-gather, bipartite and stacked layering.

A *burst* is an account paying (or being paid by) several distinct accounts within a few
days. Payroll, merchants and processors burst all the time, so a burst is *unusual* only
when most of its counterparties deal with the account this once (payroll pays the same
people every month) and the account's rate in the burst is far above its own rate over the
whole period (a merchant's busy day is an ordinary day). Accounts busier than
`hub_transactions` are left out: a laundering pattern through a busy business account is
not found by these rules (the trace and the learned ranking can still show it).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from palermo.finintel.engine import Engine
from palermo.finintel.thresholds import DAY, HOUR, Thresholds
from palermo.finintel.typologies import Finding

# The account's side of a payment and its counterparty's, by direction.
SIDES = {"out": ("source", "target", "n_out"), "in": ("target", "source", "n_in")}
# A burst this many times the account's own rate is unusual.
RATE_FACTOR = 4
# At most this share of a burst's counterparties may deal with the account at other times.
REPEAT_SHARE = 0.5


def prepare(engine: Engine, th: Thresholds, span: int) -> None:
    """`bursts_in`/`bursts_out` (unusual bursts) and their members `burst_in_members`/
    `burst_out_members` (one row per payment)."""
    window = th.burst_days * DAY
    for side, (account, party, total) in SIDES.items():
        engine.materialise(
            f"burst_{side}_groups",
            f"""
            SELECT f.{account} AS account, o.off AS off,
                   CAST(floor((f.t + o.off) / {window}) AS BIGINT) AS bucket,
                   count(*) AS n, min(f.t) AS t0, max(f.t) AS t1
            FROM flows AS f
            JOIN activity AS a ON a.account = f.{account} AND a.n <= {th.hub_transactions}
            CROSS JOIN (VALUES (0), ({window // 2})) AS o(off)
            WHERE f.source IS NOT NULL AND f.target IS NOT NULL AND f.source <> f.target
            GROUP BY 1, 2, 3
            HAVING count(*) >= {th.group_min_counterparties}
            """,  # noqa: S608 - names from SIDES, numbers from validated thresholds
        )
        engine.materialise(
            f"burst_{side}_all",
            f"""
            SELECT g.account, g.bucket, g.off, f.tx_id, f.{party} AS party, f.t, f.amount
            FROM burst_{side}_groups AS g
            JOIN flows AS f ON f.{account} = g.account AND f.t BETWEEN g.t0 AND g.t1
            WHERE f.source IS NOT NULL AND f.target IS NOT NULL AND f.source <> f.target
            """,  # noqa: S608
        )
        # How often each account–counterparty pair deals at all, over the whole period.
        engine.materialise(
            f"burst_{side}_pairs",
            f"""
            SELECT p.account, p.party, count(*) AS times
            FROM (SELECT DISTINCT account, party FROM burst_{side}_all) AS p
            JOIN flows AS f ON f.{account} = p.account AND f.{party} = p.party
            GROUP BY 1, 2
            """,  # noqa: S608
        )
        engine.materialise(
            f"bursts_{side}",
            f"""
            SELECT g.account, g.bucket, g.off, count(*) AS parties, sum(g.n) AS n,
                   sum(g.total) AS total, min(g.t0) AS t0, max(g.t1) AS t1,
                   avg(CASE WHEN p.times > g.n THEN 1.0 ELSE 0.0 END) AS repeat_share
            FROM (
                SELECT account, bucket, off, party, count(*) AS n, sum(amount) AS total,
                       min(t) AS t0, max(t) AS t1
                FROM burst_{side}_all GROUP BY 1, 2, 3, 4
            ) AS g
            JOIN burst_{side}_pairs AS p ON p.account = g.account AND p.party = g.party
            JOIN activity AS a ON a.account = g.account
            GROUP BY g.account, g.bucket, g.off, a.{total}
            HAVING count(*) >= {th.group_min_counterparties}
               AND sum(g.total) >= {th.burst_min_total}
               AND avg(CASE WHEN p.times > g.n THEN 1.0 ELSE 0.0 END) <= {REPEAT_SHARE}
               AND sum(g.n) >= {RATE_FACTOR} * (a.{total} - sum(g.n)) * {window / max(span, window)}
            """,  # noqa: S608
        )
        engine.materialise(
            f"burst_{side}_members",
            f"""
            SELECT m.account, m.bucket, m.off, m.tx_id, m.party, m.t, m.amount
            FROM burst_{side}_all AS m
            JOIN bursts_{side} AS b
              ON b.account = m.account AND b.bucket = m.bucket AND b.off = m.off
            """,  # noqa: S608
        )


def _groups(
    engine: Engine, side: str, min_parties: int
) -> dict[tuple[str, int, int], list[dict[str, Any]]]:
    rows = engine.rows(
        f"""
        SELECT m.account, m.bucket, m.off, m.tx_id, m.party, m.t, m.amount
        FROM burst_{side}_members AS m
        JOIN bursts_{side} AS b
          ON b.account = m.account AND b.bucket = m.bucket AND b.off = m.off
        WHERE b.parties >= {min_parties}
        """  # noqa: S608
    )
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["account"], int(row["bucket"]), int(row["off"]))].append(row)
    return groups


def _finding(typology: str, hub: str, members: list[dict[str, Any]], **facts: Any) -> Finding:
    parties = {m["party"] for m in members}
    times = [int(m["t"]) for m in members]
    total = sum(float(m["amount"]) for m in members)
    return Finding(
        typology,
        {hub, *parties},
        {m["tx_id"] for m in members},
        min(times),
        max(times),
        score=min(0.99, 0.5 + 0.03 * len(parties) + 0.1 * min(1.0, total / 50_000)),
        facts={"counterparties": len(parties), "total_eur": round(total, 2), **facts},
    )


def fans(engine: Engine, th: Thresholds) -> list[Finding]:
    """Fan-out and fan-in: one unusual burst of at least `fan_min_counterparties`."""
    found = []
    for side, typology in (("out", "fan_out"), ("in", "fan_in")):
        for (account, _, _), members in _groups(engine, side, th.fan_min_counterparties).items():
            found.append(_finding(typology, account, members))
    return found


def gather_scatter(engine: Engine, th: Thresholds) -> list[Finding]:
    """Money gathered from many accounts, then scattered to many, by one hub."""
    gathered = _groups(engine, "in", th.group_min_counterparties)
    scattered = _groups(engine, "out", th.group_min_counterparties)
    by_hub: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    for (account, _, _), members in scattered.items():
        by_hub[account].append(members)
    found = []
    for (hub, _, _), incoming in gathered.items():
        start, end = min(m["t"] for m in incoming), max(m["t"] for m in incoming)
        received = sum(m["amount"] for m in incoming)
        for outgoing in by_hub.get(hub, []):
            first_out = min(m["t"] for m in outgoing)
            sent = sum(m["amount"] for m in outgoing)
            if start <= first_out <= end + th.gather_scatter_days * DAY and sent >= 0.5 * received:
                found.append(_finding("gather_scatter", hub, incoming + outgoing))
    return found


def scatter_gather(engine: Engine, th: Thresholds) -> list[Finding]:
    """Money scattered by one account to several, each passing most of it on within hours
    to the same destination."""
    legs = engine.rows(
        f"""
        SELECT m.account AS origin, m.bucket, m.off, m.party AS middle, m.tx_id AS first_tx,
               m.t AS first_t, m.amount AS first_amount, f.tx_id AS second_tx, f.t AS second_t,
               f.amount AS second_amount, f.target AS destination
        FROM burst_out_members AS m
        JOIN flows AS f
          ON f.source = m.party AND f.t > m.t AND f.t <= m.t + {th.hop_hours * HOUR}
         AND f.amount >= {th.kept_min} * m.amount AND f.amount <= m.amount
        WHERE f.target IS NOT NULL AND f.target <> m.account AND f.target <> m.party
        """  # noqa: S608
    )
    routes: dict[tuple[str, int, int, str], list[dict[str, Any]]] = defaultdict(list)
    for leg in legs:
        routes[(leg["origin"], leg["bucket"], leg["off"], leg["destination"])].append(leg)
    found = []
    for (origin, _, _, destination), through in routes.items():
        middles = {leg["middle"] for leg in through}
        if len(middles) < th.group_min_counterparties:
            continue
        members = [
            {"party": p, "tx_id": leg[f"{k}_tx"], "t": leg[f"{k}_t"], "amount": leg[f"{k}_amount"]}
            for leg in through
            for k, p in (("first", leg["middle"]), ("second", destination))
        ]
        found.append(_finding("scatter_gather", origin, members, intermediaries=len(middles)))
    return found


def layered_groups(engine: Engine, th: Thresholds) -> list[Finding]:
    """Bipartite and stacked layering: payments that are at once part of their payer's
    unusual burst out and of their payee's unusual burst in, grouped into connected sets.
    A set with accounts that both receive and pay inside it is a stack of layers."""
    edges = engine.rows(
        """
        SELECT DISTINCT o.account AS source, i.account AS target, o.tx_id, o.t, o.amount
        FROM burst_out_members AS o
        JOIN burst_in_members AS i ON i.tx_id = o.tx_id
        """
    )
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for e in edges:
        parent[root(e["source"])] = root(e["target"])
    components: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in edges:
        components[root(e["source"])].append(e)
    found = []
    for component in components.values():
        payers = {e["source"] for e in component}
        payees = {e["target"] for e in component}
        layers = payers & payees
        pairs = {(e["source"], e["target"]) for e in component}
        first, last = payers - layers, payees - layers
        density = len(pairs) / (len(payers) * len(payees))
        if len(first) < 2 or len(last) < 2:
            continue
        typology = "stack" if layers else "bipartite"
        if (typology == "stack" and len(layers) < 2) or (typology == "bipartite" and density < 0.5):
            continue
        times = [int(e["t"]) for e in component]
        total = sum(float(e["amount"]) for e in component)
        found.append(
            Finding(
                typology,
                payers | payees,
                {e["tx_id"] for e in component},
                min(times),
                max(times),
                score=min(0.99, 0.6 + 0.02 * len(pairs) + 0.2 * density),
                facts={
                    "payers": len(first),
                    "payees": len(last),
                    "layers": len(layers),
                    "density": round(density, 3),
                    "total_eur": round(total, 2),
                },
            )
        )
    return found
