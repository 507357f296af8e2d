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

import itertools
import math
import statistics
from collections import defaultdict
from typing import Any

from palermo.finintel.engine import Engine
from palermo.finintel.thresholds import DAY, HOUR, Thresholds
from palermo.finintel.typologies import Finding

# The account's side of a payment and its counterparty's, by direction.
SIDES = {"out": ("source", "target", "n_out"), "in": ("target", "source", "n_in")}
WINDOW_STARTS = 3
# A burst this many times the account's own rate is unusual.
RATE_FACTOR = 4
# At most this share of a burst's counterparties may deal with the account at other times.
REPEAT_SHARE = 0.5


def prepare(engine: Engine, th: Thresholds, span: int) -> None:
    """`bursts_in`/`bursts_out` (unusual bursts) and their members `burst_in_members`/
    `burst_out_members` (one row per payment)."""
    window = th.burst_days * DAY
    # Windows starting at thirds of a window: a burst up to two thirds of a window long
    # lies whole in one of them.
    offsets = ", ".join(f"({window * k // WINDOW_STARTS})" for k in range(WINDOW_STARTS))
    for side, (account, party, total) in SIDES.items():
        engine.materialise(
            f"burst_{side}_groups",
            f"""
            SELECT f.{account} AS account, o.off AS off,
                   CAST(floor((f.t + o.off) / {window}) AS BIGINT) AS bucket,
                   count(*) AS n, min(f.t) AS t0, max(f.t) AS t1
            FROM flows AS f
            JOIN activity AS a ON a.account = f.{account} AND a.n <= {th.hub_transactions}
            CROSS JOIN (VALUES {offsets}) AS o(off)
            WHERE f.source IS NOT NULL AND f.target IS NOT NULL AND f.source <> f.target
            GROUP BY 1, 2, 3
            HAVING count(*) >= {th.layer_min_counterparties}
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
            HAVING count(*) >= {th.layer_min_counterparties}
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
    total = math.fsum(float(m["amount"]) for m in members)
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
    """Fan-out and fan-in: one unusual burst of at least `fan_min_counterparties` payments
    of like amounts (a sum split, or gathered, in parts)."""
    found = []
    for side, typology in (("out", "fan_out"), ("in", "fan_in")):
        for (account, _, _), members in _groups(engine, side, th.fan_min_counterparties).items():
            variation = _variation([float(m["amount"]) for m in members])
            if variation <= th.fan_max_variation:
                found.append(_finding(typology, account, members, variation=round(variation, 3)))
    return found


def _variation(amounts: list[float]) -> float:
    """The coefficient of variation: 0 for equal parts."""
    return statistics.pstdev(amounts) / statistics.fmean(amounts)


def gather_scatter(engine: Engine, th: Thresholds) -> list[Finding]:
    """Money gathered from many accounts, then scattered to many, by one hub: most of what
    came in goes out, soon after it began to come in."""
    gathered = _bursts_by_account(_groups(engine, "in", th.group_min_counterparties))
    scattered = _bursts_by_account(_groups(engine, "out", th.group_min_counterparties))
    found = []
    for hub, bursts_in in gathered.items():
        for incoming in bursts_in:
            start = min(m["t"] for m in incoming)
            end = max(m["t"] for m in incoming) + th.gather_scatter_days * DAY
            outgoing = _merged(
                [b for b in scattered.get(hub, []) if start <= min(m["t"] for m in b) <= end]
            )
            received = math.fsum(m["amount"] for m in incoming)
            sent = math.fsum(m["amount"] for m in outgoing)
            if outgoing and th.kept_min * received <= sent <= received:
                found.append(_finding("gather_scatter", hub, incoming + outgoing))
    return found


def _bursts_by_account(
    groups: dict[tuple[str, int, int], list[dict[str, Any]]],
) -> dict[str, list[list[dict[str, Any]]]]:
    """Each account's bursts, those that overlap in time (the same burst seen through two
    windows, or a burst running on) merged into one."""
    by_account: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    for (account, _, _), members in groups.items():
        by_account[account].append(members)
    merged = {}
    for account, bursts in by_account.items():
        bursts.sort(key=lambda b: min(m["t"] for m in b))
        runs: list[list[list[dict[str, Any]]]] = []
        for burst in bursts:
            if runs and min(m["t"] for m in burst) <= max(m["t"] for b in runs[-1] for m in b):
                runs[-1].append(burst)
            else:
                runs.append([burst])
        merged[account] = [_merged(run) for run in runs]
    return merged


def _merged(bursts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return list({m["tx_id"]: m for burst in bursts for m in burst}.values())


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
    kept = []
    for component in _connected(edges, th.burst_days * DAY):
        payees_of: dict[str, set[str]] = defaultdict(set)
        payers_of: dict[str, set[str]] = defaultdict(set)
        for e in component:
            payees_of[e["source"]].add(e["target"])
            payers_of[e["target"]].add(e["source"])
        # A layer in the middle takes from several and pays several; an account that
        # merely also pays someone is not a layer.
        layers = {
            a for a, out in payees_of.items() if len(out) >= 2 and len(payers_of.get(a, ())) >= 2
        }
        first, last = set(payees_of) - set(payers_of), set(payers_of) - set(payees_of)
        # Three layers of at least two, or two groups of at least three mostly paying each
        # other.
        least = th.layer_min_counterparties if len(layers) >= 2 else th.group_min_counterparties
        if len(first) < least or len(last) < least:
            continue
        pairs = {(e["source"], e["target"]) for e in component}
        between = {(a, b) for a, b in pairs if a in first and b in last}
        density = len(between) / (len(first) * len(last))
        if len(layers) < 2 and density < 0.5:
            continue
        kept.append((component, layers, len(first), len(last), density))
    found = []
    for component, layers, payers, payees, density in kept:
        times = [int(e["t"]) for e in component]
        found.append(
            Finding(
                "stack" if len(layers) >= 2 else "bipartite",
                {e["source"] for e in component} | {e["target"] for e in component},
                {e["tx_id"] for e in component},
                min(times),
                max(times),
                score=min(0.99, 0.6 + 0.02 * len(component) + 0.2 * density),
                facts={
                    "payers": payers,
                    "payees": payees,
                    "layers": len(layers),
                    "density": round(density, 3),
                    "total_eur": round(math.fsum(float(e["amount"]) for e in component), 2),
                },
            )
        )
    return found


def _connected(edges: list[dict[str, Any]], gap: int) -> list[list[dict[str, Any]]]:
    """Payments linked by shared accounts into groups — but only payments close in time: a
    group member's unrelated burst months later is another group."""
    groups = _components(edges)
    found = []
    for group in groups:
        group.sort(key=lambda e: e["t"])
        piece = [group[0]]
        for previous, e in itertools.pairwise(group):
            if e["t"] - previous["t"] > gap:
                found.extend(_components(piece))
                piece = []
            piece.append(e)
        found.extend(_components(piece))
    return found


def _components(edges: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
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
    return list(components.values())
