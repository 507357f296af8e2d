"""A small ledger with one occurrence of every typology in ordinary background traffic."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Ledger:
    rows: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, set[str]] = field(default_factory=dict)

    def pay(
        self,
        source: str | None,
        target: str | None,
        amount: float,
        at: timedelta,
        *,
        channel: str = "wire",
        countries: tuple[str, str] = ("NL", "NL"),
        typology: str | None = None,
    ) -> str:
        tx_id = f"t{len(self.rows):06d}"
        self.rows.append(
            {
                "tx_id": tx_id,
                # Fractions of a second, as bank data has: both engines must floor them alike.
                "time": START + at + timedelta(microseconds=len(self.rows) * 7919 % 10**6),
                "source": source,
                "target": target,
                "amount": amount,
                "currency": "EUR",
                "amount_eur": amount,
                "source_bank": None if source is None else "BANK-A",
                "target_bank": None if target is None else "BANK-B",
                "source_country": None if source is None else countries[0],
                "target_country": None if target is None else countries[1],
                "channel": channel,
                "batch": "test",
            }
        )
        if typology:
            self.truth.setdefault(typology, set()).update(a for a in (source, target) if a)
        return tx_id

    def write_csv(self, path: Path) -> Path:
        """As a bank's return: one line per payment, cash sides empty."""
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["id", "when", "from", "to", "amount", "ccy", "from_cc", "to_cc", "kind"]
            )
            for r in sorted(self.rows, key=lambda r: r["time"]):
                writer.writerow(
                    [
                        r["tx_id"],
                        r["time"].isoformat(),
                        r["source"] or "",
                        r["target"] or "",
                        r["amount"],
                        r["currency"],
                        r["source_country"] or "",
                        r["target_country"] or "",
                        r["channel"],
                    ]
                )
        return path

    MAPPING = (
        "tx_id=id,time=when,source=from,target=to,amount=amount,currency=ccy,"
        "source_country=from_cc,target_country=to_cc,channel=kind"
    )

    def write(self, path: Path) -> Path:
        rows = sorted(self.rows, key=lambda r: r["time"])
        columns = {k: [r[k] for r in rows] for k in rows[0]}
        table = pa.table(columns).cast(
            pa.schema(
                [
                    (k, pa.timestamp("us", tz="UTC"))
                    if k == "time"
                    else (k, pa.float64())
                    if k.startswith("amount")
                    else (k, pa.string())
                    for k in columns
                ]
            )
        )
        pq.write_table(table, path)
        return path


def background(ledger: Ledger, accounts: int = 300, payments: int = 6000, seed: int = 3) -> None:
    """People paying each other ordinary sums; a payroll paying the same staff monthly; a
    shop taking card payments; ordinary cash deposits."""
    rng = random.Random(seed)
    people = [f"p{i:04d}" for i in range(accounts)]
    for _ in range(payments):
        a, b = rng.sample(people, 2)
        ledger.pay(
            a,
            b,
            round(rng.lognormvariate(4.5, 1.0), 2),
            timedelta(seconds=rng.randrange(180 * 86400)),
        )
    staff = people[:40]
    for month in range(6):
        for person in staff:
            ledger.pay("payroll", person, 2500.0, timedelta(days=30 * month + 25, hours=9))
    for _ in range(400):
        ledger.pay(
            rng.choice(people),
            "shop",
            round(rng.uniform(5, 300), 2),
            timedelta(seconds=rng.randrange(180 * 86400)),
            channel="card",
        )
    for person in rng.sample(people, 30):
        ledger.pay(
            None,
            person,
            round(rng.uniform(8000, 9900), 2),
            timedelta(days=rng.randrange(180)),
            channel="cash",
        )


def typologies(ledger: Ledger) -> None:
    day, hour = timedelta(days=1), timedelta(hours=1)
    # Structuring: six deposits of 9,000–9,800 in five days.
    for i in range(6):
        ledger.pay(
            None,
            "s-smurf",
            9000.0 + 150 * i,
            20 * day + i * 20 * hour,
            channel="cash",
            typology="structuring",
        )
    # Fan-out and fan-in.
    for i in range(8):
        ledger.pay("fo-origin", f"fo-{i}", 4000.0 + i, 30 * day + i * 3 * hour, typology="fan_out")
        ledger.pay(f"fi-{i}", "fi-sink", 3000.0 + i, 40 * day + i * 4 * hour, typology="fan_in")
    # Gather-scatter through one hub.
    for i in range(5):
        ledger.pay(
            f"gs-in-{i}", "gs-hub", 6000.0, 50 * day + i * 5 * hour, typology="gather_scatter"
        )
    for i in range(5):
        ledger.pay(
            "gs-hub", f"gs-out-{i}", 5500.0, 52 * day + i * 5 * hour, typology="gather_scatter"
        )
    # Scatter-gather: origin → four intermediaries → one destination within hours.
    for i in range(4):
        ledger.pay(
            "sg-origin", f"sg-mid-{i}", 7000.0, 60 * day + i * hour, typology="scatter_gather"
        )
        ledger.pay(
            f"sg-mid-{i}", "sg-dest", 6650.0, 60 * day + (i + 6) * hour, typology="scatter_gather"
        )
    # A cycle of five accounts through two countries.
    ring = [f"cy-{i}" for i in range(5)]
    amount = 50_000.0
    for i, account in enumerate(ring):
        following = ring[(i + 1) % len(ring)]
        ledger.pay(
            account,
            following,
            amount,
            70 * day + i * 20 * hour,
            countries=("NL", "AE") if i == 2 else ("AE", "NL") if i == 3 else ("NL", "NL"),
            typology="cycle",
        )
        amount *= 0.95
    # Bipartite: four payers each paying each of three payees.
    for i in range(4):
        for j in range(3):
            ledger.pay(
                f"bp-src-{i}",
                f"bp-dst-{j}",
                2000.0 + i + j,
                80 * day + (i * 3 + j) * hour,
                typology="bipartite",
            )
    # A stack: three layers of three.
    for layer in range(2):
        for i in range(3):
            for j in range(3):
                ledger.pay(
                    f"st-{layer}-{i}",
                    f"st-{layer + 1}-{j}",
                    3000.0 - layer * 100,
                    90 * day + layer * 30 * hour + (i * 3 + j) * hour,
                    typology="stack",
                )
    # Rapid pass-through: four times, a credit paid out within hours.
    for k in range(4):
        ledger.pay(
            f"rp-payer-{k}",
            "rp-mule",
            20_000.0,
            100 * day + k * 3 * day,
            typology="rapid_pass_through",
        )
        ledger.pay(
            "rp-mule",
            f"rp-payee-{k}",
            19_200.0,
            100 * day + k * 3 * day + 5 * hour,
            typology="rapid_pass_through",
        )
    # Cross-border layering through Iran.
    chain = [
        ("cb-0", "cb-1", "NL", "TR"),
        ("cb-1", "cb-2", "TR", "IR"),
        ("cb-2", "cb-3", "IR", "AE"),
        ("cb-3", "cb-4", "AE", "CH"),
    ]
    amount = 80_000.0
    for k, (a, b, ca, cb) in enumerate(chain):
        ledger.pay(
            a, b, amount, 110 * day + k * 10 * hour, countries=(ca, cb), typology="cross_border"
        )
        amount *= 0.93
    # A dormant account: active in January, silent until June, then a large sum in and out.
    ledger.pay("p0001", "dm-sleeper", 120.0, 2 * day)
    ledger.pay("dm-payer", "dm-sleeper", 60_000.0, 160 * day, typology="dormant")
    ledger.pay("dm-sleeper", "dm-payee", 58_000.0, 162 * day, typology="dormant")


def ledger_file(path: Path) -> tuple[Path, dict[str, set[str]]]:
    ledger = Ledger()
    background(ledger)
    typologies(ledger)
    return ledger.write(path), ledger.truth
