"""The legal-basis resolver on a table of state pairs. The registry here is made up — states
with the ISO codes reserved for private use (XA, XB, QM, QN, ZZ) — so each rule is seen
alone: who is bound and from when, what an instrument provides for, its scope, the
serious-crime threshold, reservations, and the precedence of the specific over the general."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from palermo.errors import Invalid
from palermo.judicial.legal_basis import legal_bases, resolve
from palermo.judicial.treaties import (
    DualCriminality,
    Registry,
    RegistryError,
    RequestType,
    packaged,
    parse,
)

ALL = {"mla": "Art. 18", "extradition": "Art. 16", "recognition": "Art. 13", "jit": "Art. 19"}


def party(in_force: str | None) -> dict[str, str | None]:
    return {"deposited_on": None, "in_force_on": in_force, "source": "S1"}


REGISTRY = {
    "sources": {"S1": "made up for the tests"},
    "treaties": [
        {
            "code": "WORLD",
            "title": "A worldwide convention against organized crime",
            "short": "World Convention",
            "kind": "multilateral",
            "adopted_on": "2000-11-15",
            "in_force_on": "2003-09-29",
            "covers": ALL,
            "scope": {"iccs": None, "serious_crime_years": 4, "note": "serious crime"},
            "dual_criminality": {"extradition": "required", "mla": "optional"},
            "extradition_threshold_years": None,
            "members": None,
            "parties": {
                "XA": party("2004-06-25"),
                "XB": party(None),
                "QM": party("2003-09-29"),
                "QN": party("2007-06-06"),
            },
            "sources": ["S1"],
        },
        {
            "code": "GRAFT",
            "title": "A convention against corruption",
            "short": "Graft Convention",
            "kind": "multilateral",
            "adopted_on": "2003-10-31",
            "in_force_on": "2005-12-14",
            "covers": {"mla": "Art. 46", "extradition": "Art. 44"},
            "scope": {"iccs": ["0703"], "serious_crime_years": None, "note": "corruption"},
            "dual_criminality": {"extradition": "required", "mla": "optional"},
            "extradition_threshold_years": None,
            "members": None,
            "parties": {c: party("2006-01-01") for c in ("XA", "XB", "QM", "QN")},
            "sources": ["S1"],
        },
        {
            "code": "WARRANT",
            "title": "A union's arrest warrant",
            "short": "Union Arrest Warrant",
            "kind": "union_law",
            "adopted_on": "2002-06-13",
            "in_force_on": "2004-01-01",
            "covers": {"extradition": "Art. 1"},
            "scope": {"iccs": None, "serious_crime_years": None, "note": ""},
            "dual_criminality": {"extradition": "not_required"},
            "extradition_threshold_years": 1,
            "members": ["XA", "XB"],
            "parties": {},
            "sources": ["S1"],
        },
        {
            "code": "XA-QM-MLA",
            "title": "Treaty between XA and QM on mutual legal assistance",
            "short": "",
            "kind": "bilateral",
            "adopted_on": "2008-03-01",
            "in_force_on": "2010-05-01",
            "covers": {"mla": "Art. 1"},
            "scope": {"iccs": None, "serious_crime_years": None, "note": ""},
            "dual_criminality": {"mla": "not_required"},
            "extradition_threshold_years": None,
            "members": None,
            "parties": {"XA": party("2010-05-01"), "QM": party("2010-05-01")},
            "sources": ["S1"],
        },
    ],
    "reservations": [
        {
            "treaty": "WORLD",
            "country": "QN",
            "article": "16(5)",
            "effect": "not_legal_basis_for_extradition",
            "text": "QN does not take the Convention as the legal basis for extradition.",
            "source": "S1",
        },
        {
            "treaty": "WORLD",
            "country": "QM",
            "article": "16(10)",
            "effect": "no_extradition_of_nationals",
            "text": "QM does not extradite its nationals.",
            "source": "S1",
        },
    ],
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return parse(REGISTRY)


ON = date(2026, 6, 1)
DRUGS, BRIBERY = "0601", "07031"

# requesting, requested, request, date, offences, penalties → applicable bases in order,
# and a reason expected among the refused ones.
TABLE = [
    (
        "XA",
        "XB",
        RequestType.extradition,
        ON,
        [DRUGS],
        None,
        ["WARRANT", "WORLD"],
        ("GRAFT", "0601"),
    ),
    (
        "XA",
        "QM",
        RequestType.mla,
        ON,
        [DRUGS],
        None,
        ["XA-QM-MLA", "WORLD"],
        ("WARRANT", "does not provide"),
    ),
    (
        "XA",
        "QM",
        RequestType.mla,
        date(2009, 1, 1),
        [],
        None,
        ["GRAFT", "WORLD"],
        ("XA-QM-MLA", "not in force on 2009-01-01"),
    ),
    (
        "XA",
        "QM",
        RequestType.extradition,
        ON,
        [BRIBERY],
        None,
        ["GRAFT", "WORLD"],
        ("WARRANT", "QM is not bound"),
    ),
    (
        "XA",
        "QN",
        RequestType.extradition,
        ON,
        [DRUGS],
        None,
        [],
        ("WORLD", "QN's reservation to Art. 16(5)"),
    ),
    (
        "QN",
        "XA",
        RequestType.extradition,
        ON,
        [DRUGS],
        None,
        ["WARRANT", "WORLD"][1:],
        ("WARRANT", "QN is not bound"),
    ),
    (
        "QN",
        "XA",
        RequestType.mla,
        date(2006, 6, 1),
        [],
        None,
        ["GRAFT"],
        ("WORLD", "it binds QN only from 2007-06-06"),
    ),
    ("ZZ", "XA", RequestType.mla, ON, [], None, [], ("WORLD", "ZZ is not a party")),
    (
        "XA",
        "XB",
        RequestType.mla,
        ON,
        [DRUGS],
        {"XA": Decimal(2)},
        [],
        ("WORLD", "not a serious crime in XA: at most 2 years"),
    ),
    (
        "XA",
        "XB",
        RequestType.mla,
        ON,
        [DRUGS],
        {"XA": None},
        ["WORLD"],
        ("GRAFT", "outside its scope"),
    ),
    (
        "XA",
        "XB",
        RequestType.jit,
        date(2003, 1, 1),
        [],
        None,
        [],
        ("WORLD", "not in force on 2003-01-01 (from 2003-09-29)"),
    ),
]


@pytest.mark.parametrize(
    ("requesting", "requested", "kind", "on", "offences", "penalties", "applicable", "refused"),
    TABLE,
)
def test_legal_bases_between_two_states(
    registry: Registry,
    requesting: str,
    requested: str,
    kind: RequestType,
    on: date,
    offences: list[str],
    penalties: dict[str, Decimal | None] | None,
    applicable: list[str],
    refused: tuple[str, str],
) -> None:
    bases = legal_bases(
        registry,
        requesting=requesting,
        requested=requested,
        request=kind,
        on=on,
        offences=offences,
        penalties=penalties,
    )
    assert [b.treaty.code for b in bases if b.applies] == applicable
    code, reason = refused
    (not_applying,) = [b for b in bases if b.treaty.code == code]
    assert not not_applying.applies
    assert any(reason in why for why in not_applying.reasons), not_applying.reasons


def test_the_extradition_threshold_is_judged_on_both_penalties(registry: Registry) -> None:
    """The union's warrant needs at least a year in both states: six months in XA is below
    it."""
    bases = legal_bases(
        registry,
        requesting="XB",
        requested="XA",
        request=RequestType.extradition,
        on=ON,
        offences=[DRUGS],
        penalties={"XB": Decimal(3), "XA": Decimal("0.5")},
    )
    (warrant,) = [b for b in bases if b.treaty.code == "WARRANT"]
    assert not warrant.applies
    assert warrant.reasons == [
        "punishable in XA by at most 0.5 years, below its 1-year threshold for extradition"
    ]


def test_what_an_applicable_basis_says(registry: Registry) -> None:
    first, *_ = [
        b
        for b in legal_bases(
            registry,
            requesting="XB",
            requested="QM",
            request=RequestType.extradition,
            on=ON,
            offences=[DRUGS],
        )
        if b.applies
    ]
    assert (first.treaty.code, first.article, first.dual_criminality) == (
        "WORLD",
        "Art. 16",
        DualCriminality.required,
    )
    # Applicable, on conditions: the serious-crime test (no penalty known) and QM's
    # reservation on its nationals.
    assert first.reasons == [
        "if the conduct is a serious crime (at least 4 years)",
        "QM's reservation to Art. 16(10): it does not extradite its own nationals",
    ]


def test_a_request_goes_between_two_states_named_by_iso_codes(registry: Registry) -> None:
    with pytest.raises(Invalid, match="from one state to another"):
        resolve(registry, requesting="NL", requested="NLD", request=RequestType.mla, on=ON)
    with pytest.raises(Invalid, match="unknown country code 'XX'"):
        resolve(registry, requesting="XX", requested="NL", request=RequestType.mla, on=ON)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["treaties"][0].update(kind="global"), "treaty WORLD, kind: 'global'"),
        (lambda d: d["treaties"][0].update(in_force_on="29/09/2003"), "not a date"),
        (lambda d: d["treaties"][0]["scope"].update(iccs=["9999"]), "unknown ICCS code '9999'"),
        (lambda d: d["treaties"][2].update(members=None), "union law lists its members"),
        (lambda d: d["treaties"][0].update(sources=["S9"]), "unknown sources S9"),
        (lambda d: d["reservations"][0].update(treaty="NOPE"), "unknown treaty 'NOPE'"),
        (lambda d: d["treaties"].append(d["treaties"][0]), "listed twice"),
    ],
)
def test_a_malformed_registry_is_refused_naming_the_entry(change, message: str) -> None:
    import copy

    document = copy.deepcopy(REGISTRY)
    change(document)
    with pytest.raises((RegistryError, ValueError), match=message):
        parse(document)


def test_the_packaged_registry_reads() -> None:
    registry = packaged()
    assert "UNTOC" in registry.treaties
    assert registry.treaty("untoc").covers[RequestType.extradition] == "Art. 16"
