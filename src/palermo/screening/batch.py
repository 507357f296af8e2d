"""Batch screening of passenger manifests and customer lists (CSV in, hits CSV out)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from palermo.errors import Invalid
from palermo.identity.principal import Principal
from palermo.policy.records import AccessContext
from palermo.screening.schemas import ScreenHit
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.service import screen_many
from palermo.translatable import N_

FIELDS = ("name", "birth_date", "nationality", "document", "document_type", "gender")
# Headers seen in manifests and customer files, lower-cased, mapped to our fields.
ALIASES = {
    "full_name": "name",
    "fullname": "name",
    "surname_given_names": "name",
    "passenger": "name",
    "passenger_name": "name",
    "traveller": "name",
    "customer": "name",
    "customer_name": "name",
    "client_name": "name",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "birthdate": "birth_date",
    "citizenship": "nationality",
    "country": "nationality",
    "passport": "document",
    "passport_number": "document",
    "document_number": "document",
    "doc_number": "document",
    "sex": "gender",
}
OUTPUT = (
    "line",
    "query_name",
    "record_id",
    "access",
    "score",
    "alert",
    "algorithm",
    "schema",
    "caption",
    "owner_agency",
    "source",
    "source_ref",
    "explanation",
)
MAX_ROWS = 200_000
MAX_BYTES = 20 * 2**20
HITS_PER_LINE = 3  # a manifest line is one traveller: the best few candidates are enough


@dataclass(frozen=True)
class BatchRow:
    line: int
    fields: dict[str, str]  # as read, kept by jobs to screen later
    query: ScreeningQuery

    @classmethod
    def of(cls, line: int, fields: dict[str, str]) -> BatchRow:
        query = ScreeningQuery.of(
            fields.get("name", ""),
            birth_date=fields.get("birth_date") or None,
            nationality=fields.get("nationality") or None,
            gender=fields.get("gender") or None,
            document=fields.get("document") or None,
        )
        return cls(line=line, fields=fields, query=query)


def read_rows(data: bytes, *, mapping: Mapping[str, str] | None = None) -> list[BatchRow]:
    """Every row of a CSV file as a query, or an error naming each bad line (none taken)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid(
            N_("the file is not UTF-8 (byte %(start)s); save it as UTF-8 CSV"), start=error.start
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise Invalid(N_("the file is empty: a header line is needed (name, birth_date, …)"))
    columns = _columns(reader.fieldnames, mapping or {})
    rows: list[BatchRow] = []
    problems: list[dict[str, Any]] = []
    for number, raw in enumerate(reader, start=2):
        values = {field: (raw.get(header) or "").strip() for field, header in columns.items()}
        try:
            rows.append(BatchRow.of(number, values))
        except Invalid as error:
            reason = error.message
            if "name" not in columns:
                reason += " (no column was taken as the name: use --map name=HEADER)"
            problems.append({"line": number, "reason": reason})
            continue
        if len(rows) > MAX_ROWS:
            raise Invalid(N_("more than %(limit)s rows: split the file"), limit=MAX_ROWS)
    if problems:
        raise Invalid(
            N_("%(count)s bad line(s); nothing was screened"),
            count=len(problems),
            details=problems[:100],
        )
    if not rows:
        raise Invalid(N_("the file has a header but no rows"))
    return rows


def _columns(headers: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Our field → the file's header, from explicit --map flags, then known aliases."""
    columns: dict[str, str] = {}
    for field, header in mapping.items():
        if field not in FIELDS:
            raise Invalid(
                N_("unknown field %(field)s in a mapping; fields: %(fields)s"),
                field=repr(field),
                fields=", ".join(FIELDS),
            )
        if header not in headers:
            raise Invalid(
                N_("the file has no column %(header)s; it has %(headers)s"),
                header=repr(header),
                headers=", ".join(headers),
            )
        columns[field] = header
    for header in headers:
        key = header.strip().lower().replace(" ", "_")
        known = key if key in FIELDS else ALIASES.get(key)
        if known and known not in columns:
            columns[known] = header
    if "name" not in columns and "document" not in columns:
        raise Invalid(
            N_("no name or document column among %(headers)s; map one with --map name=HEADER"),
            headers=", ".join(headers),
        )
    return columns


def screen_rows(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    rows: Sequence[BatchRow],
    limit: int,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """One output line per hit (lines without hits produce nothing)."""
    answers = screen_many(
        session,
        principal=principal,
        context=context,
        queries=[r.query for r in rows],
        limit=limit,
        now=now,
        progress=progress,
    )
    return [_output(row, hit) for row, hits in zip(rows, answers, strict=True) for hit in hits]


def _output(row: BatchRow, hit: ScreenHit) -> dict[str, Any]:
    return {
        "line": row.line,
        "query_name": row.query.raw_name,
        "record_id": hit.record_id,
        "access": hit.access,
        "score": "" if hit.score is None else f"{hit.score:.3f}",
        "alert": "yes" if hit.alert else "no",
        "algorithm": hit.algorithm,
        "schema": hit.schema_,
        "caption": hit.caption or "",
        "owner_agency": hit.owner_agency,
        "source": hit.source or "",
        "source_ref": hit.source_ref or "",
        "explanation": " | ".join(hit.explanation),
    }


def hits_csv(lines: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUTPUT, lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    return buffer.getvalue()
