"""Reports from reporters that do not speak goAML: one JSON object, or a CSV file with one row
per transaction. Both become the same `Filing` as a goAML report and obey the same business
rules (`palermo.finintel.rules`); problems name a JSON path (`transactions[2].amount`) or a CSV
cell (`line 7, column amount`).

A file of the wrong shape is refused with every problem its schema (the pydantic models below,
the CSV header) finds; the business rules then judge a file of the right shape.

Times without a zone are taken as UTC. A side without an account is cash when the channel is
CASH (or, in JSON, when `from`/`to` is null), and otherwise the party's account at an institution
the report does not name. CSV names account holders by name only, so they become LegalEntity
entities, and a CSV report has no subjects.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from palermo.finintel.filing import Filing, Problem, ReportRejected
from palermo.finintel.rules import (
    At,
    EntitySet,
    ReportFacts,
    Side,
    TransactionFacts,
    account_id,
    check_report,
    company_id,
    local_id,
    person_id,
    record_transfer,
    resolve_side,
    undecodable,
    utc,
)
from palermo.screening.lists import EntityDraft, joined

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A CSV cell left empty is a value not given.
Cell = Annotated[Text | None, BeforeValidator(lambda value: value or None)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonParty(_Strict):
    type: Literal["person"]
    id: Text
    subject: bool = False
    name: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    birth_date: date | None = None
    nationality: Text | None = None  # ISO 3166-1 alpha-2
    id_number: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    address: Text | None = None
    gender: Literal["male", "female"] | None = None

    @model_validator(mode="after")
    def _named(self) -> PersonParty:
        if not (self.name or self.first_name or self.last_name):
            raise ValueError("a person has a name, or a first or last name")
        return self

    @property
    def full_name(self) -> str:
        return self.name or joined(self.first_name, self.last_name, sep=" ")


class CompanyParty(_Strict):
    type: Literal["company"]
    id: Text
    subject: bool = False
    name: Text
    registration_number: Text | None = None
    jurisdiction: Text | None = None  # ISO 3166-1 alpha-2
    incorporation_date: date | None = None
    phone: Text | None = None
    email: Text | None = None
    address: Text | None = None


class AccountParty(_Strict):
    type: Literal["account"]
    id: Text
    account_number: Text | None = None
    iban: Text | None = None
    bank_name: Text | None = None
    swift: Text | None = None
    currency: Text | None = None
    country: Text | None = None
    holder: Text | None = None  # the id of a person or company party

    @model_validator(mode="after")
    def _numbered(self) -> AccountParty:
        if not (self.account_number or self.iban):
            raise ValueError("an account has an account_number or an iban")
        return self


Party = Annotated[PersonParty | CompanyParty | AccountParty, Field(discriminator="type")]
PARTY_TYPES = ("person", "company", "account")


class JsonTransaction(_Strict):
    number: Text
    time: datetime
    amount: Decimal
    currency: Text | None = None  # the report's currency when not given
    # A party id; null: cash paid in (from) or taken out (to). Required, so never forgotten.
    from_: Text | None = Field(alias="from")
    to: Text | None
    from_country: Text | None = None
    to_country: Text | None = None
    channel: Text | None = None
    description: Text | None = None


class JsonReport(_Strict):
    reference: str
    kind: Text
    reporter_id: Text
    submitted_at: datetime
    currency: Text
    reason: str
    action: Text | None = None
    branch: Text | None = None
    indicators: list[str]
    parties: list[Party] = []
    transactions: list[JsonTransaction] = []


class CsvRow(BaseModel):
    """One CSV row; field names are the header's column names."""

    report_reference: Cell = None
    report_kind: Text
    reporter_id: Text
    submitted_at: datetime
    currency: Text
    reason: Cell = None
    indicators: Cell = None  # separated by semicolons
    transaction_number: Text
    time: datetime
    amount: Decimal
    from_account: Cell = None
    from_bank: Cell = None
    from_country: Cell = None
    from_holder: Cell = None
    to_account: Cell = None
    to_bank: Cell = None
    to_country: Cell = None
    to_holder: Cell = None
    channel: Cell = None
    description: Cell = None


CSV_COLUMNS = tuple(CsvRow.model_fields)
REPORT_COLUMNS = CSV_COLUMNS[:7]  # the report's own: the same on every row


def read_json(data: bytes) -> Filing:
    """A JSON report as a `Filing`, or `ReportRejected` listing every problem found."""
    text = _decode(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ReportRejected([Problem(where, "json", f"not JSON: {error.msg}")]) from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        message = "not JSON: a number too long or nesting too deep"
        raise ReportRejected([Problem("(document)", "json", message)]) from None
    try:
        report = JsonReport.model_validate(document)
    except ValidationError as error:
        problems = [
            Problem(_json_path(e["loc"]), "schema", e["msg"], _shown(e["input"]))
            for e in error.errors()
        ]
        raise ReportRejected(problems) from None
    problems = _json_references(report) + check_report(_json_facts(report), prefix="json")
    if problems:
        raise ReportRejected(problems)
    return _JsonFiling(report).filing()


def read_csv(data: bytes) -> Filing:
    """A CSV report (one row per transaction) as a `Filing`, or `ReportRejected`."""
    text = _decode(data)
    rows, problems = _csv_rows(text)
    if not rows and not problems:
        problems = [Problem("line 2", "csv.rows", "no transaction row")]
    if rows:
        problems += _csv_report_columns(rows)
    if problems:
        raise ReportRejected(problems)
    problems = check_report(_csv_facts(rows), prefix="csv")
    if problems:
        raise ReportRejected(problems)
    return _csv_filing(rows)


def _decode(data: bytes) -> str:
    """UTF-8, with or without a byte order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReportRejected([undecodable(data, error)]) from None


def _shown(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int | float | bool) else None


def _json_path(loc: tuple[int | str, ...]) -> str:
    """`transactions[2].amount` for pydantic's ("transactions", 2, "amount"); a party's
    type tag ("parties", 0, "person", …) is left out."""
    path = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif not (index == 2 and loc[0] == "parties" and part in PARTY_TYPES):
            path += f".{part}" if path else part
    return path or "(document)"


def _json_references(report: JsonReport) -> list[Problem]:
    """Party ids are unique; transactions and account holders name parties that exist."""
    problems: list[Problem] = []
    kinds: dict[str, str] = {}
    for index, party in enumerate(report.parties):
        if party.id in kinds:
            message = "party id used twice"
            problems.append(
                Problem(f"parties[{index}].id", "json.party.id_duplicated", message, party.id)
            )
        kinds.setdefault(party.id, party.type)
    for index, party in enumerate(report.parties):
        if not isinstance(party, AccountParty) or party.holder is None:
            continue
        if kinds.get(party.holder) not in ("person", "company"):
            message = "the holder is not a person or company party of the report"
            path = f"parties[{index}].holder"
            problems.append(Problem(path, "json.party.unknown_holder", message, party.holder))
    for index, transaction in enumerate(report.transactions):
        for key, party_id in (("from", transaction.from_), ("to", transaction.to)):
            if party_id is not None and party_id not in kinds:
                message = "not the id of a party of the report"
                path = f"transactions[{index}].{key}"
                problems.append(Problem(path, "json.transaction.unknown_party", message, party_id))
    return problems


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _json_facts(report: JsonReport) -> ReportFacts:
    currencies = [At(report.currency, "currency")]
    countries: list[At[str]] = []
    past_dates: list[At[datetime]] = []
    for index, party in enumerate(report.parties):
        where = f"parties[{index}]"
        if isinstance(party, PersonParty):
            if party.nationality:
                countries.append(At(party.nationality, f"{where}.nationality"))
            if party.birth_date:
                past_dates.append(At(_midnight(party.birth_date), f"{where}.birth_date"))
        elif isinstance(party, CompanyParty):
            if party.jurisdiction:
                countries.append(At(party.jurisdiction, f"{where}.jurisdiction"))
            if party.incorporation_date:
                moment = _midnight(party.incorporation_date)
                past_dates.append(At(moment, f"{where}.incorporation_date"))
        else:
            if party.currency:
                currencies.append(At(party.currency, f"{where}.currency"))
            if party.country:
                countries.append(At(party.country, f"{where}.country"))
    transactions = []
    for index, transaction in enumerate(report.transactions):
        where = f"transactions[{index}]"
        if transaction.currency:
            currencies.append(At(transaction.currency, f"{where}.currency"))
        for key in ("from_country", "to_country"):
            if code := getattr(transaction, key):
                countries.append(At(code, f"{where}.{key}"))
        transactions.append(
            TransactionFacts(
                path=where,
                number=At(transaction.number, f"{where}.number"),
                time=At(utc(transaction.time), f"{where}.time"),
                amounts=[At(transaction.amount, f"{where}.amount")],
            )
        )
    return ReportFacts(
        path="transactions",
        reference=At(report.reference, "reference"),
        kind=At(report.kind, "kind"),
        indicators=At(tuple(report.indicators), "indicators"),
        submitted_at=At(utc(report.submitted_at), "submitted_at"),
        has_activity=bool(report.parties),
        transactions=transactions,
        currencies=currencies,
        countries=countries,
        past_dates=past_dates,
    )


_Ends = tuple[str | None, str | None]  # the (account, party) entity ids of a side


class _JsonFiling:
    """A JSON report the checks passed, as a `Filing`."""

    def __init__(self, report: JsonReport) -> None:
        self.report = report
        self.entities = EntitySet()
        self.subjects: set[str] = set()
        # A party id of the reporter's to (account, party) entity ids: a person or company is
        # (None, its id), an account (its id, its holder's); two parties that are one person
        # are one entity.
        self.sides: dict[str, _Ends] = {}

    def filing(self) -> Filing:
        report = self.report
        for party in sorted(report.parties, key=lambda p: p.type == "account"):
            self.sides[party.id] = self._entity(party)
        transfers = tuple(
            record_transfer(
                self.entities,
                number=t.number,
                time=utc(t.time),
                amount=t.amount,
                currency=t.currency or report.currency,
                source=self._side(t.from_, t.from_country, t.channel),
                target=self._side(t.to, t.to_country, t.channel),
                channel=t.channel,
                description=t.description,
            )
            for t in report.transactions
        )
        return Filing(
            reference=report.reference,
            kind=report.kind,
            reporter_id=report.reporter_id,
            submitted_at=utc(report.submitted_at),
            currency=report.currency,
            reason=report.reason,
            action=report.action,
            branch=report.branch,
            indicators=tuple(report.indicators),
            entities=self.entities.to_tuple(),
            subjects=frozenset(self.subjects),
            transfers=transfers,
            format="json",
        )

    def _side(self, party_id: str | None, country: str | None, channel: str | None) -> Side:
        account, party = self.sides[party_id] if party_id is not None else (None, None)
        return resolve_side(
            self.entities,
            account=account,
            party=party,
            cash=(channel or "").upper() == "CASH",
            country=country,
        )

    def _entity(self, party: PersonParty | CompanyParty | AccountParty) -> _Ends:
        if isinstance(party, AccountParty):
            number = party.account_number or party.iban or ""
            entity_id = account_id(party.swift or party.bank_name, number)
            account = self.entities.get(entity_id, "BankAccount")
            account.add("accountNumber", party.account_number)
            account.add("iban", party.iban)
            account.add("bankName", party.bank_name)
            account.add("bic", party.swift)
            account.add("currency", party.currency)
            account.add("country", party.country)
            if party.holder is None:
                return entity_id, None
            _, holder = self.sides[party.holder]  # persons and companies come first
            assert holder is not None, "an account's holder is a person or company"
            self.entities.link("Ownership", owner=holder, asset=entity_id)
            return entity_id, holder
        if isinstance(party, PersonParty):
            entity_id = person_id(party.full_name, _iso(party.birth_date), party.id_number)
            person = self.entities.get(entity_id, "Person")
            person.add("name", party.full_name)
            person.add("firstName", party.first_name)
            person.add("lastName", party.last_name)
            person.add("birthDate", _iso(party.birth_date))
            person.add("nationality", party.nationality)
            person.add("idNumber", party.id_number)
            person.add("gender", party.gender)
            _contacts(person, party)
        else:
            entity_id = company_id(party.name, party.registration_number, party.jurisdiction)
            company = self.entities.get(entity_id, "Company")
            company.add("name", party.name)
            company.add("registrationNumber", party.registration_number)
            company.add("jurisdiction", party.jurisdiction)
            company.add("incorporationDate", _iso(party.incorporation_date))
            _contacts(company, party)
        if party.subject:
            self.subjects.add(entity_id)
        return None, entity_id


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _contacts(entity: EntityDraft, party: PersonParty | CompanyParty) -> None:
    entity.add("phone", party.phone)
    entity.add("email", party.email)
    entity.add("address", party.address)


@dataclass(frozen=True)
class _CsvLine:
    line: int  # where the record starts
    cells: dict[str, str]
    row: CsvRow | None  # None: refused by the row model


def _cell(line: int, column: str) -> str:
    return f"line {line}, column {column}"


def _csv_rows(text: str) -> tuple[list[_CsvLine], list[Problem]]:
    """Every record with its line; the problems of the header and of each cell."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in CSV_COLUMNS if name not in header]
    problems = [Problem("line 1", "csv.header", f"no column {name}") for name in missing]
    problems += [
        Problem(f"line 1, column {name}", "csv.header", "unknown or repeated column", name)
        for index, name in enumerate(header)
        if name not in CSV_COLUMNS or name in header[:index]
    ]
    if problems:
        return [], problems
    lines: list[_CsvLine] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) != len(header):
                message = f"{len(cells)} cells, the header has {len(header)} columns"
                problems.append(Problem(f"line {line}", "csv.row", message))
                continue
            values = dict(zip(header, cells, strict=True))
            try:
                row: CsvRow | None = CsvRow.model_validate(values)
            except ValidationError as error:
                row = None
                problems += [
                    Problem(_cell(line, str(e["loc"][0])), "schema", e["msg"], _shown(e["input"]))
                    for e in error.errors()
                ]
            lines.append(_CsvLine(line, values, row))
    except csv.Error as error:
        problems.append(Problem(f"line {reader.line_num}", "csv", f"not CSV: {error}"))
    return lines, problems


def _csv_report_columns(lines: list[_CsvLine]) -> list[Problem]:
    """The report's columns say the same on every row as on the first."""
    first = lines[0]
    return [
        Problem(
            _cell(line.line, column),
            "csv.report_column_differs",
            f"differs from line {first.line}: {first.cells[column]!r}",
            line.cells[column],
        )
        for line in lines[1:]
        for column in REPORT_COLUMNS
        if line.cells[column].strip() != first.cells[column].strip()
    ]


def _indicators(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def _rows(lines: list[_CsvLine]) -> list[tuple[int, CsvRow]]:
    return [(line.line, line.row) for line in lines if line.row is not None]


def _csv_facts(lines: list[_CsvLine]) -> ReportFacts:
    rows = _rows(lines)
    first, report = rows[0]
    transactions = [
        TransactionFacts(
            path=f"line {line}",
            number=At(row.transaction_number, _cell(line, "transaction_number")),
            time=At(utc(row.time), _cell(line, "time")),
            amounts=[At(row.amount, _cell(line, "amount"))],
            sources=int(bool(row.from_account or row.from_holder)),
            targets=int(bool(row.to_account or row.to_holder)),
        )
        for line, row in rows
    ]
    return ReportFacts(
        path=f"line {first}",
        reference=At(report.report_reference or "", _cell(first, "report_reference")),
        kind=At(report.report_kind, _cell(first, "report_kind")),
        indicators=At(_indicators(report.indicators), _cell(first, "indicators")),
        submitted_at=At(utc(report.submitted_at), _cell(first, "submitted_at")),
        transactions=transactions,
        currencies=[At(report.currency, _cell(first, "currency"))],
        countries=[
            At(code, _cell(line, column))
            for line, row in rows
            for column in ("from_country", "to_country")
            if (code := getattr(row, column))
        ],
    )


def _csv_filing(lines: list[_CsvLine]) -> Filing:
    rows = [row for _, row in _rows(lines)]
    report = rows[0]
    entities = EntitySet()
    transfers = tuple(
        record_transfer(
            entities,
            number=row.transaction_number,
            time=utc(row.time),
            amount=row.amount,
            currency=report.currency,
            source=_csv_side(entities, row, "from"),
            target=_csv_side(entities, row, "to"),
            channel=row.channel,
            description=row.description,
        )
        for row in rows
    )
    return Filing(
        reference=report.report_reference or "",
        kind=report.report_kind,
        reporter_id=report.reporter_id,
        submitted_at=utc(report.submitted_at),
        currency=report.currency,
        reason=report.reason or "",
        indicators=_indicators(report.indicators),
        entities=entities.to_tuple(),
        transfers=transfers,
        format="csv",
    )


def _csv_side(entities: EntitySet, row: CsvRow, direction: str) -> Side:
    number, bank, country, name = (
        getattr(row, f"{direction}_{column}") for column in ("account", "bank", "country", "holder")
    )
    holder = None
    if name:
        holder = local_id("party", name)
        entities.get(holder, "LegalEntity").add("name", name)
    account = None
    if number:
        account = account_id(bank, number)
        draft = entities.get(account, "BankAccount")
        draft.add("accountNumber", number)
        draft.add("bankName", bank)
        draft.add("country", country)
        if holder is not None:
            entities.link("Ownership", owner=holder, asset=account)
    cash = (row.channel or "").upper() == "CASH"
    return resolve_side(entities, account=account, party=holder, cash=cash, country=country)
