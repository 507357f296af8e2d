"""Watch lists as published (UN, EU, OFAC, Interpol, FtM) read into FollowTheMoney entities.

Each parser reads a whole file and either returns every entry or raises `Invalid` naming the
file and the line or element at fault: a list is never loaded half-read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser
from followthemoney import model, registry

from palermo.errors import Invalid
from palermo.files import read_file
from palermo.translatable import N_

# Beyond this span a "born between" range is kept as its two ends, not year by year.
MAX_YEAR_SPAN = 20
# A list is read and parsed whole in memory: a larger file is refused rather than read.
MAX_LIST_BYTES = 2**30


@dataclass(frozen=True)
class ListEntry:
    reference: str  # the list's own reference: UN "QDi.001", EU logicalId, OFAC ent_num…
    entity: dict[str, Any]  # FtM entity: {"id", "schema", "properties": {prop: [str, ...]}}
    listed_on: date | None


@dataclass(frozen=True)
class ListFile:
    source: str  # "un" | "eu" | "ofac" | "interpol" | "ftm"
    entries: list[ListEntry]


class EntityDraft:
    """An FtM entity being assembled from one list record.

    Values are cleaned as FtM cleans them, so the result passes `parse_entity`. A value FtM
    cannot read (a country "Indonesia (as at Dec. 2003)") would be refused there; it is kept
    in `notes` as "Label: value" instead of being lost.
    """

    def __init__(self, entity_id: str, schema: str) -> None:
        found = model.get(schema)
        if found is None:
            raise ValueError(f"unknown FtM schema {schema!r}")
        self.id = entity_id
        self.schema = found
        self.properties: dict[str, list[str]] = {}

    def add(self, name: str, *values: str | None, note_unreadable: bool = True) -> None:
        prop = self.schema.get(name)
        if prop is None:
            raise ValueError(f"{self.schema.name} has no property {name!r}")
        for value in values:
            text = (value or "").strip()
            if not text:
                continue
            cleaned = (
                text if prop.type == registry.entity else prop.type.clean(text, format=prop.format)
            )
            if cleaned is not None:
                self._append(name, str(cleaned))
            elif note_unreadable:
                self._append("notes", f"{prop.label}: {text}")

    def has(self, name: str) -> bool:
        return bool(self.properties.get(name))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.schema.name, "properties": self.properties}

    def _append(self, name: str, value: str) -> None:
        values = self.properties.setdefault(name, [])
        if value not in values:
            values.append(value)


def joined(*parts: str | None, sep: str = ", ") -> str:
    """Non-empty parts joined: address lines, places, names."""
    return sep.join(p.strip() for p in parts if p and p.strip())


def year_range(first: str, last: str) -> list[str]:
    """Born between 1960 and 1962: the years 1960, 1961 and 1962 (a wide span: its ends)."""
    if not (first.isdigit() and last.isdigit()):
        return [first, last]
    if 0 <= int(last) - int(first) <= MAX_YEAR_SPAN:
        return [str(year) for year in range(int(first), int(last) + 1)]
    return [first, last]


def read_bytes(path: Path) -> bytes:
    return read_file(path, limit=MAX_LIST_BYTES, what="the watch list")


def parse_iso_date(text: str | None, where: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError as error:
        raise Invalid(
            N_("%(where)s: %(text)s is not a date (YYYY-MM-DD)"),
            where=where,
            text=repr(text.strip()),
        ) from error


class _LineTreeBuilder(TreeBuilder):
    """A TreeBuilder that remembers the line each element starts on, for error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.current_line: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.current_line()
        return element


@dataclass(frozen=True)
class XmlDocument:
    name: str
    root: Element
    lines: dict[Element, int]

    def where(self, element: Element) -> str:
        """The prefix of every message about an element: "un.xml line 40"."""
        return f"{self.name} line {self.lines.get(element, 0)}"


def read_xml(path: Path) -> XmlDocument:
    """Parse with defusedxml (no DTD, so no entity expansion or external reference), keeping
    the line each element starts on."""
    builder = _LineTreeBuilder()
    parser = XMLParser(target=builder, forbid_dtd=True)
    # defusedxml's parser is ElementTree's pure-Python one: `.parser` is the expat parser.
    expat = parser.parser
    builder.current_line = lambda: int(expat.CurrentLineNumber)
    data = read_bytes(path)
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as error:
        line, _column = error.position
        raise Invalid(
            N_("%(name)s line %(line)s: not well-formed XML (%(error)s)"),
            name=path.name,
            line=line,
            error=ErrorString(error.code),
        ) from error
    except DefusedXmlException as error:
        raise Invalid(
            N_(
                "%(name)s line %(line)s: refused a document type declaration "
                "(DOCTYPE): watch lists have none, and its entities can expand without bound (an "
                "entity bomb) or read local files [%(kind)s]"
            ),
            name=path.name,
            line=expat.CurrentLineNumber,
            kind=type(error).__name__,
        ) from error
    except LookupError as error:  # expat asked for the declared encoding
        raise Invalid(N_("%(name)s line 1: %(error)s"), name=path.name, error=error) from error
    return XmlDocument(path.name, root, builder.lines)


def child_text(element: Element, tag: str) -> str:
    """The stripped text of the first child `tag`, or ""."""
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


# Parsers import the types above, so the registry is filled after they are defined.
from palermo.screening.lists import eu, ftm, interpol, ofac, un  # noqa: E402

PARSERS: dict[str, Callable[[Path], ListFile]] = {
    "un": un.parse_un,
    "eu": eu.parse_eu,
    "ofac": ofac.parse_ofac,
    "interpol": interpol.parse_interpol,
    "ftm": ftm.parse_ftm,
}
