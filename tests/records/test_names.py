"""Name search: the records holding every token of a query, whatever the database.

On SQLite the tokens come from the FTS5 name index (`records.names`), elsewhere from the key
table; either way the answer must be the key table's, through creation, alteration,
erasure, deletion and a rebuild."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, intersect, select, text
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.models.records import Record, RecordKey
from palermo.records import names, service
from palermo.records.entities import name_tokens
from palermo.settings import Settings
from tests.conftest import Factory
from tests.databases import backend
from tests.records.helpers import INVESTIGATION, envelope, person, principal_of

NAMES = {
    "p1": ["Ivan Petrov", "Иван Петров"],
    "p2": ["Petrov Ivanovich"],
    "p3": ["Near And Or", "Not Petrov"],  # FTS5's operators, as names
    "p4": ["Mohammed Al-Masri", "Muhammad al Masri"],
    "p5": ["Ana 7", "Ana-Maria O'Neill"],
}
QUERIES = [
    "Ivan Petrov",
    "petrov",
    "Петров Иван",
    "ivan",
    "near and",
    "or not",
    "al masri",
    "Masri Mohammed",
    "o neill",
    "ana 7",
    "ana maria petrov",
    "nobody",
]


def _keyed(db: Session, query: str) -> set[str]:
    """The key table's answer: the records holding a name key for every token."""
    sets = [
        select(RecordKey.record_id).where(RecordKey.field == "name", RecordKey.term == t)
        for t in sorted(name_tokens([query]))
    ]
    return set(db.scalars(intersect(*sets) if len(sets) > 1 else sets[0]))


def _found(db: Session, principal: Principal, query: str) -> set[str]:
    result = service.search_records(
        db, principal=principal, context=INVESTIGATION, text=query, limit=200, now=utcnow()
    )
    return {item.id for item in result.items}


def _agree(db: Session, principal: Principal) -> None:
    for query in QUERIES:
        assert _found(db, principal, query) == _keyed(db, query), query
    if names.kept(db):
        # The index holds each named record's name keys, and no other record...
        indexed = dict(db.execute(text("SELECT record_id, terms FROM record_names")).all())
        keys = db.execute(
            select(RecordKey.record_id, RecordKey.term).where(RecordKey.field == "name")
        )
        expected: dict[str, set[str]] = {}
        for record_id, term in keys:
            expected.setdefault(record_id, set()).add(term)
        assert {r: set(t.split()) for r, t in indexed.items()} == expected
        # ...and its full-text index exactly the documents of its content table.
        db.execute(
            text("INSERT INTO record_names_fts (record_names_fts) VALUES ('integrity-check')")
        )


def collected(db: Session, factory: Factory, settings: Settings) -> Principal:
    """The records of NAMES, collected by a supervisor of their agency (who may erase)."""
    agency = factory.agency("DE-BKA", country="DE")
    supervisor, _ = factory.user("anna", Role.supervisor, agency=agency)
    principal = principal_of(db, supervisor)
    for source, written in NAMES.items():
        service.create_record(
            db,
            principal=principal,
            settings=settings,
            entity=person(written[0], source, alias=written[1:]),
            envelope=envelope(),
            now=utcnow(),
        )
    db.commit()
    return principal


def test_name_search_answers_as_the_keys_do_through_every_change(
    db: Session, factory: Factory, settings: Settings
) -> None:
    principal = collected(db, factory, settings)
    assert _found(db, principal, "Ivan Petrov") == {"de-bka.p1"}
    assert _found(db, principal, "petrov") == {"de-bka.p1", "de-bka.p2", "de-bka.p3"}
    assert _found(db, principal, "or near") == {"de-bka.p3"}
    _agree(db, principal)

    service.update_record(
        db,
        principal=principal,
        settings=settings,
        record_id="de-bka.p1",
        properties={"name": ["Ivo Petrovic"]},
        envelope=None,
        now=utcnow(),
    )
    service.erase_record(
        db, principal=principal, record_id="de-bka.p4", reason="court order", now=utcnow()
    )
    db.commit()
    assert _found(db, principal, "petrov") == {"de-bka.p2", "de-bka.p3"}
    assert _found(db, principal, "ivo") == {"de-bka.p1"}
    assert _found(db, principal, "masri") == set()
    _agree(db, principal)

    # A record deleted outright (as a failed import's would be) leaves the index with it.
    db.execute(delete(RecordKey).where(RecordKey.record_id == "de-bka.p5"))
    db.execute(delete(Record).where(Record.id == "de-bka.p5"))
    db.commit()
    assert _found(db, principal, "ana") == set()
    _agree(db, principal)


@pytest.mark.skipif(backend() != "sqlite", reason="the name index is SQLite's")
def test_the_name_index_is_rebuilt_from_the_keys(
    db: Session, factory: Factory, settings: Settings
) -> None:
    principal = collected(db, factory, settings)
    db.execute(text("DELETE FROM record_names"))  # as after a restore, which carries keys only
    assert _found(db, principal, "petrov") == set()
    names.rebuild(db.connection())
    assert db.scalar(text("SELECT count(*) FROM record_names")) == len(NAMES)
    _agree(db, principal)
