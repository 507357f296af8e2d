"""What every filing obeys, whichever format it came in (goAML, JSON, CSV).

The business rules are checked after the format's own schema (XSD, pydantic) on `ReportFacts`:
the values a rule needs, each with the place the file gave it, so one rule serves every format
and names the element, JSON path or CSV cell at fault. The identity rules make a party a report
names twice one entity, and every flow a `Transfer` between accounts, the same way for all
formats.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pycountry

from palermo.finintel.filing import REPORT_KINDS, Problem, Transfer
from palermo.screening.lists import EntityDraft

T = TypeVar("T")

MAX_AMOUNT = Decimal(10) ** 12  # above this an amount is a typo or a test, not a payment
CLOCK_SKEW = timedelta(days=1)  # reporters' clocks and time zones: goAML dates carry no zone
SUBMISSION_CODES = frozenset({"E", "M"})  # electronic, manual
KINDS_WITH_TRANSACTIONS = frozenset({"STR", "CTR"})
# ISO 4217 today, plus the currencies the euro replaced lately: older transactions carry them.
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies) | {"BGN", "HRK"}
# ISO 3166-1 alpha-2, plus Kosovo's user-assigned XK that goAML, FtM and the EU use.
COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


@dataclass(frozen=True)
class At(Generic[T]):
    """A value and where the file gave it (an element path, a JSON path, a CSV cell)."""

    value: T
    path: str


@dataclass
class TransactionFacts:
    path: str
    number: At[str] | None = None
    time: At[datetime] | None = None
    amounts: list[At[Decimal]] = field(default_factory=list)  # local and foreign amounts
    sources: int = 1  # how many from sides the transaction names
    targets: int = 1


@dataclass
class ReportFacts:
    """What the rules need of a report. Values a schema already refused are left out, so a
    bad value is reported once."""

    path: str
    reference: At[str]
    kind: At[str]
    indicators: At[tuple[str, ...]]
    submitted_at: At[datetime] | None = None
    submission_code: At[str] | None = None  # goAML only
    has_activity: bool = False  # parties reported without transactions (SAR, DPMSR…)
    transactions: list[TransactionFacts] = field(default_factory=list)
    currencies: list[At[str]] = field(default_factory=list)
    countries: list[At[str]] = field(default_factory=list)
    past_dates: list[At[datetime]] = field(default_factory=list)  # birth dates…


def check_report(facts: ReportFacts, *, prefix: str, now: datetime | None = None) -> list[Problem]:
    """Every business rule the report breaks; rule names are `<prefix>.<scope>.<rule>`."""
    latest = (now or datetime.now(UTC)) + CLOCK_SKEW
    problems: list[Problem] = []

    def refuse(path: str, rule: str, message: str, value: object = None) -> None:
        shown = value.isoformat() if isinstance(value, datetime) else value
        shown = None if shown is None else str(shown)
        problems.append(Problem(path, f"{prefix}.{rule}", message, shown))

    if not facts.reference.value.strip():
        refuse(
            facts.reference.path,
            "report.entity_reference_required",
            "the report has no reference of the reporter's own: it is how both sides refer to it",
        )
    if facts.kind.value not in REPORT_KINDS:
        kinds = ", ".join(REPORT_KINDS)
        refuse(
            facts.kind.path,
            "report.kind_unknown",
            f"not a kind of report this FIU receives ({kinds})",
            facts.kind.value,
        )
    code = facts.submission_code
    if code is not None and code.value not in SUBMISSION_CODES:
        refuse(code.path, "report.submission_code", "submission code is E or M", code.value)
    if not facts.indicators.value or not all(i.strip() for i in facts.indicators.value):
        refuse(
            facts.indicators.path,
            "report.indicators_required",
            "at least one indicator, none blank",
        )
    if facts.kind.value in KINDS_WITH_TRANSACTIONS and not facts.transactions:
        refuse(
            facts.path, "report.transactions_required", f"a {facts.kind.value} reports transactions"
        )
    elif not facts.transactions and not facts.has_activity:
        refuse(
            facts.path, "report.content_required", "the report has neither transactions nor parties"
        )
    submitted = facts.submitted_at
    if submitted is not None and submitted.value > latest:
        refuse(
            submitted.path, "report.submitted_in_future", "submitted in the future", submitted.value
        )

    numbers: dict[str, str] = {}
    for transaction in facts.transactions:
        for amount in transaction.amounts:
            if amount.value <= 0:
                refuse(
                    amount.path, "transaction.amount_positive", "amount must be > 0", amount.value
                )
            elif amount.value > MAX_AMOUNT:
                refuse(amount.path, "transaction.amount_absurd", "amount above 10^12", amount.value)
        if transaction.sources != 1:
            message = f"a transaction has one from side, this one {transaction.sources}"
            refuse(transaction.path, "transaction.one_from_side", message)
        if transaction.targets != 1:
            message = f"a transaction has one to side, this one {transaction.targets}"
            refuse(transaction.path, "transaction.one_to_side", message)
        number = transaction.number
        if number is not None:
            if number.value in numbers:
                message = f"transaction number already used at {numbers[number.value]}"
                refuse(number.path, "transaction.number_duplicated", message, number.value)
            else:
                numbers[number.value] = number.path
        time = transaction.time
        if time is not None and time.value > latest:
            refuse(time.path, "transaction.date_in_future", "transaction in the future", time.value)
        elif time is not None and submitted is not None and time.value > submitted.value:
            message = f"transaction after the report's submission ({submitted.value.isoformat()})"
            refuse(time.path, "transaction.after_submission", message, time.value)

    for currency in facts.currencies:
        if currency.value not in CURRENCIES:
            refuse(currency.path, "currency.iso4217", "not an ISO 4217 currency", currency.value)
    for country in facts.countries:
        if country.value not in COUNTRIES:
            refuse(country.path, "country.iso3166", "not an ISO 3166-1 alpha-2 code", country.value)
    for date in facts.past_dates:
        if date.value > latest:
            refuse(date.path, "date.in_future", "date in the future", date.value)
    return problems


def undecodable(data: bytes, error: UnicodeDecodeError) -> Problem:
    """Where a file stops being in its encoding: the line and the byte."""
    line = data.count(b"\n", 0, error.start) + 1
    message = f"byte {error.start} (line {line}) is not {error.encoding}: {error.reason}"
    bad = error.object[error.start : error.end].hex()
    return Problem(f"line {line}, byte {error.start}", "encoding", message, f"0x{bad}")


def utc(moment: datetime) -> datetime:
    """Aware UTC. A time without zone (goAML's dates, naive JSON/CSV times) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_id(kind: str, *parts: str | None) -> str:
    """An id local to one report, the same for the same key: `acct-3f2a…` (case and spacing
    of the parts do not matter)."""
    key = "\x1f".join(" ".join((part or "").split()).casefold() for part in parts)
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    return f"{kind}-{digest[:16]}"


def account_id(institution: str | None, number: str) -> str:
    return local_id("acct", institution, number)


def person_id(name: str, birth_date: str | None, id_number: str | None) -> str:
    return local_id("person", name, birth_date, id_number)


def company_id(name: str, registration_number: str | None, jurisdiction: str | None) -> str:
    return local_id("company", name, registration_number, jurisdiction)


class EntitySet:
    """The entities of one filing by id: a party named twice is one entity, values merged."""

    def __init__(self) -> None:
        self._drafts: dict[str, EntityDraft] = {}

    def get(self, entity_id: str, schema: str) -> EntityDraft:
        draft = self._drafts.get(entity_id)
        if draft is None:
            draft = self._drafts[entity_id] = EntityDraft(entity_id, schema)
        return draft

    def name(self, entity_id: str) -> str | None:
        names = self._drafts[entity_id].properties.get("name")
        return names[0] if names else None

    def link(self, schema: str, role: str | None = None, **ends: str) -> None:
        """An interval entity (Ownership, Directorship…) between two entities, and its role."""
        link = self.get(local_id(schema.lower(), *ends.values(), role), schema)
        for prop, value in ends.items():
            link.add(prop, value)
        link.add("role", role)

    def party_account(self, party: str, country: str | None) -> str:
        """The account of a party at an institution the report does not name: a flow paid by
        or to a party without an account is kept as a transfer, not lost."""
        account = local_id("acct", "account at an unknown institution", party)
        draft = self.get(account, "BankAccount")
        draft.add("name", f"Account of {self.name(party) or party} at an unknown institution")
        draft.add("country", country)
        self.link("Ownership", owner=party, asset=account)
        return account

    def to_tuple(self) -> tuple[dict[str, Any], ...]:
        return tuple(draft.to_dict() for draft in self._drafts.values())


@dataclass(frozen=True)
class Side:
    """One side of a transaction: the account (None: cash), the party paying or paid."""

    account: str | None
    party: str | None
    country: str | None


def resolve_side(
    entities: EntitySet,
    *,
    account: str | None,
    party: str | None,
    cash: bool,
    country: str | None,
) -> Side:
    """A side named by its account is that account. A party without one paid or took cash
    (`None`), or used an account the report does not name: that account is created, so the
    flow stays a transfer between accounts."""
    if account is not None or party is None or cash:
        return Side(account, party, country)
    return Side(entities.party_account(party, country), party, country)


def record_transfer(
    entities: EntitySet,
    *,
    number: str,
    time: datetime,
    amount: Decimal,
    currency: str,
    source: Side,
    target: Side,
    channel: str | None,
    description: str | None,
) -> Transfer:
    """The `Transfer` of a transaction and, when both parties are known, its FtM Payment (FtM
    requires a payer and a beneficiary; cash from an unnamed depositor stays a transfer)."""
    if source.party is not None and target.party is not None:
        payment = entities.get(local_id("payment", number), "Payment")
        payment.add("transactionNumber", number)
        payment.add("date", time.strftime("%Y-%m-%dT%H:%M:%S"))
        payment.add("amount", str(amount))
        payment.add("currency", currency)
        payment.add("purpose", description)
        payment.add("payer", source.party)
        payment.add("payerAccount", source.account)
        payment.add("beneficiary", target.party)
        payment.add("beneficiaryAccount", target.account)
    return Transfer(
        number=number,
        time=time,
        amount=float(amount),
        currency=currency,
        source=source.account,
        target=target.account,
        source_country=source.country,
        target_country=target.country,
        channel=channel or None,
        description=description or None,
    )
