"""The candidate index: what it ranks first among many namesakes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from palermo.db import create_db_engine, session_factory
from palermo.identity.credentials import Credentials
from palermo.identity.principal import operator_principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.base import utcnow
from palermo.records import service as records
from palermo.screening import index as index_module
from palermo.screening.entries import Entry, entry_of
from palermo.screening.index import PART_AGREES, ScreeningIndex
from palermo.screening.scoring import ScreeningQuery
from tests.conftest import Factory
from tests.databases import fresh_database, node_settings
from tests.records.helpers import envelope, principal_of

GIVEN = ["Anas", "Omar", "Rami", "Ziad", "Walid", "Karim", "Bilal", "Hisham", "Imad", "Faisal"]


def person(record_id: str, *names: str) -> Entry:
    built = entry_of(record_id, "Person", [("name", n) for n in names])
    assert built is not None
    return built


def test_a_record_agreeing_on_every_part_outranks_namesakes_agreeing_on_fewer() -> None:
    """Listed in two scripts, the record's fields hold twice the keys, and BM25's length
    norm alone ranked it below short records agreeing on two parts of three."""
    decoys = [
        person(f"rec.{given}.{i}", f"Fatima {given} Al-Rahman")
        for i in range(12)
        for given in GIVEN
    ]
    others = [person(f"rec.salim.{i}", f"{given} Salim Haddad") for i, given in enumerate(GIVEN)]
    target = person("rec.target", "Fatima Salim Al-Rahman", "فاطمة سليم الرحمن")
    index = ScreeningIndex()
    index.add([*decoys, *others, target])
    query = ScreeningQuery.of("Fatima Salim Al-Rahman")
    found = index.candidates(query, schemas=["Person"], limit=5).candidates
    assert found[0].entry.record_id == "rec.target"


def ranked(index: ScreeningIndex, name: str, limit: int = 5) -> list[str]:
    found = index.candidates(ScreeningQuery.of(name), schemas=["Person"], limit=limit).candidates
    return [c.entry.record_id for c in found]


def test_another_latin_spelling_is_found_among_namesakes_of_each_part() -> None:
    """ "Ekaterina Sharov" for "Yekaterina Sharov": each part alone meets many records, and
    only the variant id says the given names are one."""
    decoys = [person(f"rec.e.{i}", f"Ekaterina {s}") for i, s in enumerate(GIVEN * 2)]
    decoys += [person(f"rec.s.{i}", f"{g} Sharov") for i, g in enumerate(GIVEN * 2)]
    index = ScreeningIndex()
    index.add([*decoys, person("rec.target", "Yekaterina Sharov")])
    assert "rec.target" in ranked(index, "Ekaterina Sharov")


def test_arabic_script_finds_latin_spellings_by_their_consonants() -> None:
    decoys = [person(f"rec.{g}.{i}", f"Fatma {g} Al-Utaybi") for i in range(3) for g in GIVEN]
    decoys += [person(f"rec.ali.{g}.{i}", f"Fatma Ali {g}") for i in range(3) for g in GIVEN]
    index = ScreeningIndex()
    index.add([*decoys, person("rec.target", "Fatma Ali Al-Otaibi")])
    query = ScreeningQuery.of("فاطمة علي العتيبي")
    first, second = index.candidates(query, schemas=["Person"], limit=2).candidates
    assert first.entry.record_id == "rec.target"
    # It agrees on one part more than any decoy, not by the chance of a length norm.
    assert first.retrieval - second.retrieval > PART_AGREES / 2


def test_mistyped_parts_find_the_record_an_edit_or_two_away() -> None:
    decoys = [person(f"rec.{g}.{i}", f"{g} Haddad") for i in range(3) for g in GIVEN]
    index = ScreeningIndex()
    index.add([*decoys, person("rec.target", "Walid Kostantinidis"), person("rec.b", "Olga Brun")])
    assert ranked(index, "Walid Kostnatinidis")[0] == "rec.target"  # a transposition
    assert ranked(index, "Walid Kostantinidos")[0] == "rec.target"  # one letter
    assert ranked(index, "Walid Kotsantinidos")[0] == "rec.target"  # two, in a long part
    # Parts under eight letters are given one edit: "Bruxa" is two from "Brun".
    assert ranked(index, "Brnu") == ["rec.b"]
    assert "rec.b" not in ranked(index, "Bruxa")


def test_records_sharing_only_an_initial_or_a_birth_year_are_no_candidates() -> None:
    """Walking an initial's postings (a third of a list) found records with no name to
    score; a name of initials alone ("Y. A") still looks by them."""
    ada = entry_of("rec.ada", "Person", [("name", "Ada Smith"), ("birthDate", "1970-01-01")])
    assert ada is not None
    index = ScreeningIndex()
    index.add([ada, person("rec.jones", "John Jones"), person("rec.ying", "Ying A")])
    query = ScreeningQuery.of("A. Jones", birth_date="1970-01-01")
    assert [c.entry.record_id for c in index.candidates(query, schemas=["Person"]).candidates] == [
        "rec.jones"
    ]
    assert "rec.ying" in ranked(index, "Y. A")


def test_a_build_pauses_the_garbage_collector_and_restores_it() -> None:
    seen: list[bool] = []

    def streamed() -> Iterator[Entry]:
        for i in range(3):
            seen.append(gc.isenabled())
            yield person(f"rec.{i}", f"Anas Haddad {i}")

    ScreeningIndex().add(streamed())
    assert seen == [False, False, False]
    assert gc.isenabled()
    gc.disable()  # paused by the caller: left as it was
    try:
        ScreeningIndex().add(streamed())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_part_indexed_later_is_found_mistyped() -> None:
    index = ScreeningIndex()
    index.add([person("rec.a", "Anas Haddad")])
    index.add([person("rec.b", "Omar Kalashnikov")])
    assert ranked(index, "Kalashnikvo") == ["rec.b"]  # only its spelling meets it


def test_a_bulk_build_freezes_its_objects_out_of_the_collectors_walks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_module, "FREEZE_AFTER", 3)
    gc.unfreeze()
    try:
        ScreeningIndex().add([person("rec.1", "Anas Haddad"), person("rec.2", "Omar Haddad")])
        assert gc.get_freeze_count() == 0  # a catch-up's few entries are left to it
        ScreeningIndex().add([person(f"rec.{i}", f"Anas Haddad {i}") for i in range(3)])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_index_follows_the_feed_through_a_rolled_back_write(tmp_path: Path) -> None:
    """A session that wrote a record sees it in the index before it commits; once it rolls
    back, another record may take its place in the feed (SQLite reuses the number). The
    index must drop the first and find the second, although the feed's tail then has as
    many rows as before, ending at the same number."""
    with fresh_database(tmp_path, migrated=True) as url:
        settings = node_settings(tmp_path / "data", url)
        engine = create_db_engine(url)
        sessions = session_factory(engine)
        with sessions() as db:
            factory = Factory(db, settings, Credentials(settings), operator_principal(frozenset()))
            agency = factory.agency("NL-NP", kind=AgencyKind.police, country="NL")
            user, _ = factory.user("nl.officer", Role.officer, agency=agency)
            officer = principal_of(db, user)
            db.commit()
        index = ScreeningIndex()

        def collect(db: Session, name: str) -> str:
            entity = {"id": None, "schema": "Person", "properties": {"name": [name]}}
            return records.create_record(
                db,
                principal=officer,
                settings=settings,
                entity=entity,
                envelope=envelope(),
                now=utcnow(),
            ).id

        def found(db: Session, name: str) -> set[str]:
            index.refresh(db)
            query = ScreeningQuery.of(name)
            return {
                c.entry.record_id for c in index.candidates(query, schemas=["Person"]).candidates
            }

        with sessions() as db:
            index.refresh(db)  # built on the empty feed
            first = collect(db, "Zbigniew Qwertyuk")
            assert first in found(db, "Zbigniew Qwertyuk")
            db.rollback()
        with sessions() as db:
            second = collect(db, "Wojciech Asdfghjk")
            db.commit()
        with sessions() as db:
            assert found(db, "Zbigniew Qwertyuk") == set()
            assert found(db, "Wojciech Asdfghjk") == {second}
        engine.dispose()
