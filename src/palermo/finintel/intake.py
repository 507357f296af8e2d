"""One entry for every report format a reporting entity may file in."""

from __future__ import annotations

from collections.abc import Callable

from palermo.finintel.filing import Filing, Problem, ReportRejected
from palermo.finintel.goaml import read_goaml
from palermo.finintel.tabular import read_csv, read_json

READERS: dict[str, Callable[[bytes], Filing]] = {
    "goaml": read_goaml,
    "csv": read_csv,
    "json": read_json,
}


def read_report(data: bytes, format: str) -> Filing:
    """The file as a `Filing` (format: goaml, csv or json), or `ReportRejected` listing every
    problem found — an unknown format included."""
    reader = READERS.get(format)
    if reader is None:
        message = f"unknown report format; one of {', '.join(READERS)}"
        raise ReportRejected([Problem("format", "format", message, format)])
    return reader(data)
