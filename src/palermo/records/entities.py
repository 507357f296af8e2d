"""FollowTheMoney entities as Palermo accepts them: validated value by value, with keys.

FtM's own `clean` drops values it cannot parse without a word; an intelligence system must
refuse them instead and say which one, so every value is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from followthemoney import EntityProxy, model, registry
from followthemoney.schema import Schema
from normality import normalize
from rigour.names import pick_name

from palermo.errors import Invalid
from palermo.translatable import N_

# Property types whose values identify a thing: indexed whole, normalised.
IDENTIFYING_TYPES = frozenset({"identifier", "phone", "email", "iban", "checksum"})
MAX_VALUE_LENGTH = 65536
MAX_VALUES = 1000
MAX_ENTITY_JSON = 8 * 2**20  # characters of one entity's JSON line: beyond, it is not read
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True)
class EntityData:
    """A validated entity: schema, properties with cleaned values, references by property."""

    source_id: str | None
    schema: Schema
    properties: dict[str, list[str]]
    references: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_person(self) -> bool:
        return _is_person(self.schema.name)

    def proxy(self, entity_id: str) -> EntityProxy:
        proxy = model.make_entity(self.schema)
        proxy.id = entity_id
        for prop, values in self.properties.items():
            proxy.add(prop, values, cleaned=True, quiet=True)
        return proxy

    @property
    def caption(self) -> str:
        """FtM's caption rule (first caption property with a value), without a proxy."""
        for name in self.schema.caption:
            values = self.properties.get(name)
            if not values:
                continue
            if len(values) > 1 and self.schema.properties[name].type == registry.name:
                picked = pick_name(sorted(values))
                if picked:
                    return picked[:500]
            return values[0][:500]
        return str(self.schema.label)

    @property
    def names(self) -> list[str]:
        return [
            value
            for name, values in self.properties.items()
            if self.schema.properties[name].type == registry.name
            for value in values
        ]


@cache
def _is_person(schema: str) -> bool:
    return model[schema].is_a("Person")


def schema_named(name: object) -> Schema:
    if not isinstance(name, str) or not name:
        raise Invalid(N_("an entity needs a schema (e.g. Person, Company, Passport)"))
    schema = model.get(name)
    if schema is None:
        raise Invalid(N_("unknown schema %(name)s"), name=repr(name))
    if schema.abstract:
        raise Invalid(
            N_("schema %(name)s is abstract; use a concrete one such as Person"), name=repr(name)
        )
    return schema


def parse_entity(data: Mapping[str, Any]) -> EntityData:
    """Validate an FtM entity dict ({"id", "schema", "properties"}); refuse what is wrong."""
    if not isinstance(data, Mapping):
        raise Invalid(N_("an entity must be a JSON object"))
    schema = schema_named(data.get("schema"))
    source_id = data.get("id")
    if source_id is not None and (not isinstance(source_id, str) or not source_id.strip()):
        raise Invalid(N_("the entity id must be a non-empty string"))
    if isinstance(source_id, str):
        check_unicode(source_id, "the entity id")
    raw = data.get("properties") or {}
    if not isinstance(raw, Mapping):
        raise Invalid(N_("properties must be an object of lists of values"))
    properties: dict[str, list[str]] = {}
    references: dict[str, list[str]] = {}
    for name, values in raw.items():
        prop = schema.get(name)
        if prop is None:
            raise Invalid(
                N_("unknown property %(name)s of schema %(schema)s"),
                name=repr(name),
                schema=schema.name,
            )
        if prop.stub:
            raise Invalid(
                N_("%(schema)s.%(name)s is a reverse property; set it on the other side"),
                schema=schema.name,
                name=name,
            )
        cleaned = [_clean_value(schema, prop, v) for v in _as_list(values, f"{schema.name}.{name}")]
        cleaned = list(dict.fromkeys(v for v in cleaned if v))
        if not cleaned:
            continue
        properties[name] = cleaned
        if prop.type.name == "entity":
            references[name] = cleaned
    missing = [p for p in schema.required if p not in properties]
    if missing:
        raise Invalid(
            N_("%(schema)s requires %(missing)s"), schema=schema.name, missing=", ".join(missing)
        )
    return EntityData(
        source_id=source_id.strip() if isinstance(source_id, str) else None,
        schema=schema,
        properties=properties,
        references=references,
    )


def _as_list(values: object, where: str) -> list[object]:
    if isinstance(values, str | int | float):
        return [values]
    if not isinstance(values, list):
        raise Invalid(N_("%(where)s: values must be a list"), where=where)
    if len(values) > MAX_VALUES:
        raise Invalid(
            N_("%(where)s: more than %(max_values)s values"), where=where, max_values=MAX_VALUES
        )
    return values


def _clean_value(schema: Schema, prop: Any, value: object) -> str:
    where = f"{schema.name}.{prop.name}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(
            N_("%(where)s: %(value)s is not a text value"), where=where, value=repr(value)
        )
    text = str(value).strip()
    if not text:
        return ""
    check_unicode(text, where)
    if len(text) > MAX_VALUE_LENGTH:
        raise Invalid(
            N_("%(where)s: value longer than %(max_value_length)s characters"),
            where=where,
            max_value_length=MAX_VALUE_LENGTH,
        )
    if prop.type.name == "entity":
        return text  # a reference to another record; resolved by the records service
    # The property's format (IBAN, LEI, IMO…) makes the identifier checks strict.
    cleaned = prop.type.clean(text, format=prop.format)
    if cleaned is None:
        raise Invalid(
            N_("%(where)s: %(text)s is not a valid %(label)s"),
            where=where,
            text=repr(text),
            label=prop.type.label.lower(),
        )
    return str(cleaned)


def check_unicode(text: str, where: str) -> None:
    """JSON's \\u escapes can write half a character (a lone surrogate): no database stores it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise Invalid(
            N_("%(where)s: %(object)s is half a character"),
            where=where,
            object=repr(error.object[error.start]),
        ) from None


def name_tokens(names: Iterable[str]) -> set[str]:
    """Normalised name tokens: lower case ASCII, any script transliterated."""
    tokens: set[str] = set()
    for name in names:
        normal = normalize(name, ascii=True, lowercase=True)
        if normal:
            tokens.update(t[:200] for t in normal.split() if t)
    return tokens


def identifier_key(value: str) -> str:
    """Passport and account numbers compare without spaces, dashes or case."""
    return _NON_ALNUM.sub("", value.upper())[:200]


def search_keys(entity: EntityData) -> set[tuple[str, str]]:
    """(field, term) keys: name tokens under "name", identifiers under their property."""
    keys = {("name", t) for t in name_tokens(entity.names)}
    for name, values in entity.properties.items():
        prop = entity.schema.get(name)
        if prop is not None and prop.type.name in IDENTIFYING_TYPES:
            keys.update((name, k) for v in values if (k := identifier_key(v)))
    return keys
