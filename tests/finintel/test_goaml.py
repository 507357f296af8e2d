"""goAML intake: the official samples parse into sensible filings; a broken file is refused
with every problem at its element path, never with a traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from palermo.finintel.filing import Filing, ReportRejected
from palermo.finintel.goaml import read_goaml
from palermo.records.entities import parse_entity

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / f"goaml_sample_{name}.xml").read_text(encoding="utf-8")


STR = sample("STR")
TRANSACTION = STR[STR.index("    <transaction>") : STR.index("</transaction>") + 15]
FROM_PERSON = STR[STR.index("<from_person>") : STR.index("</from_person>") + 14]
FROM_ACCOUNT = """<from_account>
        <institution_name>Emirates Bank</institution_name>
        <swift>EBILAEADXXX</swift>
        <account>1012345678</account>
        <currency_code>AED</currency_code>
        <account_name>Layla Hassan</account_name>
        <iban>AE070331234567890123456</iban>
        <personal_account_type>A</personal_account_type>
        <signatory>
          <is_primary>true</is_primary>
          <t_person>
            <gender>F</gender>
            <first_name>Layla</first_name>
            <last_name>Hassan</last_name>
            <birthdate>1989-07-02T00:00:00</birthdate>
            <id_number>784198512345671</id_number>
          </t_person>
          <role>PAH</role>
        </signatory>
      </from_account>"""


def with_transactions(*transactions: str, report: str = STR) -> bytes:
    return report.replace(TRANSACTION, "".join(transactions)).encode()


def transaction(number: str, **replacements: str) -> str:
    text = TRANSACTION.replace("TXN-987654", number)
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def refused(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ReportRejected) as caught:
        read_goaml(data)
    return [(p.path, p.rule) for p in caught.value.problems]


def by_schema(filing: Filing, schema: str) -> list[dict[str, Any]]:
    return [e for e in filing.entities if e["schema"] == schema]


def named(filing: Filing, name: str) -> dict[str, Any]:
    return next(e for e in filing.entities if e["properties"].get("name") == [name])


def owners(filing: Filing, account: str) -> list[str]:
    return [
        e["properties"]["owner"][0]
        for e in by_schema(filing, "Ownership")
        if e["properties"]["asset"] == [account]
    ]


def test_str_sample_is_a_cash_deposit_wired_abroad() -> None:
    filing = read_goaml(STR.encode())

    assert (filing.reference, filing.kind, filing.reporter_id) == ("STR-2026-0042", "STR", "101")
    assert filing.branch == "DXB-MAIN"
    assert filing.submitted_at == datetime(2026, 5, 26, 10, tzinfo=UTC)
    assert filing.currency == "AED"
    assert filing.reason.startswith("Customer conducted multiple cash deposits")
    assert filing.action is not None
    assert filing.indicators == ("STRUC",)
    assert filing.format == "goaml"
    layla, john = named(filing, "Layla Hassan"), named(filing, "John Smith")
    assert layla["properties"] | {"birthDate": ["1989-07-02"]} == layla["properties"]
    assert layla["properties"]["nationality"] == ["ae"]
    assert layla["properties"]["phone"] == ["+971509998877"]
    assert layla["properties"]["gender"] == ["female"]
    assert layla["properties"]["idNumber"] == ["784198512345671"]
    (document,) = by_schema(filing, "Identification")
    assert document["properties"]["holder"] == [layla["id"]]
    assert filing.subjects == {layla["id"]}  # the bank's client, not the foreign beneficiary

    (transfer,) = filing.transfers
    assert transfer.number == "TXN-987654"
    assert transfer.time == datetime(2026, 5, 24, 14, 30, tzinfo=UTC)
    assert (transfer.amount, transfer.currency) == (120000.0, "AED")
    assert transfer.source is None  # from_funds_code CASH, no account
    target = next(e for e in filing.entities if e["id"] == transfer.target)
    assert target["schema"] == "BankAccount"
    assert owners(filing, target["id"]) == [john["id"]]  # his account at an unnamed bank
    assert (transfer.source_country, transfer.target_country) == ("AE", "GB")
    assert transfer.channel == "ELCFT"
    assert transfer.description == "International wire transfer following large cash deposit"
    (payment,) = by_schema(filing, "Payment")
    assert payment["properties"]["payer"] == [layla["id"]]
    assert payment["properties"]["beneficiaryAccount"] == [target["id"]]

    # The MLRO files the report; she is no party to it.
    assert filing.extra["reporting_person"] == {"name": "Sara Khan", "occupation": "MLRO"}
    assert all(e["properties"].get("name") != ["Sara Khan"] for e in filing.entities)


def test_sar_sample_reports_a_client_without_transactions() -> None:
    filing = read_goaml(sample("SAR").encode())

    assert (filing.reference, filing.kind) == ("SAR-2026-014", "SAR")
    assert filing.transfers == ()
    aisha = named(filing, "Aisha Mahmoud")
    assert filing.subjects == {aisha["id"]}
    assert aisha["properties"]["address"] == ["Villa 12, Al Wasl Road, Dubai, AE"]
    assert aisha["properties"]["birthDate"] == ["1985-03-12"]
    (party,) = filing.extra["report_parties"]
    assert party["entity"] == aisha["id"]
    assert party["significance"] == "8"


def test_dpmsr_sample_reports_a_dealer_and_its_gold() -> None:
    filing = read_goaml(sample("DPMSR_activity").encode())

    assert (filing.reference, filing.kind, filing.reporter_id) == (
        "PAY 0001 INV 0001",
        "DPMSR",
        "3177",
    )
    company = named(filing, "Example Jewellery LLC")
    assert company["schema"] == "Company"
    assert company["properties"]["registrationNumber"] == ["100000"]
    assert company["properties"]["jurisdiction"] == ["ae"]
    assert filing.subjects == {company["id"]}
    ali = named(filing, "Ali Hassan")
    (directorship,) = by_schema(filing, "Directorship")
    assert directorship["properties"]["director"] == [ali["id"]]
    assert directorship["properties"]["organization"] == [company["id"]]
    (passport,) = by_schema(filing, "Passport")
    assert passport["properties"]["holder"] == [ali["id"]]
    (item,) = filing.extra["goods_services"]
    assert (item["item_type"], item["disposed_value"], item["size_uom"]) == (
        "GOLD",
        "1234567.89",
        "KG",
    )


@pytest.mark.parametrize("name", ["STR", "SAR", "DPMSR_activity"])
def test_sample_entities_are_valid_ftm_and_reference_each_other(name: str) -> None:
    filing = read_goaml(sample(name).encode())

    ids = {entity["id"] for entity in filing.entities}
    for entity in filing.entities:
        data = parse_entity(entity)
        assert {ref for refs in data.references.values() for ref in refs} <= ids
    assert filing.subjects <= ids
    assert {t.source for t in filing.transfers} | {t.target for t in filing.transfers} <= ids | {
        None
    }


def test_a_party_named_twice_is_one_entity() -> None:
    from_account = transaction(
        "TXN-2",
        **{
            FROM_PERSON: FROM_ACCOUNT,
            "<t_from_my_client>": "<t_from>",
            "</t_from_my_client>": "</t_from>",
            "<from_funds_code>CASH": "<from_funds_code>ELCFT",
        },
    )
    data = with_transactions(TRANSACTION, from_account, from_account.replace("TXN-2", "TXN-3"))

    filing = read_goaml(data)

    layla = named(filing, "Layla Hassan")  # client, sender and signatory: one person
    (account,) = [e for e in by_schema(filing, "BankAccount") if "iban" in e["properties"]]
    assert account["properties"]["bic"] == ["EBILAEAD"]
    assert owners(filing, account["id"]) == [layla["id"]]
    assert len(by_schema(filing, "BankAccount")) == 2  # hers, and John Smith's
    assert [t.source for t in filing.transfers] == [None, account["id"], account["id"]]
    assert len({t.target for t in filing.transfers}) == 1
    assert read_goaml(data).entities == filing.entities  # ids are deterministic


def test_a_foreign_currency_amount_is_the_transfers_amount() -> None:
    foreign = (
        "<from_funds_code>CASH</from_funds_code><from_foreign_currency>"
        "<foreign_currency_code>USD</foreign_currency_code><foreign_amount>32670.50</foreign_amount>"
        "</from_foreign_currency>"
    )
    data = with_transactions(
        transaction("TXN-1", **{"<from_funds_code>CASH</from_funds_code>": foreign})
    )

    (transfer,) = read_goaml(data).transfers

    assert (transfer.amount, transfer.currency) == (32670.5, "USD")


def test_multi_party_transaction_sides_come_from_the_roles() -> None:
    parties = f"""<involved_parties>
        <party><role>RMITR</role>{FROM_PERSON.replace("from_person", "person_my_client")}
          <funds_code>CASH</funds_code><country>AE</country></party>
        <party><role>BNFCR</role>
          <entity><name>Gulf Trading FZE</name></entity>
          <funds_code>ELCFT</funds_code><country>AE</country></party>
        <party><role>LAWR</role><person><first_name>Omar</first_name><last_name>Said</last_name>
          </person><funds_code>ELCFT</funds_code><country>AE</country></party>
      </involved_parties>"""
    start, end = TRANSACTION.index("<t_from_my_client>"), TRANSACTION.index("</t_to>") + 7
    multi = TRANSACTION[:start] + parties + TRANSACTION[end:]

    filing = read_goaml(with_transactions(multi))

    (transfer,) = filing.transfers
    gulf, omar = named(filing, "Gulf Trading FZE"), named(filing, "Omar Said")
    assert transfer.source is None
    assert owners(filing, transfer.target or "") == [gulf["id"]]
    assert filing.subjects == {named(filing, "Layla Hassan")["id"]}
    assert omar["schema"] == "Person"  # involved, on neither side
    two_senders = multi.replace("<role>BNFCR</role>", "<role>RMITR</role>")
    assert refused(with_transactions(two_senders)) == [
        ("/report/transaction[1]", "goaml.transaction.one_from_side"),
        ("/report/transaction[1]", "goaml.transaction.one_to_side"),
    ]


def test_broken_str_is_refused_with_every_problem_at_its_path() -> None:
    data = with_transactions(
        transaction("TXN-1", **{"120000.00": "abc"}),
        transaction("TXN-1", **{"120000.00": "-5"}),
        transaction(
            "TXN-3",
            **{
                "<from_country>AE": "<from_country>QQ",  # not a code of the schema
                "<to_country>GB": "<to_country>AN",  # in the schema, no longer ISO 3166
                "<transmode_comment>E</transmode_comment>": "",  # required
                "120000.00": "2000000000000",
                "2026-05-24T14:30:00": "2026-05-27T08:00:00",  # after the submission
            },
        ),
        report=STR.replace("<currency_code_local>AED", "<currency_code_local>XBT").replace(
            "<submission_code>E", "<submission_code>-"
        ),
    )

    with pytest.raises(ReportRejected) as caught:
        read_goaml(data)

    problems = caught.value.problems
    assert [(p.path, p.rule, p.value) for p in problems] == [
        ("/report/transaction[1]/amount_local", "xsd", "abc"),
        ("/report/transaction[3]/t_from_my_client/from_country", "xsd", "QQ"),
        ("/report/transaction[3]", "xsd", None),
        ("/report/submission_code", "goaml.report.submission_code", "-"),
        ("/report/transaction[2]/amount_local", "goaml.transaction.amount_positive", "-5"),
        (
            "/report/transaction[2]/transactionnumber",
            "goaml.transaction.number_duplicated",
            "TXN-1",
        ),
        ("/report/transaction[3]/amount_local", "goaml.transaction.amount_absurd", "2000000000000"),
        (
            "/report/transaction[3]/date_transaction",
            "goaml.transaction.after_submission",
            "2026-05-27T08:00:00+00:00",
        ),
        ("/report/currency_code_local", "goaml.currency.iso4217", "XBT"),
        ("/report/transaction[3]/t_to/to_country", "goaml.country.iso3166", "AN"),
    ]
    assert "'transmode_comment' expected" in problems[2].message
    assert caught.value.details[0] == problems[0].as_dict()
    assert caught.value.status_code == 422


def test_a_missing_element_is_reported_once_at_its_parent() -> None:
    data = STR.replace("<entity_reference>STR-2026-0042</entity_reference>", "").encode()

    assert refused(data) == [("/report", "xsd")]


def test_report_rules() -> None:
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    activity = sample("SAR")
    activity = activity[activity.index("<activity>") : activity.index("</activity>") + 11]

    assert refused(STR.replace("STR-2026-0042", "").encode()) == [
        ("/report/entity_reference", "goaml.report.entity_reference_required")
    ]
    assert refused(STR.replace("<report_code>STR", "<report_code>PSTR").encode()) == [
        ("/report/report_code", "goaml.report.kind_unknown")
    ]
    assert refused(with_transactions(activity)) == [
        ("/report", "goaml.report.transactions_required")
    ]
    assert refused(STR.replace("2026-05-26T10:00:00", future).encode()) == [
        ("/report/submission_date", "goaml.report.submitted_in_future")
    ]
    birth = STR.replace("1989-07-02T00:00:00", future).encode()
    assert refused(birth) == [
        ("/report/transaction[1]/t_from_my_client/from_person/birthdate", "goaml.date.in_future")
    ]


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE report [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<report><reason>&c;</reason></report>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<report><reason>&secret;</reason></report>"""


@pytest.mark.parametrize("data", [ENTITY_BOMB, EXTERNAL])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(ReportRejected) as caught:
        read_goaml(data)

    (problem,) = caught.value.problems
    assert (problem.path, problem.rule) == ("line 2", "xml")
    assert "DOCTYPE" in problem.message


def test_latin1_declared_utf8_is_refused_naming_the_byte() -> None:
    data = STR.replace("Layla", "Léïla").encode("latin-1")
    offset = data.index(b"L\xe9") + 1
    line = data.count(b"\n", 0, offset) + 1

    with pytest.raises(ReportRejected) as caught:
        read_goaml(data)

    (problem,) = caught.value.problems
    assert problem.rule == "encoding"
    assert problem.path == f"line {line}, byte {offset}"
    assert problem.value == "0xe9"


def test_a_declared_encoding_is_honoured() -> None:
    data = STR.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    data = data.replace("Compliance Tower", "Tour de conformité").encode("latin-1")

    filing = read_goaml(data)

    assert filing.extra["reporting_person"]["name"] == "Sara Khan"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"", "line 1, column 1"),
        (b"<report><reason></report>", "line 1, column 19"),
        (b"\x00\x01garbage", "line 1, column 1"),
    ],
)
def test_malformed_xml_is_refused_with_its_place(data: bytes, path: str) -> None:
    assert refused(data) == [(path, "xml")]


def test_another_root_element_is_refused() -> None:
    assert refused(b"<notreport/>") == [("/notreport", "xsd")]
