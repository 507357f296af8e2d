"""FollowTheMoney entities as JSON lines, as OpenSanctions publishes them (entities.ftm.json)."""

from __future__ import annotations

import json
from pathlib import Path

from palermo.errors import Invalid
from palermo.records.entities import MAX_ENTITY_JSON, parse_entity
from palermo.screening.lists import ListEntry, ListFile, read_bytes


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
            raise Invalid(f"{where}: longer than {MAX_ENTITY_JSON} bytes, not read")
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise Invalid(f"{where}: not JSON ({error.msg} at column {error.colno})") from error
        except UnicodeDecodeError as error:
            raise Invalid(f"{where}: not UTF-8 text") from error
        except (ValueError, RecursionError) as error:  # thousands of digits, deep nesting
            raise Invalid(f"{where}: not JSON (a number too long or nesting too deep)") from error
        if not isinstance(data, dict):
            raise Invalid(f"{where}: an entity must be a JSON object")
        entity_id = data.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip():
            raise Invalid(f"{where}: an entity needs an id")
        if entity_id in seen:
            raise Invalid(f"{where}: entity {entity_id} appears twice")
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
            raise Invalid(f"{where}: entity {entity_id}: {error.message}") from error
        entity = {"id": entity_id, "schema": valid.schema.name, "properties": valid.properties}
        entries.append(ListEntry(reference=entity_id, entity=entity, listed_on=None))
    return ListFile(source="ftm", entries=entries)
