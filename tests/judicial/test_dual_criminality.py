"""Dual criminality on mapped offences: a conduct's ICCS codes against each state's offences,
with the maximum penalties that decide extraditability and serious crime. The table is made
up (private-use country codes XA, QM, QN), so each rule is seen alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from palermo.errors import Invalid
from palermo.judicial.penal import dual_criminality, packaged, parse

TABLE = parse(
    "country,reference,title,iccs,max_penalty,source\n"
    "XA,Drugs Act s. 10,Import of hard drugs,0601,12,S1\n"
    "XA,Penal Code s. 140,Bribery of officials,07031,6,S1\n"
    "XA,Penal Code s. 273f,Trafficking in persons,0204,15,S1\n"
    "QM,Narcotics Law art. 3,Drug trafficking,0601,life,S1\n"
    "QM,Penal Code art. 55,Trafficking in persons for sexual exploitation,02041,3,S1\n"
    "QN,Penal Code art. 9,Petty drug dealing,0601,2,S1\n"
)


def test_dual_criminality_holds_with_both_penalties() -> None:
    check = dual_criminality(["0601"], requesting="XA", requested="QM", offences=TABLE)
    assert check.holds
    assert [m.offence.reference for m in check.conduct[0].requesting] == ["Drugs Act s. 10"]
    assert check.penalties() == {"XA": Decimal(12), "QM": None}  # None: life
    assert check.extraditable(Decimal(1))
    assert check.serious_crime("XA")
    assert check.serious_crime("QM")


def test_a_conduct_that_is_no_offence_in_the_requested_state() -> None:
    check = dual_criminality(["0601", "07031"], requesting="XA", requested="QM", offences=TABLE)
    assert not check.holds
    assert check.failing == ["07031 (Bribery): no offence of QM is recorded for it"]
    assert not check.extraditable(Decimal(1))


def test_the_penalty_threshold_and_serious_crime() -> None:
    check = dual_criminality(["0601"], requesting="XA", requested="QN", offences=TABLE)
    assert check.holds
    assert check.penalties() == {"XA": Decimal(12), "QN": Decimal(2)}
    assert check.extraditable(Decimal(1))
    assert not check.extraditable(Decimal(3))  # QN punishes it by two years at most
    assert check.serious_crime("XA")
    assert not check.serious_crime("QN")  # below Palermo's four years


def test_a_narrower_national_offence_still_covers_the_facts_and_says_so() -> None:
    check = dual_criminality(["0204"], requesting="XA", requested="QM", offences=TABLE)
    assert check.holds
    (match,) = check.conduct[0].requested
    assert match.narrower
    assert match.offence.title.endswith("sexual exploitation")
    assert not check.conduct[0].requesting[0].narrower
    assert check.penalties()["QM"] == Decimal(3)


def test_a_broader_conduct_code_is_covered_by_an_offence_of_its_category() -> None:
    # The conduct is described precisely (sexual exploitation); XA's offence covers all
    # trafficking in persons, which contains it.
    check = dual_criminality(["02041"], requesting="QM", requested="XA", offences=TABLE)
    assert check.holds
    assert not check.conduct[0].requested[0].narrower


def test_unknown_codes_and_bad_rows_are_refused_by_name() -> None:
    with pytest.raises(Invalid, match="unknown ICCS code '0999'"):
        dual_criminality(["0999"], requesting="XA", requested="QM", offences=TABLE)
    with pytest.raises(ValueError, match=r"national-offences\.csv:2: max_penalty 'ten'"):
        parse("country,reference,title,iccs,max_penalty,source\nXA,s. 1,Theft,0502,ten,S1\n")
    with pytest.raises(ValueError, match=r"national-offences\.csv:2: no ICCS code"):
        parse("country,reference,title,iccs,max_penalty,source\nXA,s. 1,Theft,,3,S1\n")


def test_the_packaged_table_reads() -> None:
    assert {o.country for o in packaged()} >= {"NL", "ES", "CO"}
