"""FollowTheMoney entities as JSON lines, as OpenSanctions publishes them (entities.ftm.json)."""

from __future__ import annotations

import json
from pathlib import Path

from palermo.errors import Invalid
from palermo.records.entities import MAX_ENTITY_JSON, parse_entity
from palermo.screening.lists import ListEntry, ListFile, read_bytes
from palermo.translatable import N_


def parse_ftm(path: Path) -> ListFile:
    """One entity per line; only id, schema and properties are kept (not caption, datasets…).

    Values are validated as every Palermo entity is: a line with a value FtM cannot read is
    refused with its line number rather than loaded without that value.
    """
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for number, line in enumerate(read_bytes(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        if len(line) > MAX_ENTITY_JSON:
            raise Invalid(
                N_("%(where)s: longer than %(limit)s bytes, not read"),
                where=where,
                limit=MAX_ENTITY_JSON,
            )
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise Invalid(
                N_("%(where)s: not JSON (%(msg)s at column %(colno)s)"),
                where=where,
                msg=error.msg,
                colno=error.colno,
            ) from error
        except UnicodeDecodeError as error:
            raise Invalid(N_("%(where)s: not UTF-8 text"), where=where) from error
        except (ValueError, RecursionError) as error:  # thousands of digits, deep nesting
            raise Invalid(
                N_("%(where)s: not JSON (a number too long or nesting too deep)"), where=where
            ) from error
        if not isinstance(data, dict):
            raise Invalid(N_("%(where)s: an entity must be a JSON object"), where=where)
        entity_id = data.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip():
            raise Invalid(N_("%(where)s: an entity needs an id"), where=where)
        if entity_id in seen:
            raise Invalid(
                N_("%(where)s: entity %(entity_id)s appears twice"),
                where=where,
                entity_id=entity_id,
            )
        seen.add(entity_id)
        try:
            valid = parse_entity(
                {
                    "id": entity_id,
                    "schema": data.get("schema"),
                    "properties": data.get("properties"),
                }
            )
        except Invalid as error:
            raise Invalid(
                N_("%(where)s: entity %(entity_id)s: %(error)s"),
                where=where,
                entity_id=entity_id,
                error=error.message,
            ) from error
        entity = {"id": entity_id, "schema": valid.schema.name, "properties": valid.properties}
        entries.append(ListEntry(reference=entity_id, entity=entity, listed_on=None))
    return ListFile(source="ftm", entries=entries)
