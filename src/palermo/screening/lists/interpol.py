"""Interpol public notices (the HAL JSON web service): list pages and detail records.

A file holds one list page, one detail record, a JSON array of detail records, or detail
records as JSON lines. Height (metres) and weight (kilograms) are kept as Interpol gives them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from palermo.errors import Invalid
from palermo.records.entities import check_unicode
from palermo.screening.lists import EntityDraft, ListEntry, ListFile, joined, read_bytes
from palermo.translatable import N_

# At most 16 characters: the length of a notice's entity_id column.
ENTITY_ID = re.compile(r"[0-9]{4}/[0-9]{1,11}")
DATE_OF_BIRTH = re.compile(r"^\d{4}(/\d{2}(/\d{2})?)?$")
GENDERS = {"M": "male", "F": "female"}  # "U" (unknown) says nothing


def parse_interpol(path: Path) -> ListFile:
    """Every notice of the file, as Person entities ("wanted" when it is a red notice)."""
    notices = read_notices(path)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for where, notice in notices:
        entry = entry_of(where, notice)
        if entry.reference in seen:
            raise Invalid(
                N_("%(where)s: notice %(reference)s appears twice"),
                where=where,
                reference=entry.reference,
            )
        seen.add(entry.reference)
        entries.append(entry)
    return ListFile(source="interpol", entries=entries)


def read_notices(path: Path) -> list[tuple[str, Any]]:
    """(where, record) pairs; `where` names the file and the line or array element."""
    raw = read_bytes(path)
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as error:
        raise Invalid(N_("%(name)s: not UTF-8 text"), name=path.name) from error
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise Invalid(
                N_("%(name)s line %(lineno)s: not JSON (%(msg)s)"),
                name=path.name,
                lineno=error.lineno,
                msg=error.msg,
            ) from error
        return _json_lines(path.name, raw)
    except (ValueError, RecursionError) as error:  # thousands of digits, deep nesting
        raise Invalid(
            N_("%(name)s: not JSON (a number too long or nesting too deep)"), name=path.name
        ) from error
    if isinstance(data, list):
        return [(f"{path.name} record {i}", notice) for i, notice in enumerate(data, start=1)]
    if isinstance(data, dict) and "entity_id" in data:
        return [(path.name, data)]
    if isinstance(data, dict) and "_embedded" in data:
        embedded = data["_embedded"]
        notices = embedded.get("notices") if isinstance(embedded, dict) else None
        if not isinstance(notices, list):
            raise Invalid(
                N_("%(name)s: a list page needs _embedded.notices as an array"), name=path.name
            )
        return [(f"{path.name} notices[{i}]", notice) for i, notice in enumerate(notices)]
    raise Invalid(
        N_("%(name)s: expected a notice list page, a notice or an array of notices"), name=path.name
    )


def _json_lines(name: str, raw: bytes) -> list[tuple[str, Any]]:
    records: list[tuple[str, Any]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"{name} line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            raise Invalid(
                N_("%(name)s line %(number)s: not JSON (%(msg)s)"),
                name=name,
                number=number,
                msg=error.msg,
            ) from error
        except UnicodeDecodeError as error:  # the line alone reads as UTF-16 or UTF-32
            raise Invalid(
                N_("%(name)s line %(number)s: not UTF-8 text"), name=name, number=number
            ) from error
        except (ValueError, RecursionError) as error:  # thousands of digits, deep nesting
            raise Invalid(
                N_("%(name)s line %(number)s: not JSON (a number too long or nesting too deep)"),
                name=name,
                number=number,
            ) from error
    return records


def entry_of(where: str, notice: Any) -> ListEntry:
    if not isinstance(notice, dict):
        raise Invalid(N_("%(where)s: a notice must be a JSON object"), where=where)
    entity_id = text_of(notice, "entity_id", where)
    if not ENTITY_ID.fullmatch(entity_id):
        raise Invalid(
            N_("%(where)s: entity_id %(entity_id)s is not YYYY/NNNNN"),
            where=where,
            entity_id=repr(entity_id),
        )
    forename, family_name = text_of(notice, "forename", where), text_of(notice, "name", where)
    if not (forename or family_name):
        raise Invalid(
            N_("%(where)s: notice %(entity_id)s has neither forename nor name"),
            where=where,
            entity_id=entity_id,
        )

    entity = EntityDraft(f"interpol-{entity_id.replace('/', '-')}", "Person")
    entity.add("name", joined(forename, family_name, sep=" "))
    entity.add("firstName", forename)
    entity.add("lastName", family_name)
    entity.add("birthDate", _birth_date(notice, where))
    entity.add("nationality", *_texts(notice, "nationalities", where))
    entity.add("gender", GENDERS.get(text_of(notice, "sex_id", where)))
    entity.add("birthCountry", text_of(notice, "country_of_birth_id", where))
    entity.add("birthPlace", text_of(notice, "place_of_birth", where))
    entity.add("appearance", text_of(notice, "distinguishing_marks", where))
    entity.add("spokenLanguage", *_texts(notice, "languages_spoken_ids", where))
    for measure in ("height", "weight"):
        value = notice.get(measure)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            entity.add(measure, str(value))  # 0 is how the service says "not known"
    entity.add("sourceUrl", self_link(notice))
    entity.add("notes", f"Interpol notice {entity_id}")
    warrants = notice.get("arrest_warrants") or []
    if not isinstance(warrants, list):
        raise Invalid(N_("%(where)s: arrest_warrants must be an array"), where=where)
    for warrant in warrants:
        entity.add("notes", _warrant_note(warrant, where))
    if warrants or "/notices/v1/red/" in self_link(notice):
        entity.add("topics", "wanted")
    return ListEntry(reference=entity_id, entity=entity.to_dict(), listed_on=None)


def text_of(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(
            N_("%(where)s: %(key)s must be text, not %(name)s"),
            where=where,
            key=key,
            name=type(value).__name__,
        )
    check_unicode(value, f"{where}: {key}")
    return value.strip()


def _texts(record: dict[str, Any], key: str, where: str) -> list[str]:
    values = record.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Invalid(N_("%(where)s: %(key)s must be an array of text"), where=where, key=key)
    return values


def _birth_date(notice: dict[str, Any], where: str) -> str:
    value = text_of(notice, "date_of_birth", where)
    if value and not DATE_OF_BIRTH.match(value):
        raise Invalid(
            N_("%(where)s: date_of_birth %(value)s is not YYYY/MM/DD or YYYY"),
            where=where,
            value=repr(value),
        )
    return value.replace("/", "-")


def self_link(notice: dict[str, Any]) -> str:
    links = notice.get("_links")
    link = links.get("self") if isinstance(links, dict) else None
    href = link.get("href") if isinstance(link, dict) else None
    return href if isinstance(href, str) else ""


def _warrant_note(warrant: Any, where: str) -> str:
    if not isinstance(warrant, dict):
        raise Invalid(N_("%(where)s: an arrest warrant must be a JSON object"), where=where)
    country = text_of(warrant, "issuing_country_id", where)
    charge = text_of(warrant, "charge", where)
    translation = text_of(warrant, "charge_translation", where)
    text = joined(charge, f"translation: {translation}" if translation else "", sep="; ")
    return f"Arrest warrant ({country or 'country not given'}): {text}"
