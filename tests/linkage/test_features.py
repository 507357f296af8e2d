"""What linkage compares of a name: initials kept, parts and their pairs, sound keys of
every written form, and the name levels they meet at."""

from __future__ import annotations

import duckdb

from palermo.linkage import model
from palermo.linkage.features import row_of
from palermo.screening.entries import entry_of


def _row(name: str, **more: str) -> dict:
    values = [("name", name), *more.items()]
    entry = entry_of(f"r-{name}", "Person", values)
    assert entry is not None
    return row_of(entry, "DE-BKA")


def _name_level(a: dict, b: dict) -> int:
    for index, level in enumerate(model.FIELDS[0].levels):
        if level.test(a, b):
            return index
    return len(model.FIELDS[0].levels)


def test_initials_are_kept_beside_the_parts() -> None:
    row = _row("A. Laetitia Lefebvre")
    assert row["initials"] == "a l l"
    assert row["parts"] == ["laetitia", "lefebvre"]
    assert row["part_pairs"] == ["laetitia lefebvre"]
    assert row["full_name"] == "laetitia lefebvre"  # as before: initials are not compared


def test_native_script_gives_keys_of_its_transliteration() -> None:
    native, latin = _row("Аристарх Носова"), _row("Aristarkh Nosova")
    assert set(native["keys"]) & set(latin["keys"]) == set(latin["keys"])


def test_name_levels_see_initials_dropped_names_and_sounds() -> None:
    agatha, initial = _row("Agatha Heuser"), _row("A. Heuser")
    level = _name_level(agatha, initial)
    assert (
        "initials"
        in model.FIELDS[0].levels[level].splink.get_comparison_level("duckdb").sql_condition
    )
    # A dropped middle name: one name's parts all within the other's.
    full, short = _row("Alex Laetitia Lefebvre"), _row("Laetitia Lefebvre")
    assert (
        "ARRAY_INTERSECT"
        in model.FIELDS[0]
        .levels[_name_level(full, short)]
        .splink.get_comparison_level("spark")
        .sql_condition
    )
    # Unrelated names meet at no level but the last.
    assert _name_level(agatha, _row("Kamil Seven")) == len(model.FIELDS[0].levels)


def test_blocking_brings_initials_and_two_shared_parts_together() -> None:
    assert model.blocked(_row("Agatha Heuser"), _row("A. Heuser"))
    assert model.blocked(_row("Alex Laetitia Lefebvre"), _row("Laetitia Lefebvre"))
    assert not model.blocked(_row("Agatha Heuser"), _row("Kamil Seven"))


def test_a_typo_meets_at_one_keystroke_and_swapped_day_and_month_at_their_level() -> None:
    written, typed = _row("Agatha Heuser"), _row("Agatah Heuser")
    level = model.FIELDS[0].levels[_name_level(written, typed)]
    assert "full_name" in level.splink.get_comparison_level("duckdb").sql_condition

    dob = model.FIELDS[1]
    swapped = {"dob": "1980-03-05"}, {"dob": "1980-05-03"}
    other_year = {"dob": "1981-03-05"}, {"dob": "1980-05-03"}
    (level,) = [lv for lv in dob.levels if "substr" in _sql(lv)]
    assert level.test(*swapped)
    assert not level.test(*other_year)
    # Python's test and the SQL Splink runs say the same.
    for left, right in (swapped, other_year):
        found = duckdb.execute(
            f"SELECT {_sql(level)} FROM (SELECT $1 AS dob_l, $2 AS dob_r)",  # noqa: S608 (ours)
            [left["dob"], right["dob"]],
        ).fetchone()
        assert found == (level.test(left, right),)


def _sql(level: model.Level) -> str:
    return level.splink.get_comparison_level("duckdb").sql_condition


def test_a_full_name_counts_as_often_as_the_persons_who_seem_to_hold_it() -> None:
    """Four agencies' records of one person count once; namesakes born in other years count
    apart; a name without any birth year counts once."""
    rows = [
        *({"full_name": "ivan petrov", "birth_year": "1970"} for _ in range(4)),
        {"full_name": "ivan petrov", "birth_year": None},
        {"full_name": "olga novak", "birth_year": "1981"},
        {"full_name": "olga novak", "birth_year": "1990"},
        {"full_name": "jan rossi", "birth_year": None},
        {"full_name": None, "birth_year": "1990"},
    ]
    share, once = model.shares(rows, "full_name")
    assert once == 1 / 4
    assert share == {"ivan petrov": 1 / 4, "olga novak": 2 / 4, "jan rossi": 1 / 4}
    # Other frequency-weighed columns count records.
    surnames = [{"surname": "petrov"}, {"surname": "petrov"}, {"surname": "novak"}]
    assert model.shares(surnames, "surname") == ({"petrov": 2 / 3, "novak": 1 / 3}, 1 / 3)
    assert model.frequencies([{**r, "surname": None} for r in rows])["full_name"] == {
        "olga novak": 2 / 4,
        "": 1 / 4,
    }
