"""The EU consolidated financial sanctions list (FSF XML export, schema v1.1)."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from palermo.errors import Invalid
from palermo.screening.lists import (
    EntityDraft,
    ListEntry,
    ListFile,
    XmlDocument,
    joined,
    parse_iso_date,
    read_xml,
    year_range,
)
from palermo.translatable import N_

NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
NS = {"fsd": NAMESPACE}
SCHEMAS = {"person": "Person", "enterprise": "Organization", "P": "Person", "E": "Organization"}
# identificationTypeCode → FtM property; anything else is an ID number.
ID_PROPERTIES = {
    "passport": "passportNumber",
    "id": "idNumber",
    "regnumber": "registrationNumber",
    "fiscalcode": "taxNumber",
    "swiftbic": "swiftBic",
    "imo": "imoNumber",
    "ssn": "socialSecurityNumber",
}
GENDERS = {"M": "male", "F": "female"}  # "?" says nothing
CONTACT_PROPERTIES = {"PHONE": "phone", "FAX": "phone", "EMAIL": "email", "WEB": "website"}
UNKNOWN_COUNTRY = "00"  # the FSF export's code for "country not known"


def parse_eu(path: Path) -> ListFile:
    """Every sanctionEntity: persons as Person, enterprises as Organization."""
    doc = read_xml(path)
    if doc.root.tag != f"{{{NAMESPACE}}}export":
        raise Invalid(
            N_("%(root)s: root is %(tag)s, not export in the FSF namespace %(namespace)s"),
            root=doc.where(doc.root),
            tag=doc.root.tag,
            namespace=NAMESPACE,
        )
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for record in doc.root.iterfind("fsd:sanctionEntity", NS):
        entry = _entry(doc, record)
        if entry.reference in seen:
            raise Invalid(
                N_("%(record)s: logicalId %(reference)s appears twice"),
                record=doc.where(record),
                reference=entry.reference,
            )
        seen.add(entry.reference)
        entries.append(entry)
    return ListFile(source="eu", entries=entries)


def _entry(doc: XmlDocument, record: Element) -> ListEntry:
    where = doc.where(record)
    logical_id = record.get("logicalId", "").strip()
    if not logical_id:
        raise Invalid(N_("%(where)s: sanctionEntity without logicalId"), where=where)
    subject = record.find("fsd:subjectType", NS)
    code = "" if subject is None else subject.get("code") or subject.get("classificationCode") or ""
    schema = SCHEMAS.get(code)
    if schema is None:
        raise Invalid(
            N_("%(where)s: sanctionEntity %(logical_id)s has subject type %(code)s"),
            where=where,
            logical_id=logical_id,
            code=repr(code),
        )
    listed_on = parse_iso_date(record.get("designationDate"), f"{where}: designationDate")

    entity = EntityDraft(f"eu-{logical_id}", schema)
    _add_names(doc, entity, record, logical_id)
    entity.add("topics", "sanction")
    entity.add("notes", _listing_note(record))
    entity.add("notes", *(r.text for r in record.iterfind("fsd:remark", NS)))
    for regulation in record.iterfind("fsd:regulation", NS):
        entity.add("program", regulation.get("programme"))
        entity.add("notes", f"Regulation {regulation.get('numberTitle', '')}".strip())
    for citizenship in record.iterfind("fsd:citizenship", NS):
        entity.add("nationality" if schema == "Person" else "country", _country(citizenship))
    for birth in record.iterfind("fsd:birthdate", NS):
        _add_birth(entity, birth)
    for address in record.iterfind("fsd:address", NS):
        _add_address(entity, address)
    for identification in record.iterfind("fsd:identification", NS):
        _add_identification(entity, identification)
    return ListEntry(reference=logical_id, entity=entity.to_dict(), listed_on=listed_on)


def _add_names(doc: XmlDocument, entity: EntityDraft, record: Element, logical_id: str) -> None:
    is_person = entity.schema.name == "Person"
    for alias in record.iterfind("fsd:nameAlias", NS):
        first, middle, last = (alias.get(a, "") for a in ("firstName", "middleName", "lastName"))
        name = alias.get("wholeName", "").strip() or joined(first, middle, last, sep=" ")
        # "strong" marks the entity's real names; weak aliases are too broad to screen on.
        strong = alias.get("strong", "true").strip().lower() != "false"
        if not strong:
            entity.add("weakAlias", name)
            continue
        entity.add("alias" if entity.has("name") else "name", name)
        if is_person:
            entity.add("firstName", first)
            entity.add("middleName", middle)
            entity.add("lastName", last)
            entity.add("gender", GENDERS.get(alias.get("gender", "")))
            entity.add("title", alias.get("title"))
            entity.add("position", alias.get("function"))
    if not entity.has("name"):
        # A record named only by weak aliases is still screened on its first one.
        weak = entity.properties.pop("weakAlias", [])
        if not weak:
            raise Invalid(
                N_("%(record)s: sanctionEntity %(logical_id)s without a name"),
                record=doc.where(record),
                logical_id=logical_id,
            )
        entity.add("name", weak[0])
        entity.add("weakAlias", *weak[1:])


def _listing_note(record: Element) -> str:
    labels = {
        "euReferenceNumber": "EU reference",
        "unitedNationId": "UN reference",
        "designationDate": "designated on",
        "delistingDate": "delisted on",
    }
    return joined(*(f"{label} {record.get(a)}" for a, label in labels.items() if record.get(a)))


def _country(element: Element) -> str:
    code = element.get("countryIso2Code", "").strip()
    return "" if code == UNKNOWN_COUNTRY else code


def _country_name(element: Element) -> str:
    return "" if _country(element) == "" else element.get("countryDescription", "")


def _add_birth(entity: EntityDraft, birth: Element) -> None:
    if entity.schema.name != "Person":
        return
    year, month, day = (birth.get(a, "").strip() for a in ("year", "monthOfYear", "dayOfMonth"))
    if birth.get("birthdate"):
        entity.add("birthDate", birth.get("birthdate"))
    elif year.isdigit():
        # As precise as the list: a day is kept only with its month.
        parts = [year, *([month.zfill(2)] if month.isdigit() else [])]
        if month.isdigit() and day.isdigit():
            parts.append(day.zfill(2))
        entity.add("birthDate", "-".join(parts))
    elif birth.get("yearRangeFrom") and birth.get("yearRangeTo"):
        entity.add(
            "birthDate", *year_range(birth.get("yearRangeFrom", ""), birth.get("yearRangeTo", ""))
        )
    place = joined(*(birth.get(a) for a in ("city", "place", "region")), _country_name(birth))
    entity.add("birthPlace", place)
    entity.add("birthCountry", _country(birth))


def _add_address(entity: EntityDraft, address: Element) -> None:
    parts = (address.get(a) for a in ("street", "poBox", "zipCode", "city", "place", "region"))
    entity.add("address", joined(*parts, _country_name(address)))
    entity.add("country", _country(address))
    for contact in address.iterfind("fsd:contactInfo", NS):
        key, value = contact.get("key", "").upper(), contact.get("value", "")
        prop = CONTACT_PROPERTIES.get(key)
        if prop is not None and entity.schema.get(prop) is not None:
            entity.add(prop, value)
        else:
            entity.add("notes", f"{key.title()}: {value}")


def _add_identification(entity: EntityDraft, identification: Element) -> None:
    number = identification.get("number", "").strip() or identification.get("latinNumber", "")
    if not number.strip():
        return
    code = identification.get("identificationTypeCode", "").strip().lower()
    prop = ID_PROPERTIES.get(code, "idNumber")
    entity.add(prop if entity.schema.get(prop) is not None else "idNumber", number)
    # Which document and who issued it has no property on the holder: keep it as a note.
    description = identification.get("identificationTypeDescription", "") or code
    issuer = identification.get("countryDescription") if _country(identification) else ""
    remarks = [r.text or "" for r in identification.iterfind("fsd:remark", NS)]
    details = joined(f"issued by {issuer}" if issuer else "", *remarks)
    if details:
        entity.add("notes", f"{description} {number}: {details}")
