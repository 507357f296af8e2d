"""Transactions in the FIU's store: bulk files (bank exports, AMLworld-style CSV) and reported
transfers are brought to one canonical layout (`TRANSACTIONS`) by the same checks.

Reading a file
- UTF-8 (a BOM is skipped), read in blocks of about 4 MiB cut at record ends (quote-aware), so
  memory follows the result, not the file. Line numbers are the file's own: the header is line
  1, blank lines and line breaks inside quoted fields count.
- A column name repeated in the header gets `.1`, `.2`… as pandas names it (AMLworld's two
  `Account` columns are `Account` and `Account.1`). Cells are trimmed; an empty cell is missing.

Values
- amount: a decimal point and an optional exponent (`1234.50`, `1.5e6`); commas only to group
  thousands where that cannot be misread (`1,234.50`, `1,234,567`). `1,234` alone is refused
  (1234 or 1.234?), and so is a decimal comma (`1234,50`). Above zero; at most 1e12 EUR.
- time: ISO 8601 date-time with or without a zone (none = UTC) or a date (midnight UTC), and
  `YYYY/MM/DD HH:MM[:SS]` as AMLworld writes it; kept to the microsecond.
- currency: an ISO 4217 code (any case) with a rate; countries: ISO 3166-1 alpha-2 or alpha-3,
  stored as alpha-2 (XK for Kosovo).
- channel: lower case, spaces and dashes as `_`, a few synonyms folded (credit card → card).
- source, target: an empty cell is the cash side, allowed only when the channel is cash; the
  same account (at the same bank) on both sides only for channel reinvestment, as AMLworld
  books reinvested earnings.
- tx_id: unique within the file; `<batch>-<line>` when no column is mapped.

A refused file raises `ReportRejected` with its first 100 problems in line order; nothing is
returned half. Rows out of time order are not refused: a warning counts them and the table is
sorted by time (stably).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pycountry
from pyarrow import csv as pacsv

from palermo.errors import Conflict, Invalid
from palermo.finintel.currencies import Rates, iso_codes
from palermo.finintel.filing import Problem, ReportRejected, Transfer
from palermo.translatable import N_

TIME = pa.timestamp("us", tz="UTC")

TRANSACTIONS = pa.schema(
    [
        pa.field("tx_id", pa.string(), nullable=False),
        pa.field("time", TIME, nullable=False),
        pa.field("source", pa.string()),  # account id; null: cash paid in
        pa.field("target", pa.string()),  # account id; null: cash taken out
        pa.field("amount", pa.float64(), nullable=False),  # > 0, in `currency`
        pa.field("currency", pa.string(), nullable=False),  # ISO 4217
        pa.field("amount_eur", pa.float64(), nullable=False),
        pa.field("source_bank", pa.string()),
        pa.field("target_bank", pa.string()),
        pa.field("source_country", pa.string()),  # ISO 3166-1 alpha-2
        pa.field("target_country", pa.string()),
        pa.field("channel", pa.string()),  # lower case: wire, ach, card, cheque, cash, crypto…
        pa.field("batch", pa.string(), nullable=False),
    ]
)

FIELDS = (
    "tx_id",
    "time",
    "source",
    "target",
    "amount",
    "currency",
    "source_bank",
    "target_bank",
    "source_country",
    "target_country",
    "channel",
)
REQUIRED = ("source", "target", "amount", "time")

LIMIT = 100  # problems listed in a refusal
ABSURD_EUR = 1e12  # more than any single transfer ever booked: a shifted decimal or a unit slip
BLOCK_SIZE = 1 << 22
LONGEST_RECORD = 1 << 24  # a record this long is an unclosed quote, not data

CHANNEL_SYNONYMS = {
    "credit_card": "card",
    "debit_card": "card",
    "bitcoin": "crypto",
    "check": "cheque",
}

BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
AMBIGUOUS = r"^[+-]?\d{1,3},\d{3}$"
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$"
ZONE = r"[T ][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)$"
ISO_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}(:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)$"


@dataclass
class TransactionBatch:
    """A checked batch in the canonical layout, sorted by time."""

    table: pa.Table
    rows: int
    warnings: list[str]
    first_time: datetime
    last_time: datetime
    total_eur: float


def parse_mapping(text: str) -> dict[str, str]:
    """`source=COL,target=COL,…` (the `--map` option) as field → file column. An item whose
    column name holds a comma is quoted whole: `"amount=Amount, EUR"`."""
    mapping: dict[str, str] = {}
    errors: list[str] = []
    for item in next(csv.reader([text], skipinitialspace=True), []):
        field, equals, column = (part.strip() for part in item.partition("="))
        if not (equals and field and column):
            errors.append(f"{item!r} is not FIELD=COLUMN")
        elif field in mapping:
            errors.append(f"{field} is mapped twice")
        else:
            mapping[field] = column
    _check_fields(mapping, errors)
    return mapping


def read_transactions(
    path: Path,
    mapping: dict[str, str],
    *,
    batch: str,
    default_currency: str = "EUR",
    rates: Rates,
    progress: Callable[[int], None] | None = None,
) -> TransactionBatch:
    """The transactions of a CSV file, every row checked (see the module's rules).
    `progress` gets the bytes read so far after each block (a bar's total is the file size)."""
    _check_batch(batch)
    _check_fields(mapping, [])
    if "currency" not in mapping:
        default_currency = rates.check(default_currency)
    if not path.is_file():
        raise Invalid(N_("%(path)s: no such file"), path=path)
    assembly = _Assembly(
        batch=batch,
        rates=rates,
        place=lambda line, field: f"line {line}, column {mapping.get(field, field)}",
    )
    with path.open("rb") as handle:
        try:
            for raw, lines in _blocks(handle, mapping, assembly.found):
                if "tx_id" not in raw:
                    numbers = pc.cast(pa.array(lines), pa.string())
                    raw["tx_id"] = pc.binary_join_element_wise(f"{batch}-", numbers, "")
                if "currency" not in raw:
                    raw["currency"] = pa.repeat(default_currency, len(lines))
                assembly.add(raw, lines)
                if progress is not None:
                    progress(handle.tell())
        except _Unreadable as error:
            for problem in error.problems:
                assembly.found.add(error.line, problem)
    return assembly.finish()


def transfers_batch(
    transfers: Sequence[Transfer],
    *,
    batch: str,
    rates: Rates,
    banks: Mapping[str, str] | None = None,
) -> TransactionBatch:
    """Reported transfers in the canonical layout, by the checks a bulk file passes. `banks`
    gives the bank of an account key where the report names it (Transfer has none)."""
    _check_batch(batch)
    banks = banks or {}
    assembly = _Assembly(
        batch=batch,
        rates=rates,
        place=lambda index, field: f"transfer {transfers[index].number}, {field}",
    )
    raw = {
        "tx_id": [f"{batch}-{t.number}" for t in transfers],
        "time": [t.time.isoformat() for t in transfers],
        "amount": [repr(float(t.amount)) for t in transfers],
        "currency": [t.currency for t in transfers],
        "source": [t.source for t in transfers],
        "target": [t.target for t in transfers],
        "source_bank": [banks.get(t.source) if t.source else None for t in transfers],
        "target_bank": [banks.get(t.target) if t.target else None for t in transfers],
        "source_country": [t.source_country for t in transfers],
        "target_country": [t.target_country for t in transfers],
        "channel": [t.channel for t in transfers],
    }
    assembly.add(
        {field: pa.array(values, pa.string()) for field, values in raw.items()},
        np.arange(len(transfers)),
    )
    return assembly.finish()


def write_rows(
    transfers: Sequence[Transfer],
    directory: Path,
    *,
    batch: str,
    rates: Rates,
    banks: Mapping[str, str] | None = None,
) -> Path:
    """Reported transfers stored as a batch beside the bulk imports (see `transfers_batch`)."""
    checked = transfers_batch(transfers, batch=batch, rates=rates, banks=banks)
    return write_batch(checked.table, directory, batch)


def write_batch(table: pa.Table, directory: Path, batch: str) -> Path:
    """`batch-<batch>.parquet` in `directory`, present whole or not at all: written under a
    temporary name beside it, synced to disk, then renamed. A batch already stored is a
    Conflict: a corrected file is imported under a new batch name, nothing replaced silently."""
    _check_batch(batch)
    if not table.schema.equals(TRANSACTIONS):
        raise ValueError(f"not the TRANSACTIONS layout: {table.schema}")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"batch-{batch}.parquet"
    if target.exists():
        raise Conflict(
            N_("batch %(batch)s is already stored (%(target)s)"), batch=batch, target=target
        )
    descriptor, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # the rename itself survives a crash only once the directory is synced
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return target


def _check_batch(batch: str) -> None:
    if not BATCH_NAME.fullmatch(batch):
        raise Invalid(
            N_(
                "batch name %(batch)s: up to 100 letters, digits, '.', '_' or '-', starting with "
                "a letter or digit (it names a file)"
            ),
            batch=repr(batch),
        )


def _check_fields(mapping: Mapping[str, str], errors: list[str]) -> None:
    """Raise Invalid for `errors` and for unknown or missing fields in `mapping`."""
    errors += [f"unknown field {f!r}" for f in mapping if f not in FIELDS]
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        errors.append(f"required field(s) not mapped: {', '.join(missing)}")
    if errors:
        raise Invalid(
            N_("--map: %(errors)s (fields: %(fields)s; required: %(required)s)"),
            errors="; ".join(errors),
            fields=", ".join(FIELDS),
            required=", ".join(REQUIRED),
        )


class _Unreadable(Exception):
    """The file cannot be read on from `line`."""

    def __init__(self, line: int, *problems: Problem) -> None:
        super().__init__(problems[0].message)
        self.line = line
        self.problems = problems


class _Found:
    """Problems of one batch in line order: the first LIMIT kept, all counted."""

    def __init__(self, place: Callable[[int, str], str]) -> None:
        self.place = place
        self.kept: list[tuple[int, Problem]] = []
        self.count = 0

    def add(self, key: int, problem: Problem) -> None:
        self.kept.append((key, problem))
        self.count += 1

    def flag(
        self,
        mask: pa.Array | pa.ChunkedArray,
        keys: np.ndarray,
        field: str,
        rule: str,
        message: str | Callable[[str], str],
        values: pa.Array | pa.ChunkedArray,
    ) -> None:
        rows = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
        self.count += len(rows)
        for row in rows[:LIMIT]:
            value = values[row].as_py()
            text = message if isinstance(message, str) else message(value)
            where = self.place(int(keys[row]), field)
            self.kept.append((int(keys[row]), Problem(where, rule, text, value)))

    def prune(self) -> None:
        self.kept.sort(key=lambda found: found[0])
        del self.kept[LIMIT:]

    def problems(self) -> list[Problem]:
        self.prune()
        listed = [problem for _, problem in self.kept]
        if self.count > LIMIT:
            more = f"{self.count - LIMIT} more problems not listed"
            listed.append(Problem("file", "problems.more", more))
        return listed


class _Assembly:
    """Blocks of one batch converted and checked, then the checks across blocks."""

    def __init__(self, *, batch: str, rates: Rates, place: Callable[[int, str], str]) -> None:
        self.batch = batch
        self.rates = rates
        self.found = _Found(place)
        self.tables: list[pa.Table] = []
        self.ids: list[pa.Array] = []
        self.keys: list[np.ndarray] = []
        self.last_time: int | None = None
        self.unordered = 0
        self.first_unordered = 0

    def add(self, raw: dict[str, pa.Array | pa.ChunkedArray], keys: np.ndarray) -> None:
        table, ids = _convert(raw, keys, batch=self.batch, rates=self.rates, found=self.found)
        self.ids.extend(ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids])
        self.keys.append(keys)
        self.found.prune()  # short, even for a file full of errors
        if self.found.count:
            self.tables.clear()  # refused: only ids and lines are still needed
        elif table is not None and len(keys):
            self.tables.append(table)
            self._check_order(table, keys)

    def _check_order(self, table: pa.Table, keys: np.ndarray) -> None:
        times = table["time"].cast(pa.int64()).to_numpy()
        previous = np.concatenate(
            ([times[0] if self.last_time is None else self.last_time], times[:-1])
        )
        back = np.flatnonzero(times < previous)
        if len(back) and not self.unordered:
            self.first_unordered = int(keys[back[0]])
        self.unordered += len(back)
        self.last_time = int(times[-1])

    def finish(self) -> TransactionBatch:
        self._duplicates()
        if not self.found.count and not self.tables:
            self.found.add(0, Problem("file", "file.empty", "no transactions"))
        if self.found.count:
            raise ReportRejected(self.found.problems())
        table = pa.concat_tables(self.tables)
        warnings = []
        if self.unordered:
            warnings.append(
                f"{self.unordered} rows out of time order; first at "
                f"{self.found.place(self.first_unordered, 'time')} (sorted by time)"
            )
            table = table.sort_by("time")
        times = table["time"]
        return TransactionBatch(
            table=table,
            rows=table.num_rows,
            warnings=warnings,
            first_time=times[0].as_py(),
            last_time=times[-1].as_py(),
            total_eur=pc.sum(table["amount_eur"]).as_py(),
        )

    def _duplicates(self) -> None:
        if not self.ids:
            return
        ids = pa.chunked_array(self.ids, pa.string())
        counts = pc.value_counts(ids)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        repeated = repeated.drop_null()
        if not len(repeated):
            return
        keys = np.concatenate(self.keys)
        rows = np.flatnonzero(pc.is_in(ids, value_set=repeated).to_numpy(zero_copy_only=False))
        seen: dict[str, int] = {}
        repeats = 0
        for row, value in zip(rows, pc.take(ids, rows).to_pylist(), strict=True):
            key = int(keys[row])
            if value not in seen:
                seen[value] = key
                continue
            repeats += 1
            if repeats > LIMIT:  # later lines than any listed: counted only
                self.found.count += 1
                continue
            first = self.found.place(seen[value], "tx_id")
            self.found.add(
                key,
                Problem(
                    self.found.place(key, "tx_id"),
                    "tx_id.unique",
                    f"transaction id already used at {first}",
                    value,
                ),
            )


def _convert(
    raw: Mapping[str, pa.Array | pa.ChunkedArray],
    keys: np.ndarray,
    *,
    batch: str,
    rates: Rates,
    found: _Found,
) -> tuple[pa.Table | None, pa.Array | pa.ChunkedArray]:
    """One block of cells (strings by canonical field) in the canonical layout, or None when
    it has problems (all flagged in `found`); and its transaction ids."""
    before = found.count
    text = {field: _clean(values) for field, values in raw.items()}
    missing = pa.nulls(len(keys), pa.string())

    def flag(
        mask: pa.Array | pa.ChunkedArray,
        field: str,
        rule: str,
        message: str | Callable[[str], str],
        values: pa.Array | pa.ChunkedArray | None = None,
    ) -> None:
        found.flag(mask, keys, field, rule, message, raw[field] if values is None else values)

    tx_id = text["tx_id"]
    flag(pc.is_null(tx_id), "tx_id", "tx_id.required", "empty transaction id")

    channel = _channel(text["channel"]) if "channel" in text else missing
    cash = pc.fill_null(pc.equal(channel, "cash"), False)
    source, target = text["source"], text["target"]
    for side, account in (("source", source), ("target", target)):
        flag(
            pc.and_(pc.is_null(account), pc.invert(cash)),
            side,
            f"{side}.required",
            f"empty {side} account: only cash (channel cash) has no account on one side",
        )
    flag(
        pc.and_(pc.and_(pc.is_null(source), pc.is_null(target)), cash),
        "source",
        "cash.accounts",
        "cash with no account on either side",
    )
    source_bank = text.get("source_bank", missing)
    target_bank = text.get("target_bank", missing)
    same_bank = pc.equal(pc.fill_null(source_bank, ""), pc.fill_null(target_bank, ""))
    reinvestment = pc.fill_null(pc.equal(channel, "reinvestment"), False)
    flag(
        pc.and_(pc.and_(pc.equal(source, target), same_bank), pc.invert(reinvestment)),
        "target",
        "transfer.self",
        "the same account on both sides: allowed only for channel reinvestment",
    )

    amount, not_number, ambiguous = _amounts(text["amount"])
    flag(pc.is_null(text["amount"]), "amount", "amount.required", "empty amount")
    flag(
        ambiguous,
        "amount",
        "amount.ambiguous",
        "a comma before three digits may group thousands or mark decimals: "
        "write 1234 or 1.234 without the comma",
    )
    flag(
        not_number,
        "amount",
        "amount.number",
        "not a number: write 1234.50 (a point for decimals; commas only to group "
        "thousands, as in 1,234.50)",
    )
    flag(pc.less_equal(amount, 0), "amount", "amount.positive", "amount must be above zero")

    currency = pc.utf8_upper(text["currency"])
    flag(pc.is_null(currency), "currency", "currency.required", "empty currency")
    rate = rates.rate(currency)
    unknown = pc.and_(pc.is_null(rate), pc.is_valid(currency))
    iso = iso_codes(currency)
    flag(pc.and_(unknown, iso), "currency", "currency.rate", rates.why_unknown, currency)
    flag(pc.and_(unknown, pc.invert(iso)), "currency", "currency.iso", rates.why_unknown, currency)
    amount_eur = pc.divide(amount, rate)
    flag(
        pc.greater(amount_eur, ABSURD_EUR),
        "amount",
        "amount.absurd",
        f"more than {ABSURD_EUR:.0e} EUR in one transaction: a slipped decimal or unit?",
    )

    time, bad_time = _times(text["time"])
    flag(pc.is_null(text["time"]), "time", "time.required", "empty time")
    flag(
        bad_time,
        "time",
        "time.format",
        "not a date-time: write ISO 8601 (2024-03-01T14:05:00Z, or without a zone for UTC) "
        "or YYYY/MM/DD HH:MM",
    )

    countries = {"source_country": missing, "target_country": missing}
    for field in [f for f in countries if f in text]:
        countries[field], bad = _countries(text[field])
        flag(bad, field, f"{field}.iso", "not an ISO 3166-1 country code (alpha-2 or alpha-3)")

    if found.count > before:
        return None, tx_id
    columns = {
        "tx_id": tx_id,
        "time": time,
        "source": source,
        "target": target,
        "amount": amount,
        "currency": currency,
        "amount_eur": amount_eur,
        "source_bank": source_bank,
        "target_bank": target_bank,
        "source_country": countries["source_country"],
        "target_country": countries["target_country"],
        "channel": channel,
        "batch": pa.repeat(batch, len(keys)),
    }
    return pa.Table.from_arrays([columns[f.name] for f in TRANSACTIONS], schema=TRANSACTIONS), tx_id


def _clean(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Trimmed; an empty cell is missing."""
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _amounts(text: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(amount, not a number, ambiguous) per cell; see the module's rules."""
    ambiguous = pc.match_substring_regex(text, AMBIGUOUS)
    grouped = pc.and_(pc.match_substring_regex(text, GROUPED), pc.invert(ambiguous))
    plain = pc.if_else(grouped, pc.replace_substring(text, ",", ""), text)
    number = pc.match_substring_regex(plain, NUMBER)
    amount = pc.cast(pc.if_else(number, plain, pa.scalar(None, pa.string())), pa.float64())
    return amount, pc.and_(pc.invert(number), pc.invert(ambiguous)), ambiguous


def _times(text: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """(time, not a date-time) per cell, as ISO 8601 in UTC before Arrow parses it in C++."""
    iso = pc.replace_substring_regex(text, r"^(\d{4})/(\d{2})/(\d{2})", r"\1-\2-\3")
    date = pc.match_substring_regex(iso, r"^\d{4}-\d{2}-\d{2}$")
    iso = pc.if_else(date, pc.binary_join_element_wise(iso, "T00:00", ""), iso)
    zoned = pc.match_substring_regex(iso, ZONE)
    iso = pc.if_else(zoned, iso, pc.binary_join_element_wise(iso, "Z", ""))
    shaped = pc.if_else(pc.match_substring_regex(iso, ISO_TIME), iso, pa.scalar(None, pa.string()))
    try:
        time = pc.cast(shaped, TIME)
    except pa.ArrowInvalid:  # a well-shaped impossible date (February 30): find it cell by cell
        time = pa.array([_time(value) for value in shaped.to_pylist()], TIME)
    return time, pc.and_(pc.is_valid(text), pc.is_null(time))


def _time(text: str | None) -> datetime | None:
    try:
        return None if text is None else pc.cast(pa.array([text]), TIME)[0].as_py()
    except pa.ArrowInvalid:
        return None


@cache
def _country_codes() -> tuple[pa.Array, pa.Array]:
    """Every alpha-2 and alpha-3 code, and the alpha-2 code each stands for."""
    codes = {"XK": "XK", "XKX": "XK"}  # Kosovo: user-assigned, used by the EU and SWIFT
    for country in pycountry.countries:
        codes[country.alpha_2] = codes[country.alpha_3] = country.alpha_2
    return pa.array(list(codes)), pa.array(list(codes.values()))


def _countries(text: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """(alpha-2 code, not a country) per cell."""
    codes, alpha_2 = _country_codes()
    country = pc.take(alpha_2, pc.index_in(pc.utf8_upper(text), value_set=codes))
    return country, pc.and_(pc.is_valid(text), pc.is_null(country))


def _channel(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    words = pc.replace_substring_regex(pc.utf8_lower(text), r"[\s_-]+", "_")
    synonyms, canonical = (
        pa.array(list(CHANNEL_SYNONYMS)),
        pa.array(list(CHANNEL_SYNONYMS.values())),
    )
    folded = pc.take(canonical, pc.index_in(words, value_set=synonyms))
    return pc.coalesce(folded, words)


# Reading the file


def _record_ends(piece: bytes) -> np.ndarray:
    """Offsets of the line feeds that end a record: those outside quotes (RFC 4180 quoting,
    where a quote inside a quoted field is doubled, so parity tells inside from outside)."""
    data = np.frombuffer(piece, np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    if b'"' not in piece:
        return newlines
    quotes = np.flatnonzero(data == ord('"'))
    ends: np.ndarray = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    return ends


def _pieces(handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """The file in pieces of about BLOCK_SIZE bytes, each whole records ending in a line feed,
    with the line each starts on. A UTF-8 BOM is dropped."""
    pending, line = b"", 1
    while data := handle.read(BLOCK_SIZE):
        if line == 1 and not pending:
            data = data.removeprefix(codecs.BOM_UTF8)
        pending += data
        ends = _record_ends(pending)
        if not len(ends):
            if len(pending) > LONGEST_RECORD:
                raise _Unreadable(
                    line,
                    Problem(
                        f"line {line}",
                        "csv.quote",
                        f"no end of record within {LONGEST_RECORD >> 20} MiB: "
                        "a quote never closed?",
                    ),
                )
            continue
        cut = int(ends[-1]) + 1
        yield pending[:cut], line
        line += pending.count(b"\n", 0, cut)
        pending = pending[cut:]
    if pending:
        yield pending + b"\n", line


def _blocks(
    handle: BinaryIO, mapping: Mapping[str, str], found: _Found
) -> Iterator[tuple[dict[str, pa.Array | pa.ChunkedArray], np.ndarray]]:
    """The mapped cells of each block as strings by field, with the line of each row."""
    pieces = _pieces(handle)
    first = next(pieces, None)
    if first is None:
        raise _Unreadable(1, Problem("line 1", "file.header", "empty file: no header line"))
    opening = first[0]
    ends = _record_ends(opening)
    if not len(ends):
        raise _Unreadable(1, Problem("line 1", "csv.quote", "a quote in the header never closes"))
    header = int(ends[0]) + 1
    names = _column_names(opening[:header], mapping)
    rest = (opening[header:], 1 + opening.count(b"\n", 0, header))
    for piece, start in chain([rest], pieces):
        if (problem := _utf8_problem(piece, start)) is not None:
            raise _Unreadable(start, problem)
        if piece.strip(b"\r\n"):
            yield _parse(piece, start, names, mapping, found)


def _column_names(header: bytes, mapping: Mapping[str, str]) -> list[str]:
    """Trimmed names, a repeated one numbered `.1`, `.2`… as pandas does; each mapped column
    must be among them."""
    if (problem := _utf8_problem(header, 1)) is not None:
        raise _Unreadable(1, problem)
    names: list[str] = []
    try:
        cells = next(csv.reader([header.decode("utf-8").rstrip("\r\n")]), [])
    except csv.Error as error:  # a line break inside an unquoted cell
        raise _Unreadable(1, Problem("line 1", "csv.header", f"not CSV: {error}")) from None
    for name in cells:
        base, unique, number = name.strip(), name.strip(), 0
        while unique in names:
            number += 1
            unique = f"{base}.{number}"
        names.append(unique)
    listed = ", ".join(map(repr, names))
    absent = [
        Problem(
            "line 1", "column.missing", f"no column {c!r} (for {f}); the header has {listed}", c
        )
        for f, c in mapping.items()
        if c not in names
    ]
    if absent:
        raise _Unreadable(1, *absent)
    return names


def _utf8_problem(piece: bytes, start: int) -> Problem | None:
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError as error:
        begin = piece.rfind(b"\n", 0, error.start) + 1
        end = piece.find(b"\n", error.start)
        line = start + piece.count(b"\n", 0, error.start)
        return Problem(
            f"line {line}",
            "encoding",
            f"not UTF-8 (byte 0x{piece[error.start]:02x}): save the file as UTF-8",
            piece[begin:end].decode("utf-8", "replace")[:200],
        )
    return None


def _parse(
    piece: bytes, start: int, names: list[str], mapping: Mapping[str, str], found: _Found
) -> tuple[dict[str, pa.Array | pa.ChunkedArray], np.ndarray]:
    """The mapped cells of a piece as strings by field, and the line of each row."""
    skipped = 0

    def skip(_: object) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    used = list(dict.fromkeys(mapping.values()))
    try:
        table = pacsv.read_csv(
            pa.py_buffer(piece),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=b'"' in piece, invalid_row_handler=skip
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=used,
                column_types=dict.fromkeys(used, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise _Unreadable(
            start, Problem(f"line {start}", "csv.parse", f"unreadable from here: {error}")
        ) from None
    lines = _record_lines(piece, start)
    if skipped or len(lines) != table.num_rows:
        lines = _lines_by_python(piece, start, len(names), found)
        if len(lines) != table.num_rows:
            raise _Unreadable(
                start, Problem(f"line {start}", "csv.parse", "the quoting cannot be read from here")
            )
    return {field: table[column] for field, column in mapping.items()}, lines


def _record_lines(piece: bytes, start: int) -> np.ndarray:
    """The line each record of a piece starts on, blank lines skipped as Arrow skips them."""
    data = np.frombuffer(piece, np.uint8)
    ends = _record_ends(piece)
    if not len(ends):
        return ends
    starts = np.concatenate(([0], ends[:-1] + 1))
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (data[starts] == ord("\r")))
    newlines = np.flatnonzero(data == ord("\n"))
    lines: np.ndarray = start + np.searchsorted(newlines, starts[~blank])
    return lines


def _lines_by_python(piece: bytes, start: int, width: int, found: _Found) -> np.ndarray:
    """The slow way, for a piece with rows Arrow skipped: flags each row whose number of fields
    differs from the header's and returns the lines of the others."""
    reader = csv.reader(io.StringIO(piece.decode("utf-8"), newline=""))
    lines, previous = [], 0
    for row in reader:
        line = start + previous
        previous = reader.line_num
        if not row:
            continue
        if len(row) != width:
            found.add(
                line,
                Problem(
                    f"line {line}",
                    "csv.fields",
                    f"{len(row)} fields; the header has {width}",
                    ",".join(row)[:200],
                ),
            )
        else:
            lines.append(line)
    return np.array(lines, np.int64)
