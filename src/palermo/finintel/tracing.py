"""Following the money: forward (where did it go?) or backward (where did it come from?),
over time-respecting hops, with amount attribution.

Each account's ledger is replayed in time order as lots: every credit is a lot, every debit
is paid from the lots that arrived *before* it — the oldest first (FIFO, the default) or
from all of them in proportion (pro rata, the "haircut" method). A debit larger than the
lots in the data is partly paid from funds of unknown origin (the account's balance before
the data begins). So a trace never attributes to a payment more than could have reached
it, and money cannot travel back in time.
"""

from __future__ import annotations

import enum
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from palermo.errors import Invalid, NotFound
from palermo.finintel.engine import DuckDBEngine
from palermo.translatable import N_

# Attributions smaller than this (EUR) are not followed further.
DEFAULT_MIN_AMOUNT = 50.0
MAX_HOPS = 10
# The busiest accounts reached at each hop that are followed further.
MAX_ACCOUNTS_PER_HOP = 500


class Direction(enum.StrEnum):
    forward = "forward"
    backward = "backward"


class Method(enum.StrEnum):
    fifo = "fifo"
    pro_rata = "pro_rata"


@dataclass(frozen=True)
class Move:
    tx_id: str
    t: datetime
    source: str | None
    target: str | None
    amount: float  # EUR
    source_country: str | None
    target_country: str | None
    source_bank: str | None
    target_bank: str | None


@dataclass(frozen=True)
class TracedFlow:
    hop: int
    move: Move
    attributed: float  # EUR of the traced money this payment carried

    def as_dict(self) -> dict[str, Any]:
        m = self.move
        return {
            "hop": self.hop,
            "tx_id": m.tx_id,
            "time": m.t.isoformat(),
            "source": m.source,
            "target": m.target,
            "amount_eur": round(m.amount, 2),
            "attributed_eur": round(self.attributed, 2),
            "source_country": m.source_country,
            "target_country": m.target_country,
            "source_bank": m.source_bank,
            "target_bank": m.target_bank,
        }


@dataclass
class Trace:
    direction: Direction
    origin: str  # an account, or a transaction id
    method: Method
    flows: list[TracedFlow] = field(default_factory=list)
    unknown_origin: float = 0.0  # EUR paid from funds older than the data (backward)

    def links(self) -> list[dict[str, Any]]:
        """Account to account, the attributed sums: what a Sankey diagram draws."""
        sums: dict[tuple[str, str], float] = defaultdict(float)
        for f in self.flows:
            sums[(f.move.source or "cash in", f.move.target or "cash out")] += f.attributed
        return [
            {"source": s, "target": t, "attributed_eur": round(v, 2)}
            for (s, t), v in sorted(sums.items(), key=lambda kv: -kv[1])
        ]

    def accounts(self) -> list[dict[str, Any]]:
        """Every account reached, with the traced money it received and sent."""
        seen: dict[str, dict[str, Any]] = {}
        for f in self.flows:
            m = f.move
            for account, country, bank, key in (
                (m.source, m.source_country, m.source_bank, "sent_eur"),
                (m.target, m.target_country, m.target_bank, "received_eur"),
            ):
                if account is None:
                    continue
                row = seen.setdefault(
                    account,
                    {
                        "account": account,
                        "country": country,
                        "bank": bank,
                        "hop": f.hop,
                        "received_eur": 0.0,
                        "sent_eur": 0.0,
                    },
                )
                row[key] = round(row[key] + f.attributed, 2)
                row["hop"] = min(row["hop"], f.hop)
        return sorted(seen.values(), key=lambda r: (r["hop"], -r["received_eur"]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction.value,
            "origin": self.origin,
            "method": self.method.value,
            "flows": [f.as_dict() for f in self.flows],
            "links": self.links(),
            "accounts": self.accounts(),
            "unknown_origin_eur": round(self.unknown_origin, 2),
        }


class Ledgers:
    """The payments of accounts, read from the store a hop at a time."""

    def __init__(self, files: Sequence[Path]) -> None:
        if not files:
            raise NotFound(N_("no transactions have been imported"))
        self.engine = DuckDBEngine()
        self.engine.load("tx", files)
        self.moves: dict[str, list[Move]] = {}

    def transaction(self, tx_id: str) -> Move | None:
        rows = self.engine.rows(f"SELECT {COLUMNS} FROM tx WHERE tx_id = ?", [tx_id])  # noqa: S608
        return _move(rows[0]) if rows else None

    def of(self, accounts: set[str]) -> dict[str, list[Move]]:
        wanted = sorted(a for a in accounts if a not in self.moves)
        if wanted:
            found: dict[str, list[Move]] = {a: [] for a in wanted}
            rows = self.engine.rows(
                f"SELECT {COLUMNS} FROM tx WHERE source IN (SELECT unnest($1))"  # noqa: S608
                " OR target IN (SELECT unnest($1)) ORDER BY t, tx_id",
                [wanted],
            )
            for row in rows:
                move = _move(row)
                for side in {move.source, move.target}:
                    if side in found:
                        found[side].append(move)
            self.moves.update(found)
        return {a: self.moves[a] for a in accounts}

    def close(self) -> None:
        self.engine.close()


COLUMNS = (
    "tx_id, time AS t, source, target, amount_eur AS amount, source_country, target_country,"
    " source_bank, target_bank"
)


def _move(row: dict[str, Any]) -> Move:
    return Move(**row)


def allocate(account: str, moves: list[Move], method: Method) -> dict[str, list[tuple[str, float]]]:
    """For each debit of `account`, the credits that paid it and how much of each; the
    id "" stands for funds of unknown origin. A debit is paid only from credits that
    arrived before it (at the same instant, the debit goes first)."""
    events = sorted(moves, key=lambda m: (m.t, m.source != account, m.tx_id))
    lots: deque[list[Any]] = deque()  # [credit tx_id, remaining]
    paid: dict[str, list[tuple[str, float]]] = {}
    for move in events:
        if move.target == account and move.source != account:
            lots.append([move.tx_id, move.amount])
            continue
        if move.source != account:
            continue
        need, sources = move.amount, []
        if method is Method.fifo:
            while need > 1e-9 and lots:
                take = min(need, lots[0][1])
                sources.append((lots[0][0], take))
                lots[0][1] -= take
                need -= take
                if lots[0][1] <= 1e-9:
                    lots.popleft()
        else:
            held = sum(lot[1] for lot in lots)
            share = min(1.0, need / held) if held > 0 else 0.0
            for lot in lots:
                sources.append((lot[0], lot[1] * share))
                need -= lot[1] * share
                lot[1] -= lot[1] * share
            while lots and lots[0][1] <= 1e-9:
                lots.popleft()
        if need > 1e-9:
            sources.append(("", need))
        paid[move.tx_id] = sources
    return paid


def trace(
    files: Sequence[Path],
    origin: str,
    *,
    direction: Direction = Direction.forward,
    hops: int = 4,
    since: datetime | None = None,
    until: datetime | None = None,
    min_amount: float = DEFAULT_MIN_AMOUNT,
    method: Method = Method.fifo,
) -> Trace:
    """Trace from an account (all its debits forward, all its credits backward, within the
    time window) or from one transaction."""
    if not 1 <= hops <= MAX_HOPS:
        raise Invalid(
            N_("hops must be between 1 and %(limit)s, not %(hops)s"),
            limit=MAX_HOPS,
            hops=hops,
        )
    ledgers = Ledgers(files)
    try:
        return _trace(ledgers, origin, direction, hops, since, until, min_amount, method)
    finally:
        ledgers.close()


def _trace(
    ledgers: Ledgers,
    origin: str,
    direction: Direction,
    hops: int,
    since: datetime | None,
    until: datetime | None,
    min_amount: float,
    method: Method,
) -> Trace:
    result = Trace(direction, origin, method)
    forward = direction is Direction.forward

    def inside(move: Move) -> bool:
        return (since is None or move.t >= since) and (until is None or move.t <= until)

    # The frontier: payments carrying traced money, and how much of it.
    frontier: dict[str, tuple[Move, float]] = {}
    start = ledgers.transaction(origin)
    if start is not None:
        frontier[start.tx_id] = (start, start.amount)
    else:
        history = ledgers.of({origin})[origin]
        if not history:
            raise NotFound(
                N_("no account or transaction %(origin)s in the imported transactions"),
                origin=repr(origin),
            )
        for move in history:
            mine = move.source == origin if forward else move.target == origin
            if mine and inside(move) and move.source != move.target:
                frontier[move.tx_id] = (move, move.amount)
    # Per account followed: where the traced money in each of its payments passes next —
    # forward, the debits a credit paid; backward, the credits ("" for funds of unknown
    # origin) that paid a debit.
    allocations: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for hop in range(1, hops + 1):
        for move, amount in frontier.values():
            result.flows.append(TracedFlow(hop, move, amount))
        if hop == hops:
            break
        # Where the traced money goes next: the next account's debits paid from it
        # (forward), or the previous account's credits that paid it (backward).
        heaviest: dict[str, float] = defaultdict(float)
        for move, amount in frontier.values():
            step = move.target if forward else move.source
            if step is not None and amount >= min_amount:
                heaviest[step] += amount
        followed = set(sorted(heaviest, key=lambda a: -heaviest[a])[:MAX_ACCOUNTS_PER_HOP])
        ledger = ledgers.of(followed)
        for account in followed:
            if account not in allocations:
                paid = allocate(account, ledger[account], method)
                allocations[account] = _by_credit(paid) if forward else paid
        by_id = {m.tx_id: m for a in followed for m in ledger[a]}
        following: dict[str, tuple[Move, float]] = {}
        for move, amount in frontier.values():
            step = move.target if forward else move.source
            if step not in followed:
                continue
            for next_id, part in allocations[step].get(move.tx_id, []):
                carried = amount * part / move.amount
                if next_id == "":
                    result.unknown_origin += carried
                    continue
                nxt = by_id[next_id]
                if carried < min_amount or not inside(nxt):
                    continue
                seen = following.get(nxt.tx_id)
                total = carried + (seen[1] if seen else 0.0)
                following[nxt.tx_id] = (nxt, min(total, nxt.amount))
        if not following:
            break
        frontier = following
    return result


def _by_credit(paid: dict[str, list[tuple[str, float]]]) -> dict[str, list[tuple[str, float]]]:
    """An allocation read the other way: for each credit, the debits it paid and how much."""
    funded: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for debit, sources in paid.items():
        for credit, amount in sources:
            funded[credit].append((debit, amount))
    return funded
