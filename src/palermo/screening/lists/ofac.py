"""OFAC's Specially Designated Nationals list in the legacy CSV files (sdn, alt, add).

The files have no header, write "-0-" for an empty field, are Latin-1 and may end with a DOS
end-of-file byte (0x1A). Names of individuals read "LASTNAME, Firstname".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from palermo.errors import Invalid
from palermo.screening.lists import (
    EntityDraft,
    ListEntry,
    ListFile,
    joined,
    read_bytes,
    year_range,
)
from palermo.translatable import N_

EMPTY = "-0-"
SCHEMAS = {"individual": "Person", "": "LegalEntity", "vessel": "Vessel", "aircraft": "Airplane"}
ALIAS_PROPERTIES = {"aka": "alias", "fka": "previousName", "nka": "alias"}
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$")
MONTH_YEAR = re.compile(r"^([A-Z][a-z]{2}) (\d{4})$")
YEAR = re.compile(r"^(?:circa )?(\d{4})$")
YEARS = re.compile(r"^(\d{4}) to (\d{4})$")
PASSPORT = re.compile(r"^(?:alt\. )?Passport (?:No\. )?([A-Z0-9][A-Z0-9-]*)", re.IGNORECASE)
IMO = re.compile(r"\bIMO (\d{7})\b")


class SdnRow(NamedTuple):
    ent_num: str
    name: str
    sdn_type: str
    program: str
    title: str
    call_sign: str
    vessel_type: str
    tonnage: str
    grt: str
    flag: str
    owner: str
    remarks: str


class AltRow(NamedTuple):
    ent_num: str
    alt_num: str
    alt_type: str
    alt_name: str
    remarks: str


class AddRow(NamedTuple):
    ent_num: str
    add_num: str
    address: str
    city_state_zip: str
    country: str
    remarks: str


def parse_ofac(path: Path) -> ListFile:
    """sdn.csv, with alt.csv (aliases) and add.csv (addresses) from its folder if present."""
    drafts: dict[str, EntityDraft] = {}
    for where, fields in _rows(path, columns=len(SdnRow._fields)):
        sdn = SdnRow(*fields)
        _check_ent_num(where, sdn.ent_num)
        if sdn.ent_num in drafts:
            raise Invalid(
                N_("%(where)s: ent_num %(ent_num)s appears twice"), where=where, ent_num=sdn.ent_num
            )
        drafts[sdn.ent_num] = _entity(where, sdn)
    alt, add = path.with_name("alt.csv"), path.with_name("add.csv")
    if alt.exists():
        for where, fields in _rows(alt, columns=len(AltRow._fields)):
            alias = AltRow(*fields)
            _add_alias(_companion_of(drafts, where, alias.ent_num, path.name), alias)
    if add.exists():
        for where, fields in _rows(add, columns=len(AddRow._fields)):
            address = AddRow(*fields)
            _add_address(_companion_of(drafts, where, address.ent_num, path.name), address)
    entries = [
        ListEntry(reference=ent_num, entity=entity.to_dict(), listed_on=None)
        for ent_num, entity in drafts.items()
    ]
    return ListFile(source="ofac", entries=entries)


def _rows(path: Path, *, columns: int) -> Iterator[tuple[str, list[str]]]:
    """("sdn.csv line 12", fields) for each row, with "-0-" read as empty."""
    raw = read_bytes(path)
    try:
        # OFAC says Latin-1, but a file re-saved as UTF-8 must not turn "é" into "Ã©"; Latin-1
        # text with accents is practically never valid UTF-8, so trying UTF-8 first is safe.
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.rstrip().removesuffix("\x1a")  # DOS end-of-file marker
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue
            where = f"{path.name} line {reader.line_num}"
            if len(row) != columns:
                raise Invalid(
                    N_("%(where)s: expected %(columns)s columns, found %(count)s"),
                    where=where,
                    columns=columns,
                    count=len(row),
                )
            yield where, ["" if f.strip() == EMPTY else f.strip() for f in row]
    except csv.Error as error:  # a field over csv's size limit: an unclosed quote
        raise Invalid(
            N_("%(name)s line %(line)s: not CSV (%(error)s)"),
            name=path.name,
            line=reader.line_num,
            error=error,
        ) from None


def _check_ent_num(where: str, value: str) -> None:
    if not value.isdigit():
        raise Invalid(
            N_("%(where)s: ent_num %(value)s is not a number"), where=where, value=repr(value)
        )


def _companion_of(
    drafts: dict[str, EntityDraft], where: str, ent_num: str, sdn_name: str
) -> EntityDraft:
    _check_ent_num(where, ent_num)
    entity = drafts.get(ent_num)
    if entity is None:
        raise Invalid(
            N_("%(where)s: ent_num %(ent_num)s is not in %(sdn_name)s"),
            where=where,
            ent_num=ent_num,
            sdn_name=sdn_name,
        )
    return entity


def _entity(where: str, sdn: SdnRow) -> EntityDraft:
    schema = SCHEMAS.get(sdn.sdn_type.lower())
    if schema is None:
        raise Invalid(
            N_("%(where)s: unknown SDN_Type %(sdn_type)s"), where=where, sdn_type=repr(sdn.sdn_type)
        )
    if not sdn.name:
        raise Invalid(
            N_("%(where)s: ent_num %(ent_num)s has no SDN_Name"), where=where, ent_num=sdn.ent_num
        )
    entity = EntityDraft(f"ofac-{sdn.ent_num}", schema)
    _add_name(entity, "name", sdn.name)
    entity.add("topics", "sanction")
    # Several programs are written "SDGT] [IRGC".
    entity.add("program", *(p.strip(" []") for p in re.split(r"\]\s*\[", sdn.program)))
    entity.add("position" if schema == "Person" else "notes", sdn.title)
    entity.add("notes", f"OFAC SDN ent_num {sdn.ent_num}")
    if schema == "Vessel":
        entity.add("callSign", sdn.call_sign)
        entity.add("type", sdn.vessel_type)
        entity.add("tonnage", sdn.tonnage)
        entity.add("grossRegisteredTonnage", sdn.grt)
        entity.add("flag", sdn.flag)
        entity.add("imoNumber", *IMO.findall(sdn.remarks))
    elif schema == "Airplane":
        entity.add("type", sdn.vessel_type)
        entity.add("country", sdn.flag)
    # The owner is a name, not an entity of the list: FtM's owner property wants the latter.
    entity.add("notes", f"Owner: {sdn.owner}" if sdn.owner else "")
    entity.add("notes", sdn.remarks)
    if schema == "Person":
        _add_remarks(entity, sdn.remarks)
    return entity


def _add_name(entity: EntityDraft, prop: str, name: str) -> None:
    """Individuals: "SÁNCHEZ MUÑOZ, José Ramón" becomes "José Ramón SÁNCHEZ MUÑOZ"."""
    last, comma, first = name.partition(",")
    if entity.schema.name != "Person" or not comma or not first.strip():
        entity.add(prop, name)
        return
    entity.add(prop, joined(first, last, sep=" "))
    if prop == "name":  # name parts of the listed name only, not of every alias
        entity.add("firstName", first)
        entity.add("lastName", last)


def _add_alias(entity: EntityDraft, alias: AltRow) -> None:
    _add_name(entity, ALIAS_PROPERTIES.get(alias.alt_type.lower(), "alias"), alias.alt_name)
    if alias.remarks:
        entity.add("notes", f"Alias {alias.alt_name}: {alias.remarks}")


def _add_address(entity: EntityDraft, address: AddRow) -> None:
    text = joined(address.address, address.city_state_zip, address.country)
    entity.add("address", text)
    entity.add("country", address.country)
    if address.remarks:
        entity.add("notes", f"Address {text}: {address.remarks}")


def _add_remarks(entity: EntityDraft, remarks: str) -> None:
    """The facts remarks state plainly; the remarks themselves are kept whole in notes."""
    for part in (p.strip().rstrip(".") for p in remarks.split(";")):
        label, _, value = part.partition(" ")
        if label == "alt." and value.startswith("DOB "):
            label, value = "DOB", value[4:]
        if label == "DOB":
            entity.add("birthDate", *_dates(value), note_unreadable=False)
        elif label == "POB":
            entity.add("birthPlace", value)
        elif label == "nationality":
            entity.add("nationality", value, note_unreadable=False)
        elif label == "citizen":
            entity.add("citizenship", value, note_unreadable=False)
        elif label == "Gender":
            entity.add("gender", value, note_unreadable=False)
        elif match := PASSPORT.match(part):
            entity.add("passportNumber", match.group(1))


def _dates(text: str) -> list[str]:
    """ISO dates of "12 Jan 1960", "Jan 1960", "1960", "circa 1960" or "1960 to 1962"."""
    if match := DAY_MONTH_YEAR.match(text):
        day, month, year = match.groups()
        if month in MONTHS:
            return [f"{year}-{MONTHS[month]:02d}-{int(day):02d}"]
    elif match := MONTH_YEAR.match(text):
        month, year = match.groups()
        if month in MONTHS:
            return [f"{year}-{MONTHS[month]:02d}"]
    elif match := YEAR.match(text):
        return [match.group(1)]
    elif match := YEARS.match(text):
        return year_range(*match.groups())
    return []
