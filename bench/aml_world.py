"""An AMLworld-style synthetic transaction world for benchmarking laundering-typology
detectors (after IBM's AMLworld and AMLSim): ordinary banking with the shapes that make
naive detectors raise false alerts, and eleven laundering typologies injected at about one
transaction in 1,000, with the truth written beside them so precision and recall can be
measured honestly.

    .venv/bin/python bench/aml_world.py --transactions 1000000 --out /tmp/aml-1m --check

Background: ~N/10 accounts at 78 banks in 36 countries, laid out by country then bank.
Activity is heavy-tailed (Pareto weights): most accounts make a few payments while merchants
take tens of thousands of card payments (natural fan-in), payroll companies pay thousands of
employees on one day each month (natural fan-out) and exchanges both collect and pay out
(natural gather-scatter). People pay rent, utilities and subscriptions monthly; some move
their salary on within hours of receiving it; cash-intensive businesses and a few people
deposit 8,000 to 10,000 EUR in cash; one person-to-person payment in fifty is a large sum;
remittances reach the high-risk jurisdictions; some accounts go quiet for months and wake up
with small payments (a few with a large payout, half of it soon spent). Counterparties are
mostly at the same bank or in the same country. Amounts are log-normal, in the payer's
currency (cross-border wires often in USD) and converted to EUR with the fixed table
EUR_PER_UNIT.

Laundering (TYPOLOGIES), round-robin over the typologies until 1 in 1,000 transactions: each
pattern is compressed in time (hours to days, at most ~20 days), moves large-ish amounts
(chains keep 85-99% per hop) by wire or ACH at ordinary banks, and goes through ordinary
accounts that also have background activity, or fresh mule accounts opened shortly before.

Files in --out: transactions.parquet (the platform's canonical layout, sorted by time),
accounts.parquet, truth.parquet (pattern_id, typology, account, role: origin, destination,
hub, member, or mule for a fresh mule account), laundering_tx.parquet, meta.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

START_US = int(np.datetime64("2026-01-01T00:00:00", "us").astype(np.int64))
DAYS = 180
DAY = 86_400_000_000
HOUR = 3_600_000_000
END_US = START_US + DAYS * DAY
MONTH_US = np.arange("2026-01", "2026-07", dtype="datetime64[M]").astype("datetime64[us]")
MONTH_US = MONTH_US.astype(np.int64)  # the first of each month of the window
ROW_GROUP = 1_000_000
LAUNDERING_RATE = 1 / 1000
THRESHOLD_EUR = 10_000.0  # the cash reporting threshold structuring stays under
DORMANT_DAYS = 120

# Fixed illustrative rates (EUR per unit, about 2025 levels): the amounts need a stable
# conversion, not a market one.
EUR_PER_UNIT = {
    "EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05, "JPY": 0.0061, "CNY": 0.127,
    "AED": 0.25, "INR": 0.011, "BRL": 0.17, "RUB": 0.0102, "TRY": 0.027, "ZAR": 0.05,
    "NGN": 0.0006, "PLN": 0.23, "SEK": 0.088, "RON": 0.2, "CAD": 0.67, "HKD": 0.118,
    "SGD": 0.69, "VND": 0.000036, "LBP": 0.0000103, "IRR": 0.0000218, "MMK": 0.00044,
}  # fmt: skip
ZERO_DECIMALS = {"JPY", "VND"}

# (ISO alpha-2, currency, share of accounts, banks)
COUNTRIES = (
    ("IT", "EUR", 0.15, 5), ("DE", "EUR", 0.12, 5), ("FR", "EUR", 0.10, 4),
    ("ES", "EUR", 0.07, 3), ("NL", "EUR", 0.04, 3), ("BE", "EUR", 0.025, 2),
    ("AT", "EUR", 0.02, 2), ("PT", "EUR", 0.015, 2), ("GR", "EUR", 0.015, 2),
    ("IE", "EUR", 0.01, 2), ("LU", "EUR", 0.008, 2), ("MT", "EUR", 0.005, 1),
    ("CY", "EUR", 0.005, 1), ("MC", "EUR", 0.002, 1), ("CH", "CHF", 0.02, 3),
    ("GB", "GBP", 0.08, 4), ("PL", "PLN", 0.03, 2), ("SE", "SEK", 0.015, 2),
    ("RO", "RON", 0.015, 2), ("US", "USD", 0.08, 4), ("CA", "CAD", 0.015, 2),
    ("BR", "BRL", 0.02, 2), ("TR", "TRY", 0.02, 2), ("AE", "AED", 0.012, 2),
    ("IN", "INR", 0.02, 2), ("CN", "CNY", 0.02, 2), ("HK", "HKD", 0.008, 2),
    ("SG", "SGD", 0.006, 1), ("JP", "JPY", 0.01, 2), ("RU", "RUB", 0.01, 2),
    ("ZA", "ZAR", 0.008, 1), ("NG", "NGN", 0.008, 2), ("VN", "VND", 0.005, 1),
    ("LB", "LBP", 0.003, 1), ("IR", "IRR", 0.001, 1), ("MM", "MMK", 0.001, 1),
)  # fmt: skip

# High-risk jurisdictions, in the style of the FATF lists as they stood in 2024-25: the
# "call for action" list (KP, IR, MM) and jurisdictions then under increased monitoring
# (grey list). Illustrative, not the current list; a cross_border pattern passes through at
# least one of them, and background remittances reach those that have banks here.
HIGH_RISK = frozenset(
    {"KP", "IR", "MM", "SY", "YE", "VE", "HT", "SS", "LB", "MC", "NG", "VN", "ZA", "KE"}
)
# Where layering likes to go (financial centres), and how much more often legitimate
# cross-border payments go to remittance corridors than the account shares alone say.
LAYERING_BOOST = {"CY": 8, "MT": 8, "LU": 6, "AE": 8, "HK": 6, "SG": 5, "CH": 5, "MC": 8}
ABROAD_BOOST = {
    "NG": 6, "VN": 5, "IN": 3, "TR": 3, "BR": 2, "LB": 5, "RO": 3, "PL": 2, "CN": 2,
    "AE": 3, "CH": 2, "MC": 4, "ZA": 2, "IR": 6, "MM": 6, "US": 1.5, "GB": 1.5,
}  # fmt: skip

KINDS = ("person", "business", "merchant", "payroll_company", "exchange")
PERSON, BUSINESS, MERCHANT, PAYROLL, EXCHANGE = range(5)
KIND_SHARE = (0.885, 0.08, 0.0307, 0.004, 0.0003)
CHANNELS = ("wire", "ach", "card", "cheque", "cash", "crypto", "reinvestment")
WIRE, ACH, CARD, CHEQUE, CASH, CRYPTO, REINVEST = range(7)
TYPOLOGIES = (
    "structuring", "fan_out", "fan_in", "gather_scatter", "scatter_gather", "cycle",
    "bipartite", "stack", "rapid_pass_through", "cross_border", "dormant",
)  # fmt: skip

CODES = [c[0] for c in COUNTRIES]
CURRENCIES = list(EUR_PER_UNIT)
RATE = np.array(list(EUR_PER_UNIT.values()))
SCALE = np.array([1.0 if c in ZERO_DECIMALS else 100.0 for c in CURRENCIES])
COUNTRY_CURRENCY = np.array([CURRENCIES.index(c[1]) for c in COUNTRIES], np.int8)
USD = CURRENCIES.index("USD")

# Share of each hour of the day (UTC) for shop payments and for office-hours payments.
RETAIL = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 4, 5, 6, 7, 8, 7, 6, 6, 7, 8, 8, 7, 5, 4, 3, 2]
)
OFFICE = np.array([0.1] * 7 + [2, 6, 8, 8, 8, 5, 7, 8, 8, 6, 3] + [0.3] * 6)
RETAIL, OFFICE = RETAIL / RETAIL.sum(), OFFICE / OFFICE.sum()
WORKING = np.arange(7, 18)
OFFICE_WORKING = OFFICE[WORKING] / OFFICE[WORKING].sum()


def shares(weights: dict[str, float]) -> np.ndarray:
    """Country probabilities: account shares times a boost per country."""
    p = np.array([c[2] * weights.get(c[0], 1.0) for c in COUNTRIES])
    return p / p.sum()


@dataclass
class World:
    """The accounts, laid out by country then bank so each is a contiguous index range."""

    country: np.ndarray
    bank: np.ndarray
    kind: np.ndarray
    opened: np.ndarray  # microseconds since the epoch
    sleeper: np.ndarray  # 0 no, 1 quiet after January (the dormant pool), 2 wakes up in June
    mule: np.ndarray  # opened during the window: a candidate fresh mule
    bank_codes: list[str]
    bank_lo: np.ndarray
    bank_hi: np.ndarray
    country_lo: np.ndarray
    country_hi: np.ndarray

    @property
    def size(self) -> int:
        return len(self.kind)


def build_world(rng: np.random.Generator, n_accounts: int) -> World:
    bank_country, bank_sizes = [], []
    for ci, (_, _, share, banks) in enumerate(COUNTRIES):
        total = max(round(share * n_accounts), 25 * banks)
        big_first = 1 / np.arange(1, banks + 1) ** 0.8
        sizes = np.floor(total * big_first / big_first.sum()).astype(int)
        sizes[0] += total - sizes.sum()
        bank_country += [ci] * banks
        bank_sizes += sizes.tolist()
    per_bank = np.array(bank_sizes)
    bank = np.repeat(np.arange(len(per_bank)), per_bank).astype(np.int16)
    country = np.array(bank_country, np.int16)[bank]
    n = len(bank)
    kind = rng.choice(len(KINDS), n, p=KIND_SHARE).astype(np.int8)
    kind[rng.choice(n, 3, replace=False)] = EXCHANGE  # a world has a few, however small
    opened = START_US - (rng.uniform(30, 15 * 365, n) * DAY).astype(np.int64)
    movable = (kind == PERSON) | (kind == BUSINESS)
    recent = movable & (rng.random(n) < 0.05)
    opened[recent] = START_US + (rng.uniform(0, DAYS - 10, recent.sum()) * DAY).astype(np.int64)
    mule = (kind == PERSON) & recent & (rng.random(n) < 0.3)
    sleeper = np.zeros(n, np.int8)
    quiet = (kind == PERSON) & ~recent & (rng.random(n) < 0.008)
    sleeper[quiet] = rng.integers(1, 3, quiet.sum())
    bank_hi = np.cumsum(per_bank)
    country_hi = np.cumsum(np.bincount(country, minlength=len(COUNTRIES)))
    return World(
        country=country,
        bank=bank,
        kind=kind,
        opened=opened,
        sleeper=sleeper,
        mule=mule,
        bank_codes=[f"BK{j + 1:02d}{CODES[c]}XX" for j, c in enumerate(bank_country)],
        bank_lo=bank_hi - per_bank,
        bank_hi=bank_hi,
        country_lo=np.concatenate(([0], country_hi[:-1])),
        country_hi=country_hi,
    )


class Sampler:
    """Draws accounts in proportion to a weight, from everyone or from index ranges (one
    country or bank each) with one searchsorted over the cumulative weights."""

    def __init__(self, weights: np.ndarray) -> None:
        self.cdf = np.cumsum(weights, dtype=np.float64)
        self.before = np.concatenate(([0.0], self.cdf))

    def any(self, rng: np.random.Generator, k: int) -> np.ndarray:
        u = rng.random(k) * self.cdf[-1]
        return np.minimum(np.searchsorted(self.cdf, u, side="right"), len(self.cdf) - 1)

    def within(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        a, b = self.before[lo], self.before[hi]
        u = a + rng.random(len(lo)) * (b - a)
        out = np.minimum(np.searchsorted(self.cdf, u, side="right"), hi - 1)
        empty = b <= a  # nobody of that kind there: anyone anywhere
        out[empty] = self.any(rng, int(empty.sum()))
        return out


@dataclass
class Ledger:
    """Transactions as parallel arrays, gathered in parts and joined once; amounts in EUR
    until `finish` converts them. Source or target -1 is the cash side."""

    parts: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def add(self, src: Any, tgt: Any, t: np.ndarray, eur: np.ndarray, chan: Any, pattern: Any = -1):
        k = len(t)
        self.parts.append(
            (
                np.broadcast_to(np.asarray(src, np.int32), k),
                np.broadcast_to(np.asarray(tgt, np.int32), k),
                np.asarray(t, np.int64),
                np.asarray(eur, np.float64),
                np.broadcast_to(np.asarray(chan, np.int8), k),
                np.broadcast_to(np.asarray(pattern, np.int32), k),
            )
        )

    def __len__(self) -> int:
        return sum(len(p[2]) for p in self.parts)

    def columns(self) -> list[np.ndarray]:
        return [np.concatenate(c) for c in zip(*self.parts, strict=True)]


def lognormal(rng: np.random.Generator, median: float, sigma: float, k: int) -> np.ndarray:
    return np.maximum(median * np.exp(sigma * rng.standard_normal(k)), 1.0)


def moments(rng: np.random.Generator, k: int, profile: np.ndarray, days=(0, DAYS)) -> np.ndarray:
    """Times on uniformly drawn days at hours drawn from `profile`."""
    day = rng.integers(days[0], days[1], k)
    hour = rng.choice(24, k, p=profile)
    return START_US + day * DAY + hour * HOUR + rng.integers(0, HOUR, k)


class Background:
    """Ordinary banking, each kind of payment drawn for all accounts at once."""

    def __init__(self, rng: np.random.Generator, world: World) -> None:
        self.rng, self.w = rng, world
        n, kind, w = world.size, world.kind, world
        old = w.opened < START_US
        awake = w.sleeper == 0
        pareto = rng.pareto
        person = np.where((kind == PERSON) & awake, np.minimum(pareto(1.5, n) + 1, 300), 0.0)
        person[w.mule] *= 0.3  # new accounts are used little
        self.person = Sampler(person)
        self.person_old = Sampler(person * old)
        self.merchant = Sampler(np.where(kind == MERCHANT, pareto(1.3, n) + 1, 0.0))
        trader = np.isin(kind, (BUSINESS, MERCHANT, PAYROLL))
        firm = np.where(trader, pareto(1.4, n) + 1, 0.0)
        self.firm = Sampler(firm)
        self.firm_old = Sampler(firm * old * (kind != PAYROLL))
        employer = np.where(kind == PAYROLL, pareto(1.1, n) + 1, 0.0)
        employer += np.where((kind == BUSINESS) & old, 0.05 * (pareto(1.5, n) + 1), 0.0)
        self.employer = Sampler(employer)
        self.exchange = Sampler(np.where(kind == EXCHANGE, pareto(1.2, n) + 1, 0.0))
        self.abroad_p = shares(ABROAD_BOOST)
        self.regular = np.flatnonzero((kind == PERSON) & old & awake & ~w.mule)

    def near(self, sampler: Sampler, src: np.ndarray, p_bank: float, p_country: float):
        """Counterparties of `src`: at its bank, in its country, or abroad (corridors first)."""
        rng, w = self.rng, self.w
        u = rng.random(len(src))
        c = w.country[src]
        lo, hi = w.country_lo[c], w.country_hi[c]
        at_bank = u < p_bank
        b = w.bank[src[at_bank]]
        lo[at_bank], hi[at_bank] = w.bank_lo[b], w.bank_hi[b]
        abroad = u >= p_bank + p_country
        fc = rng.choice(len(COUNTRIES), int(abroad.sum()), p=self.abroad_p)
        lo[abroad], hi[abroad] = w.country_lo[fc], w.country_hi[fc]
        return sampler.within(rng, lo, hi)

    def pick(self, k: int, p: list[float]) -> np.ndarray:
        return self.rng.choice(len(p), k, p=np.array(p) / sum(p))

    def build(self, total: int) -> list[np.ndarray]:
        """`total` transactions as Ledger columns."""
        out = Ledger()
        rng = self.rng
        self.sleepers(out)
        employees, paid_at, salary = self.salaries(out, round(0.12 * total / 6))
        self.bills(out, round(0.15 * total / 6), employees, paid_at, salary)
        self.cash(out, round(0.08 * total), round(0.001 * total))
        self.card(out, round(0.34 * total))
        self.firms(out, round(0.08 * total))
        self.exchanges(out, round(0.05 * total))
        self.reinvestment(out, round(0.005 * total))
        self.p2p(out, max(total - len(out), 0))
        src, tgt, t, eur, chan, pattern = out.columns()
        # Nobody pays from or to an account before it is opened.
        lo = np.maximum(self.w.opened[np.maximum(src, 0)], self.w.opened[np.maximum(tgt, 0)])
        early = t < lo
        t[early] = lo[early] + (rng.random(int(early.sum())) * (END_US - lo[early])).astype(
            np.int64
        )
        return [src, tgt, t, eur, chan, pattern]

    def sleepers(self, out: Ledger) -> None:
        """Activity in January only; half of the sleepers come back in June with small sums,
        and one in ten of those with a large payout (an inheritance, an insurance claim), half
        of which is soon spent at a business: what a naive dormancy rule flags."""
        rng, w = self.rng, self.w
        for group, days, median, often in (
            (w.sleeper > 0, (0, 25), 60.0, 2.0),
            (w.sleeper == 2, (150, DAYS), 35.0, 1.5),
        ):
            who = np.flatnonzero(group)
            acct = np.repeat(who, 1 + rng.poisson(often, len(who)))
            k = len(acct)
            card = rng.random(k) < 0.5
            shop = self.near(self.merchant, acct[card], 0, 0.9)
            out.add(
                acct[card],
                shop,
                moments(rng, len(shop), RETAIL, days),
                lognormal(rng, median * 0.5, 0.8, len(shop)),
                CARD,
            )
            acct = acct[~card]
            peer = self.near(self.person_old, acct, 0.3, 0.65)  # not moved by a later opening
            pays = rng.random(len(acct)) < 0.5
            out.add(
                np.where(pays, acct, peer),
                np.where(pays, peer, acct),
                moments(rng, len(acct), OFFICE, days),
                lognormal(rng, median, 0.8, len(acct)),
                ACH,
            )
        woken = np.flatnonzero(w.sleeper == 2)
        woken = woken[rng.random(len(woken)) < 0.1]
        k = len(woken)
        payer = self.near(self.firm_old, woken, 0.0, 1.0)
        paid_at, payout = moments(rng, k, OFFICE, (150, DAYS - 8)), lognormal(rng, 20000, 0.7, k)
        out.add(payer, woken, paid_at, payout, WIRE)
        spend = rng.random(k) < 0.5
        seller = self.near(self.firm_old, woken[spend], 0.2, 0.8)
        later = paid_at[spend] + rng.integers(HOUR, 7 * DAY, int(spend.sum()))
        share = rng.uniform(0.6, 0.95, int(spend.sum()))
        out.add(woken[spend], seller, later, payout[spend] * share, WIRE)

    def salaries(self, out: Ledger, n: int):
        """Monthly pay from payroll companies (few, some huge) and businesses, the same day
        and hour for all of an employer's staff."""
        rng, size = self.rng, self.w.size
        employees = rng.choice(self.regular, min(n, len(self.regular)), replace=False)
        employer = self.near(self.employer, employees, 0.0, 0.97)
        pay_day = rng.integers(23, 29, size)[employer]
        pay_hour = rng.integers(1 * HOUR, 6 * HOUR, size)[employer]
        salary = np.minimum(lognormal(rng, 2300, 0.45, len(employees)), 40_000)
        paid_at = np.empty((len(MONTH_US), len(employees)), np.int64)
        for m, month in enumerate(MONTH_US):
            paid_at[m] = (
                month
                + (pay_day - 1) * DAY
                + pay_hour
                + rng.integers(0, 600_000_000, len(employees))
            )
            amount = salary * rng.normal(1, 0.01, len(employees))
            out.add(employer, employees, paid_at[m], amount, ACH)
        return employees, paid_at, salary

    def bills(self, out: Ledger, n: int, employees, paid_at, salary) -> None:
        """Rent, utilities and subscriptions, monthly at fixed amounts and days; some people
        pay rent or move most of their salary on within hours of being paid."""
        rng = self.rng
        linked = min(round(0.06 * n), len(employees))
        who = rng.choice(len(employees), linked, replace=False)
        payer = employees[who]
        sweep = rng.random(linked) < 0.5
        target = np.where(
            sweep,
            self.near(self.person_old, payer, 0.0, 1.0),  # an account at another bank
            self.near(self.person_old, payer, 0.3, 0.7),  # a landlord
        )
        share = np.where(sweep, rng.uniform(0.9, 0.98, linked), rng.uniform(0.25, 0.45, linked))
        for m in range(len(MONTH_US)):
            later = paid_at[m, who] + rng.integers(1 * HOUR, 6 * HOUR, linked)
            out.add(payer, target, later, salary[who] * share, np.where(sweep, WIRE, ACH))
        k = n - linked
        payer = self.regular[rng.integers(0, len(self.regular), k)]
        what = self.pick(k, [0.35, 0.45, 0.2])  # rent, utility, subscription
        payee = self.near(self.merchant, payer, 0.0, 0.9)
        rent, utility = what == 0, what == 1
        landlord_person = rent & (rng.random(k) < 0.5)
        payee[landlord_person] = self.near(self.person_old, payer[landlord_person], 0.3, 0.7)
        firm = (rent & ~landlord_person) | utility
        payee[firm] = self.near(self.firm_old, payer[firm], 0.1, 0.9)
        amount = np.choose(
            what, [lognormal(rng, m, s, k) for m, s in ((750, 0.4), (80, 0.6), (15, 0.6))]
        )
        day = np.where(rent, rng.integers(1, 6, k), rng.integers(1, 28, k))
        hour = rng.choice(24, k, p=OFFICE) * HOUR + rng.integers(0, HOUR, k)
        channel = self.pick(k, [0.1, 0.85, 0, 0.05])
        for month in MONTH_US:
            late = (rng.random(k) < 0.15) * rng.integers(1, 3, k)
            varies = np.where(utility, rng.uniform(0.75, 1.25, k), 1.0)
            out.add(payer, payee, month + (day - 1 + late) * DAY + hour, amount * varies, channel)

    def cash(self, out: Ledger, n: int, near_threshold: int) -> None:
        """ATM withdrawals, shop takings paid in, and legitimate deposits just under the
        reporting threshold: cash-intensive businesses (some several a week) and one-offs."""
        rng = self.rng
        k = round(0.6 * n)
        person = self.person.any(rng, k)
        out.add(person, -1, moments(rng, k, RETAIL), lognormal(rng, 120, 0.8, k), CASH)
        k = round(0.25 * n)
        firm = self.firm.any(rng, k)
        out.add(-1, firm, moments(rng, k, OFFICE), lognormal(rng, 900, 0.9, k), CASH)
        k = n - round(0.6 * n) - round(0.25 * n)
        person = self.person.any(rng, k)
        out.add(-1, person, moments(rng, k, OFFICE), lognormal(rng, 250, 1.0, k), CASH)
        traders = np.flatnonzero(np.isin(self.w.kind, (BUSINESS, MERCHANT)))
        shops = rng.choice(traders, max(2, near_threshold // 15), replace=False)
        busy = rng.pareto(1.0, len(shops)) + 1
        k = near_threshold
        who = np.where(
            rng.random(k) < 0.7,
            rng.choice(shops, k, p=busy / busy.sum()),
            self.person.any(rng, k),
        )
        out.add(-1, who, moments(rng, k, OFFICE), rng.uniform(8000, 10_000, k), CASH)

    def card(self, out: Ledger, n: int) -> None:
        rng = self.rng
        src = self.person.any(rng, n)
        shop = self.near(self.merchant, src, 0.0, 0.95)
        out.add(src, shop, moments(rng, n, RETAIL), lognormal(rng, 30, 1.0, n), CARD)

    def firms(self, out: Ledger, n: int) -> None:
        rng = self.rng
        src = self.firm.any(rng, n)
        tgt = self.near(self.firm, src, 0.15, 0.75)
        chan = self.pick(n, [0.55, 0.35, 0, 0.1])
        out.add(src, tgt, moments(rng, n, OFFICE), lognormal(rng, 2500, 1.3, n), chan)

    def exchanges(self, out: Ledger, n: int) -> None:
        """People buying from and selling to exchanges and payment processors."""
        rng = self.rng
        person = self.person.any(rng, n)
        venue = self.near(self.exchange, person, 0.0, 0.6)
        selling = rng.random(n) < 0.5
        amount = np.minimum(lognormal(rng, 300, 1.5, n), 500_000)
        chan = np.where(rng.random(n) < 0.5, CRYPTO, WIRE)
        src, tgt = np.where(selling, person, venue), np.where(selling, venue, person)
        out.add(src, tgt, moments(rng, n, RETAIL), amount, chan)

    def reinvestment(self, out: Ledger, n: int) -> None:
        """A business reinvesting in itself (AMLworld's payment format): source is target."""
        rng = self.rng
        firm = self.firm.any(rng, n)
        out.add(firm, firm, moments(rng, n, OFFICE), lognormal(rng, 5000, 1.0, n), REINVEST)

    def p2p(self, out: Ledger, n: int) -> None:
        """Transfers between people; those abroad are remittances, by wire and larger, and
        one in fifty is a large sum (a car, a deposit on a flat) like a laundering payment."""
        rng, w = self.rng, self.w
        src = self.person.any(rng, n)
        tgt = self.near(self.person, src, 0.3, 0.64)
        abroad = w.country[src] != w.country[tgt]
        amount = np.where(abroad, lognormal(rng, 350, 0.9, n), lognormal(rng, 90, 1.2, n))
        large = rng.random(n) < 0.02
        amount[large] = lognormal(rng, 9000, 0.9, int(large.sum()))
        chan = np.where(abroad, WIRE, self.pick(n, [0.45, 0.5, 0, 0.05]))
        out.add(src, tgt, moments(rng, n, OFFICE), amount, chan)


@dataclass
class Pattern:
    typology: str
    roles: dict[int, str] = field(default_factory=dict)
    tx: list[tuple[int, int, int, float, int]] = field(default_factory=list)

    def pay(self, src: int, tgt: int, t: float, eur: float, chan: int) -> None:
        self.tx.append((src, tgt, int(t), float(eur), chan))


class Launderers:
    """Injects the typologies, one pattern at a time, into accounts of the world: ordinary
    ones (which keep their background activity) and fresh mules opened days before."""

    P_MULE = 0.35

    def __init__(self, rng: np.random.Generator, world: World) -> None:
        self.rng, self.w = rng, world
        old = (world.opened < START_US) & (world.sleeper == 0) & ~world.mule
        self.people = np.flatnonzero(old & (world.kind == PERSON))
        self.firms = np.flatnonzero(old & (world.kind == BUSINESS))
        mules = rng.permutation(np.flatnonzero(world.mule))
        self.mules = {c: list(mules[world.country[mules] == c]) for c in range(len(COUNTRIES))}
        self.fresh: set[int] = set()
        self.sleepers = list(rng.permutation(np.flatnonzero(world.sleeper == 1)))
        self.layering_p = shares(LAYERING_BOOST)
        self.high_risk = [i for i, c in enumerate(CODES) if c in HIGH_RISK]

    # accounts

    def ordinary(self, taken: set[int], country: int | None = None, firm: bool = False) -> int:
        pool = self.firms if firm or self.rng.random() < 0.3 else self.people
        if country is not None:
            lo, hi = np.searchsorted(pool, (self.w.country_lo[country], self.w.country_hi[country]))
            pool = pool[lo:hi] if hi - lo > len(taken) + 1 else pool
        while True:
            acct = int(pool[self.rng.integers(0, len(pool))])
            if acct not in taken:
                taken.add(acct)
                return acct

    def member(self, taken: set[int], t0: int, country: int, p_mule: float = P_MULE) -> int:
        """An intermediary: a fresh mule when one is left in that country, else ordinary."""
        spare = self.mules[country]
        if spare and self.rng.random() < p_mule:
            acct = int(spare.pop())
            self.w.opened[acct] = t0 - int(self.rng.uniform(2, 30) * DAY)
            self.fresh.add(acct)
            taken.add(acct)
            return acct
        return self.ordinary(taken, country)

    def abroad(self, home: int) -> int:
        while True:
            c = int(self.rng.choice(len(COUNTRIES), p=self.layering_p))
            if c != home:
                return c

    def home(self) -> int:
        return int(self.rng.choice(len(COUNTRIES), p=shares({})))

    def where(self, home: int, p_abroad: float) -> int:
        return self.abroad(home) if self.rng.random() < p_abroad else home

    # time, amounts, channels

    def start(self, latest_day: int = DAYS - 30, earliest_day: int = 1) -> int:
        day = self.rng.integers(earliest_day, latest_day)
        hour = int(self.rng.choice(24, p=OFFICE))
        return START_US + int(day) * DAY + hour * HOUR + self.minutes()

    def after(self, t: int, lo: float, hi: float) -> int:
        """`lo` to `hi` hours after `t`; at night, nine times in ten, moved on to the next
        working morning, so that laundering does not stand out by the hour."""
        t += int(self.rng.uniform(lo, hi) * HOUR)
        hour = t % DAY // HOUR
        if (hour < 7 or hour >= 18) and self.rng.random() < 0.9:
            day = t - t % DAY + (DAY if hour >= 18 else 0)
            t = day + int(self.rng.choice(WORKING, p=OFFICE_WORKING)) * HOUR + self.minutes()
        return t

    def minutes(self) -> int:
        return int(self.rng.integers(0, HOUR))

    def keep(self) -> float:
        return float(self.rng.uniform(0.85, 0.99))

    def amount(self, median: float, sigma: float = 0.5) -> float:
        return float(lognormal(self.rng, median, sigma, 1)[0])

    def split(self, total: float, k: int) -> np.ndarray:
        parts = self.rng.uniform(0.8, 1.2, k)
        return total * parts / parts.sum()

    def chan(self, a: int, b: int) -> int:
        if self.w.country[a] != self.w.country[b]:
            return WIRE
        return int(self.rng.choice((WIRE, ACH, CHEQUE), p=(0.6, 0.35, 0.05)))

    def role(self, p: Pattern, acct: int, role: str) -> None:
        p.roles.setdefault(acct, "mule" if acct in self.fresh else role)

    def pay(self, p: Pattern, a: int, b: int, t: float, eur: float) -> None:
        p.pay(a, b, t, eur, self.chan(a, b))

    # typologies

    def structuring(self, p: Pattern) -> None:
        rng, taken, t0 = self.rng, set(), self.start()
        first = self.ordinary(taken)
        c = int(self.w.country[first])
        same_person = int(rng.integers(1, 3)) if rng.random() < 0.3 else 0
        accounts = [first] + [self.ordinary(taken, c) for _ in range(same_person)]
        k = int(rng.integers(4, 13))
        span = int(rng.integers(1, 8))
        days = np.sort(rng.integers(0, span, k))
        into = rng.choice(accounts, k)
        paid = dict.fromkeys(accounts, 0.0)
        last = t0
        for d, a in zip(days, into, strict=True):
            t = t0 - t0 % DAY + int(d) * DAY + int(rng.choice(24, p=OFFICE)) * HOUR + self.minutes()
            eur = THRESHOLD_EUR * rng.uniform(0.80, 0.99)
            p.pay(-1, int(a), t, eur, CASH)
            paid[int(a)] += eur
            last = max(last, t)
        # Only the accounts the cash went into take part (a spare one may get none).
        for a, total in paid.items():
            if total:
                self.role(p, a, "hub")
        if rng.random() < 0.7:
            dest = self.ordinary(taken, self.where(c, 0.4))
            self.role(p, dest, "destination")
            for a, total in paid.items():
                if total:
                    self.pay(p, a, dest, self.after(last, 4, 72), total * self.keep())

    def fan_out(self, p: Pattern) -> None:
        taken, t0 = set(), self.start()
        origin = self.ordinary(taken, firm=self.rng.random() < 0.5)
        c = int(self.w.country[origin])
        self.role(p, origin, "origin")
        each, span = self.amount(9000), self.rng.uniform(6, 60)
        for _ in range(self.rng.integers(5, 16)):
            m = self.member(taken, t0, self.where(c, 0.2))
            self.role(p, m, "member")
            self.pay(p, origin, m, self.after(t0, 0, span), each * self.rng.uniform(0.9, 1.1))

    def fan_in(self, p: Pattern) -> None:
        taken, t0 = set(), self.start()
        dest = self.ordinary(taken, firm=self.rng.random() < 0.5)
        c = int(self.w.country[dest])
        self.role(p, dest, "destination")
        each, span = self.amount(9000), self.rng.uniform(6, 60)
        for _ in range(self.rng.integers(5, 16)):
            m = self.member(taken, t0, self.where(c, 0.2))
            self.role(p, m, "member")
            self.pay(p, m, dest, self.after(t0, 0, span), each * self.rng.uniform(0.9, 1.1))

    def gather_scatter(self, p: Pattern) -> None:
        rng, taken, t0 = self.rng, set(), self.start()
        hub = self.member(taken, t0, self.home(), p_mule=0.5)
        c = int(self.w.country[hub])
        self.role(p, hub, "hub")
        total, last = 0.0, t0
        for _ in range(rng.integers(5, 13)):
            m = self.ordinary(taken, self.where(c, 0.2))
            self.role(p, m, "member")
            t, eur = self.after(t0, 0, 48), self.amount(8000)
            self.pay(p, m, hub, t, eur)
            total, last = total + eur, max(last, t)
        outs = self.split(total * self.keep(), int(rng.integers(5, 13)))
        for eur in outs:
            m = self.member(taken, t0, self.where(c, 0.3))
            self.role(p, m, "member")
            self.pay(p, hub, m, self.after(last, 1, 72), eur)

    def scatter_gather(self, p: Pattern) -> None:
        rng, taken, t0 = self.rng, set(), self.start()
        origin = self.ordinary(taken)
        c = int(self.w.country[origin])
        dest = self.ordinary(taken, self.where(c, 0.3))
        self.role(p, origin, "origin")
        self.role(p, dest, "destination")
        for eur in self.split(self.amount(40000, 0.6), int(rng.integers(4, 11))):
            m = self.member(taken, t0, self.where(c, 0.2))
            self.role(p, m, "member")
            t = self.after(t0, 0, 24)
            self.pay(p, origin, m, t, eur)
            self.pay(p, m, dest, self.after(t, 1, 72), eur * self.keep())

    def cycle(self, p: Pattern) -> None:
        """Round-tripping when it crosses borders (half of them): back to the origin."""
        rng, taken, t0 = self.rng, set(), self.start()
        origin = self.ordinary(taken)
        c = int(self.w.country[origin])
        n = int(rng.integers(3, 11))
        cross = rng.random() < 0.5
        ring = [origin]
        for i in range(1, n):
            there = self.abroad(c) if cross and (i == 1 or rng.random() < 0.5) else c
            ring.append(self.member(taken, t0, there))
        self.role(p, origin, "origin")
        for a in ring[1:]:
            self.role(p, a, "member")
        t, eur = t0, self.amount(50000, 0.6)
        for i in range(n):
            t = self.after(t, 1, 36)
            self.pay(p, ring[i], ring[(i + 1) % n], t, eur)
            eur *= self.keep()

    def bipartite(self, p: Pattern) -> None:
        rng, taken, t0 = self.rng, set(), self.start()
        c = self.home()
        sources = [self.ordinary(taken, self.where(c, 0.2)) for _ in range(rng.integers(3, 7))]
        targets = [self.member(taken, t0, self.where(c, 0.2)) for _ in range(rng.integers(3, 7))]
        for a in sources:
            self.role(p, a, "origin")
        for b in targets:
            self.role(p, b, "destination")
        each, span = self.amount(8000, 0.3), rng.uniform(24, 96)
        for a in sources:
            k = int(rng.integers(int(np.ceil(0.6 * len(targets))), len(targets) + 1))
            for b in rng.choice(targets, k, replace=False):
                self.pay(p, a, int(b), self.after(t0, 0, span), each * rng.uniform(0.85, 1.15))

    def stack(self, p: Pattern) -> None:
        """Three layers, each paying most of the next; the middle passes on what it got."""
        rng, taken, t0 = self.rng, set(), self.start()
        c = self.home()
        first = [self.ordinary(taken, self.where(c, 0.2)) for _ in range(rng.integers(3, 6))]
        middle = [self.member(taken, t0, self.where(c, 0.2)) for _ in range(rng.integers(3, 6))]
        last = [self.ordinary(taken, self.where(c, 0.3)) for _ in range(rng.integers(3, 6))]
        for layer, role in ((first, "origin"), (middle, "member"), (last, "destination")):
            for a in layer:
                self.role(p, a, role)
        got = dict.fromkeys(middle, 0.0)
        sent = t0
        for a in first:
            k = int(rng.integers(int(np.ceil(0.6 * len(middle))), len(middle) + 1))
            chosen = rng.choice(middle, k, replace=False)
            for b, eur in zip(chosen, self.split(self.amount(30000), k), strict=True):
                t = self.after(t0, 0, 12)
                self.pay(p, a, int(b), t, eur)
                got[int(b)] += eur
                sent = max(sent, t)
        t1 = self.after(sent, 2, 4)
        for b, total in got.items():
            if not total:
                continue
            k = int(rng.integers(int(np.ceil(0.6 * len(last))), len(last) + 1))
            for d, eur in zip(
                rng.choice(last, k, replace=False), self.split(total * self.keep(), k), strict=True
            ):
                self.pay(p, b, int(d), self.after(t1, 0, 12), eur)

    def rapid_pass_through(self, p: Pattern) -> None:
        rng, taken, t0 = self.rng, set(), self.start()
        hub = self.member(taken, t0, self.home(), p_mule=0.5)
        c = int(self.w.country[hub])
        self.role(p, hub, "hub")
        for d in np.sort(rng.uniform(0, 14, rng.integers(3, 7))):
            sender = self.ordinary(taken, self.where(c, 0.3))
            self.role(p, sender, "origin")
            t, eur = self.after(t0, d * 24, d * 24), self.amount(15000)
            self.pay(p, sender, hub, t, eur)
            k = int(rng.integers(1, 3))
            for part in self.split(eur * rng.uniform(0.90, 0.99), k):
                dest = self.ordinary(taken, self.where(c, 0.3))
                self.role(p, dest, "destination")
                self.pay(p, hub, dest, self.after(t, 0.5, 6), part)

    def cross_border(self, p: Pattern) -> None:
        """A layering chain through two or more countries, one of them high-risk."""
        rng, taken, t0 = self.rng, set(), self.start()
        c = self.home()
        while CODES[c] in HIGH_RISK:
            c = self.home()
        hops = int(rng.integers(3, 7))
        risky = int(rng.integers(1, hops + 1))
        chain = [self.ordinary(taken, c)]
        for i in range(1, hops + 1):
            there = int(rng.choice(self.high_risk)) if i == risky else self.where(c, 0.6)
            chain.append(self.member(taken, t0, there) if i < hops else self.ordinary(taken, there))
        self.role(p, chain[0], "origin")
        for a in chain[1:-1]:
            self.role(p, a, "member")
        self.role(p, chain[-1], "destination")
        t, eur = t0, self.amount(60000, 0.6)
        for a, b in itertools.pairwise(chain):
            t = self.after(t, 2, 72)
            self.pay(p, a, b, t, eur)
            eur *= self.keep()

    def dormant(self, p: Pattern) -> None:
        """A sleeper (nothing since January) takes a large sum in June and passes it on."""
        rng, taken = self.rng, set()
        if not self.sleepers:
            raise RuntimeError("no dormant accounts left in this world")
        hub = int(self.sleepers.pop())
        taken.add(hub)
        c = int(self.w.country[hub])
        t0 = self.start(DAYS - 7, 25 + DORMANT_DAYS + 1)
        origin = self.ordinary(taken, self.where(c, 0.4))
        self.role(p, origin, "origin")
        self.role(p, hub, "hub")
        eur = self.amount(40000, 0.6)
        self.pay(p, origin, hub, t0, eur)
        for part in self.split(eur * self.keep(), int(rng.integers(1, 4))):
            dest = self.ordinary(taken, self.where(c, 0.4))
            self.role(p, dest, "destination")
            self.pay(p, hub, dest, self.after(t0, 6, 96), part)

    def inject(self, target: int) -> tuple[list[Pattern], Ledger]:
        """Patterns round-robin over the typologies until `target` transactions."""
        patterns: list[Pattern] = []
        out = Ledger()
        count = 0
        while count < target:
            typology = TYPOLOGIES[len(patterns) % len(TYPOLOGIES)]
            p = Pattern(typology)
            getattr(self, typology)(p)
            src, tgt, t, eur, chan = (np.array(c) for c in zip(*p.tx, strict=True))
            out.add(src, tgt, t, eur, chan, len(patterns))
            patterns.append(p)
            count += len(p.tx)
        return patterns, out


def fixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded numbers, written straight into one Arrow buffer (formatting
    10 million Python strings would take longer than the rest of the run)."""
    n, head = len(numbers), len(prefix)
    body = np.empty((n, head + width), np.uint8)
    body[:, :head] = np.frombuffer(prefix.encode(), np.uint8)
    v = numbers.astype(np.int64)
    for i in range(head + width - 1, head - 1, -1):
        body[:, i] = 48 + v % 10
        v //= 10
    offsets = np.arange(0, (n + 1) * (head + width), head + width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(body))


def finish(rng: np.random.Generator, world: World, src, tgt, eur, chan):
    """Currency (the payer's, cash in the account's; cross-border wires often in USD) and
    the amount in it, then back to EUR at the fixed rate."""
    either = np.where(src >= 0, src, tgt)
    cur = COUNTRY_CURRENCY[world.country[either]]
    abroad = (src >= 0) & (tgt >= 0) & (world.country[np.maximum(src, 0)] != world.country[tgt])
    cur[abroad & (rng.random(len(src)) < 0.35)] = USD
    amount = eur / RATE[cur]
    atm = (chan == CASH) & (tgt < 0)  # withdrawals come in round numbers
    unit = 10.0 ** np.maximum(np.floor(np.log10(amount[atm])) - 1, 0)
    amount[atm] = np.round(amount[atm] / unit) * unit
    scale = SCALE[cur]
    amount = np.maximum(np.round(amount * scale), 1) / scale
    return cur, amount, np.round(amount * RATE[cur], 2)


TX_SCHEMA = pa.schema(
    [
        ("tx_id", pa.string()),
        ("time", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("target", pa.string()),
        ("amount", pa.float64()),
        ("currency", pa.string()),
        ("amount_eur", pa.float64()),
        ("source_bank", pa.string()),
        ("target_bank", pa.string()),
        ("source_country", pa.string()),
        ("target_country", pa.string()),
        ("channel", pa.string()),
        ("batch", pa.string()),
    ]
)


def write_transactions(path: Path, world: World, ids: pa.Array, cols: dict[str, np.ndarray]):
    banks, countries = pa.array(world.bank_codes), pa.array(CODES)
    currencies, channels, batch = pa.array(CURRENCIES), pa.array(CHANNELS), pa.array(["bench"])

    def side(acct: np.ndarray) -> list[pa.Array]:
        cash = acct < 0
        safe = np.where(cash, 0, acct)
        return [
            pc.take(values, pa.array(index, mask=cash))
            for values, index in (
                (ids, safe),
                (banks, world.bank[safe]),
                (countries, world.country[safe]),
            )
        ]

    n = len(cols["t"])
    with pq.ParquetWriter(path, TX_SCHEMA, compression="zstd") as writer:
        for lo in range(0, n, ROW_GROUP):
            part = {k: v[lo : lo + ROW_GROUP] for k, v in cols.items()}
            k = len(part["t"])
            source, source_bank, source_country = side(part["src"])
            target, target_bank, target_country = side(part["tgt"])
            arrays = [
                fixed_ids("t", np.arange(lo, lo + k), 10),
                pa.array(part["t"], pa.timestamp("us", tz="UTC")),
                source,
                target,
                pa.array(part["amount"]),
                pc.take(currencies, pa.array(part["cur"])),
                pa.array(part["amount_eur"]),
                source_bank,
                target_bank,
                source_country,
                target_country,
                pc.take(channels, pa.array(part["chan"])),
                pc.take(batch, pa.array(np.zeros(k, np.int8))),
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=TX_SCHEMA), ROW_GROUP)


def generate(out: Path, transactions: int, seed: int = 7) -> dict[str, Any]:
    """Write the world's five files into `out` and return what meta.json says."""
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    world = build_world(rng, max(transactions // 10, 2000))
    patterns, laundering = Launderers(rng, world).inject(round(transactions * LAUNDERING_RATE))
    background = Background(rng, world).build(transactions - len(laundering))
    src, tgt, t, eur, chan, pattern = (
        np.concatenate(c) for c in zip(background, laundering.columns(), strict=True)
    )
    del background, laundering
    order = np.argsort(t, kind="stable")
    src, tgt, t, eur, chan, pattern = (c[order] for c in (src, tgt, t, eur, chan, pattern))
    del order
    cur, amount, amount_eur = finish(rng, world, src, tgt, eur, chan)
    del eur
    ids = fixed_ids("a", rng.permutation(world.size), 9)
    cols = {"t": t, "src": src, "tgt": tgt, "amount": amount, "cur": cur,
            "amount_eur": amount_eur, "chan": chan}  # fmt: skip
    write_transactions(out / "transactions.parquet", world, ids, cols)

    pq.write_table(
        pa.table(
            {
                "account": ids,
                "bank": pc.take(pa.array(world.bank_codes), pa.array(world.bank)),
                "country": pc.take(pa.array(CODES), pa.array(world.country)),
                "kind": pc.take(pa.array(KINDS), pa.array(world.kind)),
                "opened": pa.array(world.opened, pa.timestamp("us", tz="UTC")),
            }
        ),
        out / "accounts.parquet",
        compression="zstd",
    )
    pattern_ids = [f"p{i:05d}" for i in range(len(patterns))]
    truth = [
        (pattern_ids[i], p.typology, a, role)
        for i, p in enumerate(patterns)
        for a, role in p.roles.items()
    ]
    pid, typ, acct, role = zip(*truth, strict=True)
    pq.write_table(
        pa.table(
            {
                "pattern_id": pa.array(pid),
                "typology": pa.array(typ),
                "account": pc.take(ids, pa.array(acct)),
                "role": pa.array(role),
            }
        ),
        out / "truth.parquet",
    )
    dirty = np.flatnonzero(pattern >= 0)
    typologies = pa.array([p.typology for p in patterns])
    pq.write_table(
        pa.table(
            {
                "tx_id": fixed_ids("t", dirty, 10),
                "pattern_id": pc.take(pa.array(pattern_ids), pa.array(pattern[dirty])),
                "typology": pc.take(typologies, pa.array(pattern[dirty])),
            }
        ),
        out / "laundering_tx.parquet",
    )

    per_typology = {
        name: {
            "patterns": sum(p.typology == name for p in patterns),
            "transactions": sum(len(p.tx) for p in patterns if p.typology == name),
            "accounts": sum(len(p.roles) for p in patterns if p.typology == name),
        }
        for name in TYPOLOGIES
    }
    meta = {
        "parameters": {
            "transactions": transactions,
            "seed": seed,
            "start": "2026-01-01T00:00:00Z",
            "days": DAYS,
            "laundering_rate_target": LAUNDERING_RATE,
            "threshold_eur": THRESHOLD_EUR,
            "dormant_days": DORMANT_DAYS,
        },
        "counts": {
            "transactions": len(t),
            "background": len(t) - len(dirty),
            "laundering": len(dirty),
            "laundering_rate": len(dirty) / len(t),
            "patterns": len(patterns),
            "truth_rows": len(truth),
            "accounts": world.size,
            "fresh_mules": role.count("mule"),
            "banks": len(world.bank_codes),
            "countries": len(COUNTRIES),
        },
        "typologies": per_typology,
        "high_risk": sorted(HIGH_RISK),
        "eur_per_unit": EUR_PER_UNIT,
        "files": {f.name: f.stat().st_size for f in sorted(out.glob("*.parquet"))},
        "seconds": round(time.perf_counter() - began, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def check(out: Path) -> None:
    """Read the files back with DuckDB and assert the invariants detectors rely on."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for name in ("transactions", "accounts", "truth", "laundering_tx"):
        con.read_parquet(str(out / f"{name}.parquet"), file_row_number=True).create_view(name)

    def one(sql: str, *params: object) -> tuple:
        return con.execute(sql, list(params)).fetchone()

    columns = con.execute("DESCRIBE transactions").fetchall()
    assert [(c[0], c[1]) for c in columns][:-1] == [
        ("tx_id", "VARCHAR"), ("time", "TIMESTAMP WITH TIME ZONE"), ("source", "VARCHAR"),
        ("target", "VARCHAR"), ("amount", "DOUBLE"), ("currency", "VARCHAR"),
        ("amount_eur", "DOUBLE"), ("source_bank", "VARCHAR"), ("target_bank", "VARCHAR"),
        ("source_country", "VARCHAR"), ("target_country", "VARCHAR"), ("channel", "VARCHAR"),
        ("batch", "VARCHAR"),
    ], columns  # fmt: skip
    n, unique = one("SELECT count(*), count(DISTINCT tx_id) FROM transactions")
    assert n == unique, "tx_id not unique"
    back = one(
        "SELECT count(*) FROM (SELECT time < lag(time) OVER (ORDER BY file_row_number) AS b"
        " FROM transactions) WHERE b"
    )[0]
    assert back == 0, f"{back} rows out of time order"
    bad = one(
        "SELECT count(*) FILTER (WHERE amount IS NULL OR amount <= 0 OR amount_eur <= 0),"
        " count(*) FILTER (WHERE time < TIMESTAMPTZ '2026-01-01 00:00:00+00'"
        "   OR time >= TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL 180 DAY),"
        " count(*) FILTER (WHERE (channel = 'cash') <> (source IS NULL OR target IS NULL)"
        "   OR (source IS NULL AND target IS NULL)),"
        " count(*) FILTER (WHERE (source IS NULL) <> (source_bank IS NULL)"
        "   OR (source IS NULL) <> (source_country IS NULL)"
        "   OR (target IS NULL) <> (target_bank IS NULL)"
        "   OR (target IS NULL) <> (target_country IS NULL)),"
        " count(*) FILTER (WHERE batch <> 'bench' OR currency IS NULL)"
        " FROM transactions"
    )
    assert bad == (0, 0, 0, 0, 0), f"amount, time, cash, side, batch: {bad}"
    early = one(
        "SELECT (SELECT count(*) FROM transactions t JOIN accounts a ON a.account = t.source"
        "   WHERE t.time < a.opened)"
        " + (SELECT count(*) FROM transactions t JOIN accounts a ON a.account = t.target"
        "   WHERE t.time < a.opened)"
    )[0]
    assert early == 0, f"{early} transactions before an account was opened"
    unknown = one(
        "SELECT (SELECT count(*) FROM transactions WHERE source NOT IN (SELECT account FROM"
        " accounts) OR target NOT IN (SELECT account FROM accounts)),"
        " (SELECT count(*) FROM truth WHERE account NOT IN (SELECT account FROM accounts)),"
        " (SELECT count(*) FROM laundering_tx WHERE tx_id NOT IN"
        "   (SELECT tx_id FROM transactions))"
    )
    assert unknown == (0, 0, 0), f"unknown accounts in tx, truth; unknown laundering tx: {unknown}"
    laundering = one("SELECT count(*) FROM laundering_tx")[0]
    assert 1 / 2000 <= laundering / n <= 1 / 500, f"laundering rate {laundering / n}"
    awake = one(
        "WITH first AS (SELECT l.pattern_id, min(t.time) AS at FROM laundering_tx l"
        "   JOIN transactions t USING (tx_id) WHERE l.typology = 'dormant' GROUP BY 1),"
        " hubs AS (SELECT f.*, r.account FROM first f JOIN truth r USING (pattern_id)"
        "   WHERE r.role = 'hub'),"
        " moves AS (SELECT source AS account, time FROM transactions"
        "   WHERE source IN (SELECT account FROM hubs)"
        "   UNION ALL SELECT target, time FROM transactions"
        "   WHERE target IN (SELECT account FROM hubs))"
        " SELECT count(*) FROM hubs h JOIN moves m USING (account)"
        " WHERE m.time < h.at AND m.time >= h.at - to_days(?)",
        DORMANT_DAYS,
    )[0]
    assert awake == 0, f"{awake} dormant hubs were active in the {DORMANT_DAYS} days before"
    print(f"check: {n:,} transactions, {laundering:,} laundering ({laundering / n:.5f}): ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="read back and assert invariants")
    args = parser.parse_args()
    meta = generate(args.out, args.transactions, args.seed)
    counts = meta["counts"]
    print(
        f"{counts['transactions']:,} transactions ({counts['laundering']:,} laundering,"
        f" rate {counts['laundering_rate']:.5f}), {counts['accounts']:,} accounts,"
        f" {counts['patterns']:,} patterns in {meta['seconds']} s"
    )
    for name, c in meta["typologies"].items():
        print(
            f"  {name:20} {c['patterns']:6,} patterns {c['transactions']:7,} tx"
            f" {c['accounts']:7,} accounts"
        )
    for name, size in meta["files"].items():
        print(f"  {name:22} {size / 2**20:9.1f} MiB")
    if args.check:
        began = time.perf_counter()
        check(args.out)
        print(f"check took {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
