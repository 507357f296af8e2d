"""The candidate index: what it ranks first among many namesakes."""

from __future__ import annotations

from palermo.screening.entries import Entry, entry_of
from palermo.screening.index import ScreeningIndex
from palermo.screening.scoring import ScreeningQuery

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
