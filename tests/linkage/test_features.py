"""What linkage compares of a name: initials kept, parts and their pairs, sound keys of
every written form, and the name levels they meet at."""

from __future__ import annotations

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
