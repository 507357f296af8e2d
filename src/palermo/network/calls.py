"""Call detail records and subscriber lists into FtM entities.

Operators hand over CDRs as CSV with their own column names and date formats; a column
map says which is which (`caller=A_NUMBER,callee=B_NUMBER,start=SEIZURE_TIME,…`). Each row
becomes a Call (caller and receiver numbers, start, duration in seconds, the cell in its
description); each subscriber becomes a Person holding the number, and calls to and from a
subscribed number name that person. The entities are then imported like any FtM file —
under one envelope, all or nothing, every bad line named.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from palermo.errors import Invalid
from palermo.translatable import N_

CALL_FIELDS = {"caller": True, "callee": True, "start": True, "duration": False, "cell": False}
SUBSCRIBER_FIELDS = {
    "number": True,
    "name": True,
    "birth_date": False,
    "id_number": False,
    "address": False,
}
DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def column_map(text: str | None, fields: Mapping[str, bool], what: str) -> dict[str, str]:
    """`field=COLUMN,…` over the defaults (each field read from a column of its own name)."""
    chosen = {name: name for name in fields}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, _, column = item.partition("=")
        name = name.strip().lower()
        if name not in fields or not column.strip():
            known = ", ".join(fields)
            raise Invalid(
                N_("bad %(what)s column mapping %(mapping)s; map %(known)s as FIELD=COLUMN"),
                what=what,
                mapping=repr(item.strip()),
                known=known,
            )
        chosen[name] = column.strip()
    return chosen


def _rows(
    path: Path, columns: dict[str, str], fields: Mapping[str, bool]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV file, or Invalid when it is not UTF-8 CSV."""
    line = 1
    try:
        for line, row in _read_rows(path, columns, fields):
            yield line, row
    except UnicodeDecodeError:
        raise Invalid(N_("%(name)s: not UTF-8 text"), name=path.name) from None
    except csv.Error as error:  # a field over csv's size limit: an unclosed quote
        raise Invalid(
            N_("%(name)s after line %(line)s: not CSV (%(error)s)"),
            name=path.name,
            line=line,
            error=error,
        ) from None


def _read_rows(
    path: Path, columns: dict[str, str], fields: Mapping[str, bool]
) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise Invalid(N_("%(path)s: no such file"), path=path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        # Operators export with commas, semicolons or tabs: read the header to tell which.
        first = handle.readline()
        handle.seek(0)
        delimiter = max(",;\t|", key=first.count)
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = reader.fieldnames or []
        missing = [
            columns[f] for f, required in fields.items() if required and columns[f] not in header
        ]
        if missing:
            raise Invalid(
                N_(
                    "%(name)s: no column %(columns)s (the header has %(header)s); map columns with "
                    "FIELD=COLUMN"
                ),
                name=path.name,
                columns=", ".join(map(repr, missing)),
                header=", ".join(header) or "nothing",
            )
        for number, row in enumerate(reader, start=2):
            yield number, {f: (row.get(c) or "").strip() for f, c in columns.items() if c in header}


def dialled(value: str) -> str:
    """A phone number as dialled digits, international prefix as +: '+31 6-1234 5678' and
    '0031 612345678' → '+31612345678'. Calls and shared phones meet on this form."""
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        return "+" + digits[2:]
    return ("+" if text.startswith("+") else "") + digits


def _when(value: str, time_format: str | None) -> str:
    moment = datetime.strptime(value, time_format) if time_format else datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def _seconds(value: str) -> int:
    if value.isdigit():
        return int(value)
    parts = DURATION.match(value)
    if parts is None:
        raise ValueError(value)
    hours, minutes, seconds = (int(p or 0) for p in parts.groups())
    return hours * 3600 + minutes * 60 + seconds


def subscriber_id(number: str) -> str:
    return f"subscriber-{number.lstrip('+')}"


def entities(
    cdr: Path,
    *,
    columns: str | None = None,
    time_format: str | None = None,
    subscribers: Path | None = None,
    subscriber_columns: str | None = None,
) -> list[dict[str, Any]]:
    """The FtM entities of a CDR file (and its subscriber list), or Invalid naming every bad
    line (up to 20): nothing is half-converted."""
    problems: list[str] = []
    found: list[dict[str, Any]] = []
    subscribed: set[str] = set()
    if subscribers is not None:
        people = column_map(subscriber_columns, SUBSCRIBER_FIELDS, "subscriber")
        for line, row in _rows(subscribers, people, SUBSCRIBER_FIELDS):
            number = dialled(row["number"])
            if len(number.lstrip("+")) < 5 or not row["name"]:
                problems.append(f"{subscribers.name} line {line}: a number and a name are needed")
                continue
            subscribed.add(number)
            found.append(_subscriber(number, row))
    mapping = column_map(columns, CALL_FIELDS, "call")
    seen: set[str] = set()
    for line, row in _rows(cdr, mapping, CALL_FIELDS):
        try:
            call = _call(cdr.name, line, row, time_format, subscribed)
        except ValueError as error:
            problems.append(f"{cdr.name} line {line}: {error}")
            continue
        if call["id"] not in seen:  # the same call listed twice is one call
            seen.add(call["id"])
            found.append(call)
    if problems:
        raise Invalid(
            N_("%(count)s bad line(s); nothing was imported"),
            count=len(problems),
            details=[{"problem": p} for p in problems[:20]],
        )
    if not any(e["schema"] == "Call" for e in found):
        raise Invalid(
            N_("%(name)s: no calls (the file has a header and nothing else)"), name=cdr.name
        )
    return found


def _subscriber(number: str, row: dict[str, str]) -> dict[str, Any]:
    properties: dict[str, list[str]] = {"name": [row["name"]], "phone": [number]}
    for field, prop in (
        ("birth_date", "birthDate"),
        ("id_number", "idNumber"),
        ("address", "address"),
    ):
        if row.get(field):
            properties[prop] = [row[field]]
    return {"id": subscriber_id(number), "schema": "Person", "properties": properties}


def _call(
    name: str, line: int, row: dict[str, str], time_format: str | None, subscribed: set[str]
) -> dict[str, Any]:
    caller, callee = dialled(row["caller"]), dialled(row["callee"])
    for side, number in (("caller", caller), ("callee", callee)):
        if len(number.lstrip("+")) < 3:
            raise ValueError(f"{side} {row[side]!r} is not a phone number")
    try:
        start = _when(row["start"], time_format)
    except ValueError:
        shown = time_format or "ISO 8601, e.g. 2024-03-01T14:05:00"
        raise ValueError(f"start {row['start']!r} does not read as {shown}") from None
    properties: dict[str, list[str]] = {
        "callerNumber": [caller],
        "receiverNumber": [callee],
        "date": [start],
        "recordId": [f"{name}:{line}"],
    }
    if row.get("duration"):
        try:
            properties["duration"] = [str(_seconds(row["duration"]))]
        except ValueError:
            raise ValueError(
                f"duration {row['duration']!r} is neither seconds nor [HH:]MM:SS"
            ) from None
    if row.get("cell"):
        properties["description"] = [f"cell {row['cell']}"]
    if caller in subscribed:
        properties["caller"] = [subscriber_id(caller)]
    if callee in subscribed:
        properties["receiver"] = [subscriber_id(callee)]
    # A call is who called whom, when, for how long: the same call in a later export of the
    # same line gets the same id, so importing both does not count it twice.
    identity = {k: v for k, v in properties.items() if k not in ("recordId", "description")}
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    return {"id": f"call-{digest}", "schema": "Call", "properties": properties}
