"""Offences keyed on UNODC's International Classification of Crime for Statistical Purposes.

ICCS version 1.0 (2015) is a four-level hierarchy whose codes carry their level in their length:
a section has 2 digits (``01``), a division 4 (``0101``), a group 5 (``01031``) and a class 6
(``010321``); each code's parent is its own prefix one level up. The table ships as
``palermo/data/iccs.csv``; where it came from, and which parts of the classification it does not
yet hold, is told in ``palermo/data/ICCS-SOURCE.md`` beside it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import IO, Any

from palermo.errors import Invalid

__all__ = ["Offence", "ancestors", "extract_labels", "iccs", "is_within", "offence"]

_LEVEL_BY_LENGTH = {2: 1, 4: 2, 5: 3, 6: 4}
_PARENT_LENGTH = {1: 0, 2: 2, 3: 4, 4: 5}
_HEADER = ["code", "level", "parent", "label"]


@dataclass(frozen=True, slots=True)
class Offence:
    """One ICCS category: ``parent`` is None for the eleven sections."""

    code: str
    level: int
    parent: str | None
    label: str


@cache
def iccs() -> Mapping[str, Offence]:
    """Every ICCS category Palermo knows, by code, in the classification's order (read once)."""
    text = (files("palermo") / "data" / "iccs.csv").read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != _HEADER:
        raise ValueError(f"palermo/data/iccs.csv: header is {header!r}, expected {_HEADER!r}")
    table: dict[str, Offence] = {}
    for line, row in enumerate(reader, start=2):
        entry = _parse(row, line)
        if entry.code in table:
            raise ValueError(f"palermo/data/iccs.csv:{line}: code {entry.code} is repeated")
        if entry.parent is not None and entry.parent not in table:
            raise ValueError(
                f"palermo/data/iccs.csv:{line}: parent {entry.parent} of {entry.code} "
                "must come before it"
            )
        table[entry.code] = entry
    return MappingProxyType(table)


def offence(code: str) -> Offence:
    """The category with this code, or Invalid naming the code and the form codes take."""
    found = iccs().get(code)
    if found is None:
        raise Invalid(
            f"unknown ICCS code {code!r}; ICCS codes look like 0101 (intentional homicide): "
            "2 digits for a section (01 to 11), 4 for a division, 5 for a group, 6 for a class",
            details=[{"type": "unknown_iccs_code", "input": code}],
        )
    return found


def ancestors(code: str) -> list[Offence]:
    """The categories above ``code``, its section first and its parent last."""
    chain: list[Offence] = []
    parent = offence(code).parent
    while parent is not None:
        above = offence(parent)
        chain.append(above)
        parent = above.parent
    chain.reverse()
    return chain


def is_within(code: str, section_or_parent: str) -> bool:
    """Whether ``code`` is ``section_or_parent`` or falls anywhere beneath it."""
    inner = offence(code)
    outer = offence(section_or_parent)
    return inner.code == outer.code or any(a.code == outer.code for a in ancestors(inner.code))


def extract_labels(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, None, str, list[Any]]]:
    """Babel's extractor of the table's labels (see babel.cfg): the workspace shows them in
    the reader's language, translated in the catalogs like the strings of the code."""
    reader = csv.reader(io.TextIOWrapper(fileobj, encoding="utf-8"))
    next(reader, None)
    for line, row in enumerate(reader, start=2):
        yield line, None, row[_HEADER.index("label")], []


def _parse(row: list[str], line: int) -> Offence:
    where = f"palermo/data/iccs.csv:{line}"
    if len(row) != len(_HEADER):
        raise ValueError(f"{where}: expected {len(_HEADER)} fields, found {len(row)}")
    code, level_text, parent_text, label = row
    level = _LEVEL_BY_LENGTH.get(len(code))
    if not code.isdigit() or level is None:
        raise ValueError(f"{where}: {code!r} is not an ICCS code of 2, 4, 5 or 6 digits")
    if level_text != str(level):
        raise ValueError(f"{where}: code {code} is level {level}, not {level_text}")
    expected_parent = code[: _PARENT_LENGTH[level]]
    if parent_text != expected_parent:
        raise ValueError(f"{where}: parent of {code} is {expected_parent!r}, not {parent_text!r}")
    if not label.strip():
        raise ValueError(f"{where}: code {code} has no label")
    return Offence(code=code, level=level, parent=parent_text or None, label=label)
