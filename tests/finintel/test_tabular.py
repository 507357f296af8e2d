"""JSON and CSV intake: the same filings and the same rules as goAML, problems at JSON paths
and CSV cells; `read_report` picks the reader by format."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from palermo.finintel.filing import Filing, ReportRejected
from palermo.finintel.intake import read_report
from palermo.finintel.tabular import read_csv, read_json
from palermo.records.entities import parse_entity

REPORT: dict[str, Any] = {
    "reference": "R-2026-7",
    "kind": "STR",
    "reporter_id": "202",
    "submitted_at": "2026-05-26T10:00:00",
    "currency": "EUR",
    "reason": "cash deposits just below the threshold, then wired out",
    "branch": "LIS-1",
    "indicators": ["STRUC"],
    "parties": [
        {
            "id": "p1",
            "type": "person",
            "first_name": "Ana",
            "last_name": "Silva",
            "birth_date": "1980-02-03",
            "nationality": "PT",
            "phone": "+351912345678",
            "subject": True,
        },
        {"id": "c1", "type": "company", "name": "Acme GmbH", "jurisdiction": "DE"},
        {"id": "a1", "type": "account", "iban": "PT50000201231234567890154", "holder": "p1"},
        {
            "id": "a2",
            "type": "account",
            "account_number": "999",
            "swift": "DEUTDEFF",
            "holder": "c1",
        },
        # The same person again under another id of the reporter's.
        {"id": "p1bis", "type": "person", "name": "Ana Silva", "birth_date": "1980-02-03"},
    ],
    "transactions": [
        {
            "number": "T1",
            "time": "2026-05-20T09:00:00Z",
            "amount": "9500",
            "from": None,
            "to": "a1",
        },
        {
            "number": "T2",
            "time": "2026-05-21T09:00:00",
            "amount": 9000.5,
            "from": "a1",
            "to": "a2",
            "from_country": "PT",
            "to_country": "DE",
            "channel": "ELCFT",
            "description": "invoice 12",
        },
        {"number": "T3", "time": "2026-05-22T09:00:00", "amount": 80, "from": "p1bis", "to": "c1"},
    ],
}


def as_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report).encode()


def problems(reader: Any, data: bytes) -> list[tuple[str, str, str | None]]:
    with pytest.raises(ReportRejected) as caught:
        reader(data)
    return [(p.path, p.rule, p.value) for p in caught.value.problems]


def entity(filing: Filing, entity_id: str | None) -> dict[str, Any]:
    return next(e for e in filing.entities if e["id"] == entity_id)


def owner(filing: Filing, account: str | None) -> str:
    (found,) = [
        e["properties"]["owner"][0]
        for e in filing.entities
        if e["schema"] == "Ownership" and e["properties"]["asset"] == [account]
    ]
    return found


def test_json_report() -> None:
    filing = read_json(as_json(REPORT))

    assert (filing.reference, filing.kind, filing.reporter_id) == ("R-2026-7", "STR", "202")
    assert filing.submitted_at == datetime(2026, 5, 26, 10, tzinfo=UTC)
    assert (filing.currency, filing.branch, filing.indicators) == ("EUR", "LIS-1", ("STRUC",))
    assert filing.format == "json"
    ana = next(e for e in filing.entities if e["properties"].get("name") == ["Ana Silva"])
    assert ana["properties"]["nationality"] == ["pt"]
    assert ana["properties"]["phone"] == ["+351912345678"]
    assert filing.subjects == {ana["id"]}
    assert sum(e["schema"] == "Person" for e in filing.entities) == 1  # p1 and p1bis
    cash, wire, unnamed = filing.transfers
    assert cash.source is None
    assert entity(filing, cash.target)["properties"]["iban"] == ["PT50000201231234567890154"]
    assert owner(filing, cash.target) == ana["id"]
    assert (wire.source, wire.amount, wire.currency) == (cash.target, 9000.5, "EUR")
    assert entity(filing, wire.target)["properties"]["bic"] == ["DEUTDEFF"]
    assert (wire.source_country, wire.target_country, wire.channel) == ("PT", "DE", "ELCFT")
    # A party paying without a named account: its account at an unknown institution.
    assert owner(filing, unnamed.source) == ana["id"]
    assert owner(filing, unnamed.target) == owner(filing, wire.target)
    for found in filing.entities:
        parse_entity(found)


def test_json_schema_problems_have_json_paths() -> None:
    report = copy.deepcopy(REPORT)
    report["parties"][0]["birth_date"] = "yesterday"
    report["parties"][1]["colour"] = "red"
    report["parties"][2].pop("iban")
    report["transactions"][1]["amount"] = "abc"
    del report["transactions"][2]["from"]

    assert problems(read_json, as_json(report)) == [
        ("parties[0].birth_date", "schema", "yesterday"),
        ("parties[1].colour", "schema", "red"),
        ("parties[2]", "schema", None),
        ("transactions[1].amount", "schema", "abc"),
        ("transactions[2].from", "schema", None),
    ]


def test_json_business_rules_are_goamls() -> None:
    report = copy.deepcopy(REPORT)
    report["reference"] = " "
    report["kind"] = "XYZ"
    report["indicators"] = []
    report["currency"] = "EURO"
    report["parties"][0]["nationality"] = "QQ"
    report["parties"][4]["id"] = "p1"
    report["transactions"][0]["to"] = "nobody"
    report["transactions"][1]["amount"] = -1
    report["transactions"][2]["number"] = "T1"

    assert problems(read_json, as_json(report)) == [
        ("parties[4].id", "json.party.id_duplicated", "p1"),
        ("transactions[0].to", "json.transaction.unknown_party", "nobody"),
        ("transactions[2].from", "json.transaction.unknown_party", "p1bis"),
        ("reference", "json.report.entity_reference_required", None),
        ("kind", "json.report.kind_unknown", "XYZ"),
        ("indicators", "json.report.indicators_required", None),
        ("transactions[1].amount", "json.transaction.amount_positive", "-1"),
        ("transactions[2].number", "json.transaction.number_duplicated", "T1"),
        ("currency", "json.currency.iso4217", "EURO"),
        ("parties[0].nationality", "json.country.iso3166", "QQ"),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"reference": ', ("line 1, column 15", "json", None)),
        (b"[]", ("(document)", "schema", None)),
        (b'{"reason": "caf\xe9"}', ("line 1, byte 15", "encoding", "0xe9")),
    ],
)
def test_json_that_is_no_report(data: bytes, expected: tuple[str, str, str | None]) -> None:
    assert problems(read_json, data) == [expected]


HEADER = (
    "report_reference,report_kind,reporter_id,submitted_at,currency,reason,indicators,"
    "transaction_number,time,amount,from_account,from_bank,from_country,from_holder,"
    "to_account,to_bank,to_country,to_holder,channel,description\n"
)
REPORT_CELLS = "R-9,STR,101,2026-05-26T10:00:00,EUR,smurfing,STRUC;CASH"
ROWS = [
    f"{REPORT_CELLS},T1,2026-05-20T09:00:00,9500,,,PT,Ana Silva,PT5001,BCP,PT,Ana Silva,CASH,\n",
    f"{REPORT_CELLS},T2,2026-05-21T09:00:00,9000.50,PT5001,BCP,PT,Ana Silva,"
    'DE999,DEUT,DE,"Acme, GmbH",ELCFT,"invoice 12"\n',
    f"{REPORT_CELLS},T3,2026-05-22T09:00:00,50,DE999,DEUT,DE,,,,,Bob,ELCFT,\n",
]


def as_csv(*rows: str) -> bytes:
    return ("\ufeff" + HEADER + "".join(rows)).encode()


def test_csv_report() -> None:
    filing = read_csv(as_csv(*ROWS))

    assert (filing.reference, filing.kind, filing.reporter_id) == ("R-9", "STR", "101")
    assert filing.indicators == ("STRUC", "CASH")
    assert (filing.reason, filing.format, filing.subjects) == ("smurfing", "csv", frozenset())
    deposit, wire, unnamed = filing.transfers
    assert deposit.source is None  # no account, channel CASH
    assert deposit.target == wire.source
    assert entity(filing, wire.source)["properties"]["accountNumber"] == ["PT5001"]
    assert entity(filing, owner(filing, wire.target))["properties"]["name"] == ["Acme, GmbH"]
    assert (wire.amount, wire.currency, wire.description) == (9000.5, "EUR", "invoice 12")
    assert unnamed.source == wire.target
    assert entity(filing, owner(filing, unnamed.target))["properties"]["name"] == ["Bob"]
    for found in filing.entities:
        parse_entity(found)


def test_csv_cells_and_report_columns() -> None:
    bad = ROWS[1].replace("9000.50", "abc").replace(",STR,", ",SAR,")

    assert problems(read_csv, as_csv(ROWS[0], bad, ROWS[2])) == [
        ("line 3, column amount", "schema", "abc"),
        ("line 3, column report_kind", "csv.report_column_differs", "SAR"),
    ]


def test_csv_business_rules() -> None:
    rows = [ROWS[0], ROWS[1].replace("9000.50", "-1"), ROWS[2].replace(",T3,", ",T1,")]
    rows[2] = rows[2].replace("DE999,DEUT,DE,,,,,Bob", ",,DE,,,,,Bob")

    assert problems(read_csv, as_csv(*rows)) == [
        ("line 3, column amount", "csv.transaction.amount_positive", "-1"),
        ("line 4", "csv.transaction.one_from_side", None),
        ("line 4, column transaction_number", "csv.transaction.number_duplicated", "T1"),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (HEADER.encode(), [("line 2", "csv.rows", None)]),
        (
            HEADER.replace("amount,", "amt,").encode(),
            [("line 1", "csv.header", None), ("line 1, column amt", "csv.header", "amt")],
        ),
        ((HEADER + ROWS[0] + "a,b\n").encode(), [("line 3", "csv.row", None)]),
        (
            (HEADER + ROWS[0].replace("Ana", "Ané")).encode("latin-1"),
            [(f"line 2, byte {len(HEADER) + ROWS[0].index('Ana') + 2}", "encoding", "0xe9")],
        ),
    ],
)
def test_csv_that_is_no_report(data: bytes, expected: list[tuple[str, str, str | None]]) -> None:
    assert problems(read_csv, data) == expected


def test_read_report_picks_the_reader() -> None:
    assert read_report(as_json(REPORT), "json").format == "json"
    assert read_report(as_csv(*ROWS), "csv").format == "csv"
    assert problems(lambda data: read_report(data, "xlsx"), b"") == [("format", "format", "xlsx")]
