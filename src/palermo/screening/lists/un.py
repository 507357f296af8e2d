"""The UN Security Council consolidated list (XML, un_sc_sanctions.xsd)."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from palermo.errors import Invalid
from palermo.screening.lists import (
    EntityDraft,
    ListEntry,
    ListFile,
    XmlDocument,
    child_text,
    joined,
    parse_iso_date,
    read_xml,
    year_range,
)
from palermo.translatable import N_

NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def parse_un(path: Path) -> ListFile:
    """Every INDIVIDUAL (Person) and ENTITY (Organization) of a consolidated list file."""
    doc = read_xml(path)
    if doc.root.tag != "CONSOLIDATED_LIST":
        raise Invalid(
            N_("%(root)s: root is %(tag)s, not CONSOLIDATED_LIST"),
            root=doc.where(doc.root),
            tag=doc.root.tag,
        )
    entries: list[ListEntry] = []
    seen: set[str] = set()
    records = [(r, "Person") for r in doc.root.iterfind("INDIVIDUALS/INDIVIDUAL")]
    records += [(r, "Organization") for r in doc.root.iterfind("ENTITIES/ENTITY")]
    for record, schema in records:
        entry = _entry(doc, record, schema)
        if entry.entity["id"] in seen:
            data_id = entry.entity["id"].removeprefix("un-")
            raise Invalid(
                N_("%(record)s: DATAID %(data_id)s appears twice"),
                record=doc.where(record),
                data_id=data_id,
            )
        seen.add(entry.entity["id"])
        entries.append(entry)
    return ListFile(source="un", entries=entries)


def _entry(doc: XmlDocument, record: Element, schema: str) -> ListEntry:
    where = doc.where(record)
    data_id = child_text(record, "DATAID")
    if not data_id:
        raise Invalid(N_("%(where)s: %(tag)s without DATAID"), where=where, tag=record.tag)
    reference = child_text(record, "REFERENCE_NUMBER")
    if not reference:
        raise Invalid(
            N_("%(where)s: %(tag)s %(data_id)s without REFERENCE_NUMBER"),
            where=where,
            tag=record.tag,
            data_id=data_id,
        )
    name = joined(*(child_text(record, part) for part in NAME_PARTS), sep=" ")
    if not name:
        raise Invalid(
            N_("%(where)s: %(tag)s %(data_id)s without a name"),
            where=where,
            tag=record.tag,
            data_id=data_id,
        )
    listed_on = parse_iso_date(child_text(record, "LISTED_ON"), f"{where}: LISTED_ON")

    entity = EntityDraft(f"un-{data_id}", schema)
    entity.add("name", name)
    entity.add("alias", child_text(record, "NAME_ORIGINAL_SCRIPT"))
    entity.add("topics", "sanction")
    entity.add("program", child_text(record, "UN_LIST_TYPE"))
    entity.add("notes", _listing_note(record, reference))
    entity.add("notes", child_text(record, "COMMENTS1"))
    for alias in [*record.iterfind("INDIVIDUAL_ALIAS"), *record.iterfind("ENTITY_ALIAS")]:
        entity.add(_alias_property(child_text(alias, "QUALITY")), child_text(alias, "ALIAS_NAME"))
    for address in [*record.iterfind("INDIVIDUAL_ADDRESS"), *record.iterfind("ENTITY_ADDRESS")]:
        _add_address(entity, address)
    if schema == "Person":
        _add_person(entity, record)
    return ListEntry(reference=reference, entity=entity.to_dict(), listed_on=listed_on)


def _listing_note(record: Element, reference: str) -> str:
    note = f"UN reference {reference}, listed on {child_text(record, 'LISTED_ON')}"
    delisted = child_text(record, "DELISTED_ON")
    return f"{note}, delisted on {delisted}" if delisted else note


def _alias_property(quality: str) -> str:
    # Individuals carry Good/Low, entities a.k.a./f.k.a.; a low-quality alias is too
    # generic to screen on, a former name still names the same person or body.
    quality = quality.strip().lower()
    if quality == "low":
        return "weakAlias"
    if quality in {"f.k.a.", "fka"}:
        return "previousName"
    return "alias"


def _add_address(entity: EntityDraft, address: Element) -> None:
    parts = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
    entity.add("address", joined(*(child_text(address, p) for p in parts)))
    entity.add("country", child_text(address, "COUNTRY"))
    note = child_text(address, "NOTE")
    if note:
        entity.add("notes", f"Address {joined(*(child_text(address, p) for p in parts))}: {note}")


def _add_person(entity: EntityDraft, record: Element) -> None:
    entity.add("firstName", child_text(record, "FIRST_NAME"))
    entity.add("secondName", child_text(record, "SECOND_NAME"))
    entity.add("gender", child_text(record, "GENDER"))
    entity.add("title", *_values(record, "TITLE"))
    entity.add("position", *_values(record, "DESIGNATION"))
    entity.add("nationality", *_values(record, "NATIONALITY"), child_text(record, "NATIONALITY2"))
    for birth in record.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        entity.add("birthDate", *_birth_dates(birth))
        note = child_text(birth, "NOTE")
        if note:
            entity.add("notes", f"Date of birth: {note}")
    for place in record.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = ("CITY", "STATE_PROVINCE", "COUNTRY")
        entity.add("birthPlace", joined(*(child_text(place, p) for p in parts)))
        entity.add("birthCountry", child_text(place, "COUNTRY"))
    for document in record.iterfind("INDIVIDUAL_DOCUMENT"):
        _add_document(entity, document)


def _values(record: Element, tag: str) -> list[str]:
    return [(v.text or "").strip() for v in record.iterfind(f"{tag}/VALUE")]


def _birth_dates(birth: Element) -> list[str]:
    exact = child_text(birth, "DATE") or child_text(birth, "YEAR")
    if exact:
        return [exact]
    return year_range(child_text(birth, "FROM_YEAR"), child_text(birth, "TO_YEAR"))


def _add_document(entity: EntityDraft, document: Element) -> None:
    number = child_text(document, "NUMBER")
    if not number:
        return
    kind = joined(
        child_text(document, "TYPE_OF_DOCUMENT"), child_text(document, "TYPE_OF_DOCUMENT2")
    )
    entity.add("passportNumber" if "passport" in kind.lower() else "idNumber", number)
    # The person has no property for who issued a document: say it in a note.
    country = child_text(document, "ISSUING_COUNTRY") or child_text(document, "COUNTRY_OF_ISSUE")
    details = joined(
        f"issued by {country}" if country else "",
        f"on {child_text(document, 'DATE_OF_ISSUE')}"
        if child_text(document, "DATE_OF_ISSUE")
        else "",
        child_text(document, "NOTE"),
    )
    if details:
        entity.add("notes", f"{kind or 'Document'} {number}: {details}")
