"""The ICCS table ships in the package, hangs together, and answers unknown codes clearly."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import pytest

from palermo.errors import Invalid
from palermo.offences import Offence, ancestors, iccs, is_within, offence

SECTIONS = [f"{n:02d}" for n in range(1, 12)]


def test_the_eleven_sections_are_present_and_nothing_else_is_level_1() -> None:
    assert [code for code, o in iccs().items() if o.level == 1] == SECTIONS
    assert offence("01").label == "Acts leading to death or intending to cause death"
    assert offence("11").label == "Other criminal acts not elsewhere classified"


def test_0101_is_intentional_homicide_in_section_01() -> None:
    homicide = offence("0101")
    assert homicide == Offence(code="0101", level=2, parent="01", label="Intentional homicide")


def test_every_parent_exists_is_one_level_up_and_is_the_code_prefix() -> None:
    for code, o in iccs().items():
        assert o.code == code
        assert o.level == {2: 1, 4: 2, 5: 3, 6: 4}[len(code)]
        if o.level == 1:
            assert o.parent is None
            continue
        assert o.parent is not None
        parent = iccs()[o.parent]
        assert parent.level == o.level - 1
        assert code.startswith(parent.code)


def test_labels_are_present_and_trimmed() -> None:
    for o in iccs().values():
        assert o.label
        assert o.label == o.label.strip()


def test_every_section_has_at_least_one_division() -> None:
    divisions = {o.parent for o in iccs().values() if o.level == 2}
    assert divisions >= set(SECTIONS) - {"08", "11"}


def test_unknown_code_is_invalid_with_a_message_showing_the_form() -> None:
    with pytest.raises(Invalid) as raised:
        offence("0999")
    message = raised.value.message
    assert message.startswith("unknown ICCS code '0999'; ICCS codes look like 0101 ")
    assert "(intentional homicide)" in message
    assert raised.value.status_code == 422
    assert raised.value.details == [{"type": "unknown_iccs_code", "input": "0999"}]


@pytest.mark.parametrize("code", ["", "1", "101", "ICCS0101", " 0101", "0101x", "12"])
def test_malformed_codes_are_unknown(code: str) -> None:
    with pytest.raises(Invalid, match="unknown ICCS code"):
        offence(code)


def test_ancestors_run_from_the_section_down_to_the_parent() -> None:
    assert [o.code for o in ancestors("010321")] == ["01", "0103", "01032"]
    assert [o.code for o in ancestors("0204")] == ["02"]
    assert ancestors("05") == []


def test_is_within_a_section_or_any_category_above() -> None:
    assert is_within("020221", "02")
    assert is_within("020221", "0202")
    assert is_within("020221", "02022")
    assert is_within("0101", "0101")
    assert not is_within("0101", "02")
    assert not is_within("02", "020221")
    assert not is_within("0201", "0202")


def test_is_within_rejects_unknown_codes_on_either_side() -> None:
    with pytest.raises(Invalid, match="'9999'"):
        is_within("9999", "01")
    with pytest.raises(Invalid, match="'99'"):
        is_within("0101", "99")


def test_table_is_read_once_and_cannot_be_changed() -> None:
    table = iccs()
    assert iccs() is table
    with pytest.raises(TypeError):
        cast(Any, table)["0101"] = offence("0102")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cast(Any, offence("0101")).label = "Murder"
