"""Bulk transaction files reach the store whole and canonical, or are refused naming the true
line and column of each problem; reported transfers pass the same checks."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from palermo.errors import Conflict, Invalid
from palermo.finintel import transactions
from palermo.finintel.currencies import Rates, UnknownCurrency, load_rates
from palermo.finintel.filing import ReportRejected, Transfer
from palermo.finintel.transactions import (
    TRANSACTIONS,
    parse_mapping,
    read_transactions,
    transfers_batch,
    write_batch,
    write_rows,
)

AMLWORLD = (
    "Timestamp,From Bank,Account,To Bank,Account.1,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering\n"
    "2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,USD,3697.34,USD,Reinvestment,0\n"
    "2022/09/01 00:20,03208,8000F4580,001,8000F5340,0.01,USD,0.01,USD,Cheque,0\n"
    "2022/09/01 00:17,001120,8000F5090,001120,8000F50A0,11.50,GBP,11.50,GBP,Credit Card,0\n"
    '2022/09/01 00:22,3209,8000F4670,020,8000F5AD0,"1,234.50",EUR,"1,234.50",EUR,Wire,1\n'
    "2022/09/01 00:21,012,8000F5030,,,200.00,EUR,200.00,EUR,Cash,0\n"
)
AMLWORLD_MAP = (
    "time=Timestamp,source=Account,target=Account.1,source_bank=From Bank,target_bank=To Bank,"
    "amount=Amount Paid,currency=Payment Currency,channel=Payment Format"
)

# A header, then line 2 good, line 3 blank, lines 4-5 one record (a quoted line break), and
# whatever the test writes from line 6 on.
HEADER = "id,time,from,to,amount,currency,channel,from_country,to_country,memo\n"
PREFIX = (
    HEADER
    + "t1,2024-03-01T10:00:00Z,A1,B1,100,EUR,wire,DE,FR,\n"
    + "\n"
    + 't2,2024-03-01 11:00,A2,B2,50.5,usd,WIRE,DEU,fra,"two\nlines"\n'
)
PREFIX_MAP = {
    "tx_id": "id",
    "time": "time",
    "source": "from",
    "target": "to",
    "amount": "amount",
    "currency": "currency",
    "channel": "channel",
    "source_country": "from_country",
    "target_country": "to_country",
}


@pytest.fixture(scope="module")
def rates() -> Rates:
    return load_rates()


def _write(tmp_path: Path, text: str | bytes, name: str = "tx.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _refusal(tmp_path: Path, rates: Rates, lines: str) -> ReportRejected:
    with pytest.raises(ReportRejected) as refused:
        read_transactions(_write(tmp_path, PREFIX + lines), PREFIX_MAP, batch="b", rates=rates)
    return refused.value


# The --map option


def test_mapping_is_read_with_column_names_as_written() -> None:
    assert parse_mapping(AMLWORLD_MAP + ',"tx_id=Ref, internal"')["tx_id"] == "Ref, internal"
    assert parse_mapping(" source = From , target=To,amount=Amt,time=When") == {
        "source": "From",
        "target": "To",
        "amount": "Amt",
        "time": "When",
    }


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("source=A,target=B,amount=C,time=D,colour=E", "unknown field 'colour'"),
        ("source=A,target=B,amount=C,time=D,source=E", "source is mapped twice"),
        ("source=A,amount=C", "required field(s) not mapped: target, time"),
        ("source=A,target=B,amount=C,time", "'time' is not FIELD=COLUMN"),
        ("source=A,target=,amount=C,time=D", "'target=' is not FIELD=COLUMN"),
    ],
)
def test_mapping_errors_name_the_field(text: str, named: str) -> None:
    with pytest.raises(Invalid, match="--map: ") as refused:
        parse_mapping(text)
    assert named in refused.value.message


# A good file


def test_an_amlworld_file_becomes_canonical(tmp_path: Path, rates: Rates) -> None:
    path = _write(tmp_path, AMLWORLD)
    result = read_transactions(path, parse_mapping(AMLWORLD_MAP), batch="aml-1", rates=rates)
    table = result.table
    assert table.schema.equals(TRANSACTIONS)
    assert result.rows == table.num_rows == 5
    rows = {row["tx_id"]: row for row in table.to_pylist()}
    assert set(rows) == {f"aml-1-{line}" for line in range(2, 7)}  # <batch>-<line>
    assert rows["aml-1-2"]["source"] == rows["aml-1-2"]["target"] == "8000EBD30"
    assert rows["aml-1-2"]["channel"] == "reinvestment"
    assert rows["aml-1-3"]["source_bank"] == "03208"  # bank ids are text: zeros kept
    assert rows["aml-1-4"]["channel"] == "card"
    assert rows["aml-1-5"]["amount"] == 1234.50
    assert rows["aml-1-5"]["time"] == datetime(2022, 9, 1, 0, 22, tzinfo=UTC)
    assert rows["aml-1-6"]["target"] is None  # cash taken out
    assert rows["aml-1-6"]["channel"] == "cash"
    assert {row["batch"] for row in rows.values()} == {"aml-1"}
    assert result.first_time == datetime(2022, 9, 1, 0, 17, tzinfo=UTC)
    assert result.last_time == datetime(2022, 9, 1, 0, 22, tzinfo=UTC)


def test_amounts_are_converted_to_euros(tmp_path: Path, rates: Rates) -> None:
    result = read_transactions(
        _write(tmp_path, AMLWORLD), parse_mapping(AMLWORLD_MAP), batch="b", rates=rates
    )
    usd, gbp = rates.units_per_eur["USD"], rates.units_per_eur["GBP"]
    by_id = {row["tx_id"]: row["amount_eur"] for row in result.table.to_pylist()}
    assert by_id["b-2"] == pytest.approx(3697.34 / usd)
    assert by_id["b-4"] == pytest.approx(11.50 / gbp)
    assert by_id["b-5"] == 1234.50
    assert result.total_eur == pytest.approx(sum(by_id.values()))


def test_repeated_header_names_are_numbered_as_pandas_does(tmp_path: Path, rates: Rates) -> None:
    raw = AMLWORLD.replace("Account.1", "Account", 1)  # the file as AMLworld ships it
    result = read_transactions(
        _write(tmp_path, raw), parse_mapping(AMLWORLD_MAP), batch="b", rates=rates
    )
    assert result.table.column("target").to_pylist()[0] == "8000F50A0"


def test_values_are_normalised(tmp_path: Path, rates: Rates) -> None:
    result = read_transactions(
        _write(tmp_path, "\ufeff" + PREFIX), PREFIX_MAP, batch="b", rates=rates
    )
    second = result.table.to_pylist()[1]
    assert second["time"] == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)  # no zone: UTC
    assert (second["currency"], second["channel"]) == ("USD", "wire")
    assert (second["source_country"], second["target_country"]) == ("DE", "FR")


@pytest.mark.parametrize(
    ("written", "amount"),
    [("1234.50", 1234.5), ("1,234.50", 1234.5), ("1,234,567", 1234567.0), ("1.5e3", 1500.0)],
)
def test_accepted_number_formats(tmp_path: Path, rates: Rates, written: str, amount: float) -> None:
    text = PREFIX + f't3,2024-03-02,A3,B3,"{written}",EUR,wire,,,\n'
    result = read_transactions(_write(tmp_path, text), PREFIX_MAP, batch="b", rates=rates)
    assert result.table.column("amount").to_pylist()[-1] == amount


@pytest.mark.parametrize(
    ("written", "time"),
    [
        ("2024-03-02", datetime(2024, 3, 2, tzinfo=UTC)),
        ("2024-03-02T12:30:00+02:00", datetime(2024, 3, 2, 10, 30, tzinfo=UTC)),
        ("2024-03-02 12:30:00.250", datetime(2024, 3, 2, 12, 30, 0, 250000, tzinfo=UTC)),
        ("2024/03/02 12:30", datetime(2024, 3, 2, 12, 30, tzinfo=UTC)),
    ],
)
def test_accepted_time_formats(tmp_path: Path, rates: Rates, written: str, time: datetime) -> None:
    text = PREFIX + f"t3,{written},A3,B3,1,EUR,wire,,,\n"
    result = read_transactions(_write(tmp_path, text), PREFIX_MAP, batch="b", rates=rates)
    assert result.table.column("time").to_pylist()[-1] == time


def test_cash_has_no_account_on_one_side(tmp_path: Path, rates: Rates) -> None:
    text = PREFIX + "t3,2024-03-02,,B3,900,EUR,Cash,,,\nt4,2024-03-02,A4,,900,EUR,cash,,,\n"
    result = read_transactions(_write(tmp_path, text), PREFIX_MAP, batch="b", rates=rates)
    rows = result.table.to_pylist()
    assert (rows[2]["source"], rows[3]["target"]) == (None, None)


def test_default_currency_applies_when_none_is_mapped(tmp_path: Path, rates: Rates) -> None:
    mapping = {k: v for k, v in PREFIX_MAP.items() if k != "currency"}
    path = _write(tmp_path, PREFIX)
    result = read_transactions(path, mapping, batch="b", rates=rates, default_currency="gbp")
    assert set(result.table.column("currency").to_pylist()) == {"GBP"}
    with pytest.raises(Invalid, match="'ZZZ' is not an ISO 4217"):
        read_transactions(path, mapping, batch="b", rates=rates, default_currency="ZZZ")


# Refused files: each rule, at the true line and column


@pytest.mark.parametrize(
    ("row", "rule", "column"),
    [
        ("t3,2024-03-02,A3,B3,-5,EUR,wire,,,", "amount.positive", "amount"),
        ("t3,2024-03-02,A3,B3,0,EUR,wire,,,", "amount.positive", "amount"),
        ("t3,2024-03-02,A3,B3,12e,EUR,wire,,,", "amount.number", "amount"),
        ('t3,2024-03-02,A3,B3,"12,50",EUR,wire,,,', "amount.number", "amount"),
        ("t3,2024-03-02,A3,B3,1.234.5,EUR,wire,,,", "amount.number", "amount"),
        ('t3,2024-03-02,A3,B3,"1,234",EUR,wire,,,', "amount.ambiguous", "amount"),
        ("t3,2024-03-02,A3,B3,,EUR,wire,,,", "amount.required", "amount"),
        ("t3,2024-03-02,A3,B3,2e12,EUR,wire,,,", "amount.absurd", "amount"),
        ("t3,2024-03-02,A3,B3,9e14,JPY,wire,,,", "amount.absurd", "amount"),
        ("t3,2024-03-02,A3,B3,5,XYZ,wire,,,", "currency.iso", "currency"),
        ("t3,2024-03-02,A3,B3,5,CHE,wire,,,", "currency.rate", "currency"),
        ("t3,2024-03-02,A3,B3,5,,wire,,,", "currency.required", "currency"),
        ("t3,02/03/2024,A3,B3,5,EUR,wire,,,", "time.format", "time"),
        ("t3,2024-02-30 10:00,A3,B3,5,EUR,wire,,,", "time.format", "time"),
        ("t3,,A3,B3,5,EUR,wire,,,", "time.required", "time"),
        ("t3,2024-03-02,,B3,5,EUR,wire,,,", "source.required", "from"),
        ("t3,2024-03-02,A3,,5,EUR,,,,", "target.required", "to"),
        ("t3,2024-03-02,,,5,EUR,cash,,,", "cash.accounts", "from"),
        ("t3,2024-03-02,A3,A3,5,EUR,wire,,,", "transfer.self", "to"),
        ("t3,2024-03-02,A3,B3,5,EUR,wire,ZZ,,", "source_country.iso", "from_country"),
        ("t3,2024-03-02,A3,B3,5,EUR,wire,,Germany,", "target_country.iso", "to_country"),
        (",2024-03-02,A3,B3,5,EUR,wire,,,", "tx_id.required", "id"),
        ("t1,2024-03-02,A3,B3,5,EUR,wire,,,", "tx_id.unique", "id"),
    ],
)
def test_each_rule_names_line_and_column(
    tmp_path: Path, rates: Rates, row: str, rule: str, column: str
) -> None:
    refused = _refusal(tmp_path, rates, row + "\n")
    assert [(p.path, p.rule) for p in refused.problems] == [(f"line 6, column {column}", rule)]


def test_a_duplicate_names_the_first_use(tmp_path: Path, rates: Rates) -> None:
    refused = _refusal(tmp_path, rates, "t2,2024-03-02,A3,B3,5,EUR,wire,,,\n")
    assert refused.problems[0].message == "transaction id already used at line 4, column id"
    assert refused.problems[0].value == "t2"


def test_a_row_with_too_few_fields(tmp_path: Path, rates: Rates) -> None:
    refused = _refusal(tmp_path, rates, "t3,2024-03-02,A3\nt4,2024-03-02,A4,B4,-1,EUR,,,,\n")
    assert [(p.path, p.rule) for p in refused.problems] == [
        ("line 6", "csv.fields"),
        ("line 7, column amount", "amount.positive"),
    ]


def test_every_problem_is_listed_in_line_order(tmp_path: Path, rates: Rates) -> None:
    refused = _refusal(
        tmp_path,
        rates,
        "t3,2024-03-02,A3,B3,-5,EUR,wire,,,\nt4,someday,A4,B4,5,EUR,wire,XX,,\n",
    )
    assert [(p.path, p.rule, p.value) for p in refused.problems] == [
        ("line 6, column amount", "amount.positive", "-5"),
        ("line 7, column time", "time.format", "someday"),
        ("line 7, column from_country", "source_country.iso", "XX"),
    ]
    assert refused.message.startswith("report refused: line 6, column amount:")


def test_a_file_full_of_errors_lists_the_first_hundred(tmp_path: Path, rates: Rates) -> None:
    rows = "".join(f"x{i},2024-03-02,A,B,-1,EUR,wire,,,\n" for i in range(150))
    refused = _refusal(tmp_path, rates, rows)
    assert len(refused.problems) == 101
    assert refused.problems[0].path == "line 6, column amount"
    assert refused.problems[99].path == "line 105, column amount"
    assert refused.problems[100].message == "50 more problems not listed"


def test_a_mapped_column_missing_from_the_header(tmp_path: Path, rates: Rates) -> None:
    with pytest.raises(ReportRejected) as refused:
        read_transactions(
            _write(tmp_path, PREFIX), {**PREFIX_MAP, "amount": "Amount"}, batch="b", rates=rates
        )
    (problem,) = refused.value.problems
    assert (problem.path, problem.rule, problem.value) == ("line 1", "column.missing", "Amount")
    assert "'amount', 'currency'" in problem.message  # the header, to compare


def test_an_encoding_error_names_its_line(tmp_path: Path, rates: Rates) -> None:
    text = PREFIX.encode() + "t3,2024-03-02,Müller,B3,5,EUR,wire,,,\n".encode("latin-1")
    with pytest.raises(ReportRejected) as refused:
        read_transactions(_write(tmp_path, text), PREFIX_MAP, batch="b", rates=rates)
    (problem,) = refused.value.problems
    assert (problem.path, problem.rule) == ("line 6", "encoding")
    assert "byte 0xfc" in problem.message


@pytest.mark.parametrize(("text", "rule"), [("", "file.header"), (HEADER, "file.empty")])
def test_a_file_without_transactions(tmp_path: Path, rates: Rates, text: str, rule: str) -> None:
    with pytest.raises(ReportRejected) as refused:
        read_transactions(_write(tmp_path, text), PREFIX_MAP, batch="b", rates=rates)
    assert [p.rule for p in refused.value.problems] == [rule]


def test_a_bad_batch_name_is_refused(tmp_path: Path, rates: Rates) -> None:
    with pytest.raises(Invalid, match="batch name"):
        read_transactions(_write(tmp_path, PREFIX), PREFIX_MAP, batch="../x", rates=rates)


# Order, blocks and progress


def test_out_of_order_rows_are_sorted_with_a_warning(tmp_path: Path, rates: Rates) -> None:
    text = PREFIX + "t3,2024-02-01,A3,B3,1,EUR,wire,,,\nt4,2024-01-01,A4,B4,1,EUR,wire,,,\n"
    result = read_transactions(_write(tmp_path, text), PREFIX_MAP, batch="b", rates=rates)
    assert result.warnings == [
        "2 rows out of time order; first at line 6, column time (sorted by time)"
    ]
    assert result.table.column("tx_id").to_pylist() == ["t4", "t3", "t1", "t2"]


def test_lines_stay_true_across_small_blocks(
    tmp_path: Path, rates: Rates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transactions, "BLOCK_SIZE", 16)  # every record cut somewhere
    rows = "".join(f't{i},2024-03-02,A{i},B{i},1,EUR,wire,,,"a\n\nb"\n\n' for i in range(3, 9))
    path = _write(tmp_path, PREFIX + rows + "t9,2024-03-02,A9,B9,-1,EUR,wire,,,\n")
    with pytest.raises(ReportRejected) as refused:
        read_transactions(path, PREFIX_MAP, batch="b", rates=rates)
    # 6 + 6 records of 4 lines each
    assert [p.path for p in refused.value.problems] == ["line 30, column amount"]


def _big_file(rows: int) -> bytes:
    lines = [HEADER]
    for i in range(rows):  # one a second from 2024-01-01
        day, hour, minute, second = 1 + i // 86400, i // 3600 % 24, i // 60 % 60, i % 60
        lines.append(
            f"x{i},2024-01-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z,"
            f"A{i % 977},B{i % 1009},{i % 5000 + 1}.25,USD,wire,DE,NL,memo {i}\n"
        )
    return "".join(lines).encode()


@pytest.fixture(scope="module")
def big_file() -> bytes:
    return _big_file(200_000)


def test_a_large_file_is_read_in_blocks(tmp_path: Path, rates: Rates, big_file: bytes) -> None:
    path = _write(tmp_path, big_file)
    seen: list[int] = []
    result = read_transactions(path, PREFIX_MAP, batch="big", rates=rates, progress=seen.append)
    assert result.rows == 200_000
    assert len(seen) > 1
    assert seen == sorted(seen)
    assert seen[-1] == len(big_file)
    assert result.warnings == []
    assert result.table.column("tx_id")[-1].as_py() == "x199999"


def test_a_problem_deep_in_a_large_file(tmp_path: Path, rates: Rates, big_file: bytes) -> None:
    bad = big_file.replace(b"\nx150000,", b"\nx150000,2024-01-01Z,\n,", 1)
    with pytest.raises(ReportRejected) as refused:
        read_transactions(_write(tmp_path, bad), PREFIX_MAP, batch="big", rates=rates)
    assert [(p.path, p.rule) for p in refused.value.problems] == [
        ("line 150002", "csv.fields"),
        ("line 150003, column id", "tx_id.required"),
    ]


# The store


def _checked(tmp_path: Path, rates: Rates) -> pa.Table:
    return read_transactions(_write(tmp_path, PREFIX), PREFIX_MAP, batch="b", rates=rates).table


def test_a_batch_is_written_and_read_back(tmp_path: Path, rates: Rates) -> None:
    table = _checked(tmp_path, rates)
    path = write_batch(table, tmp_path / "store", "b")
    assert path == tmp_path / "store" / "batch-b.parquet"
    assert pq.read_table(path).equals(table)
    assert os.listdir(tmp_path / "store") == ["batch-b.parquet"]
    with pytest.raises(Conflict, match="already stored"):
        write_batch(table, tmp_path / "store", "b")


def test_a_batch_appears_only_complete(
    tmp_path: Path, rates: Rates, monkeypatch: pytest.MonkeyPatch
) -> None:
    table, store = _checked(tmp_path, rates), tmp_path / "store"
    final = store / "batch-b.parquet"
    real = pq.write_table

    def watched(table: pa.Table, where: object, **options: object) -> None:
        real(table, where, **options)
        assert not final.exists()  # only the temporary file so far, and hidden
        assert [name.startswith(".batch-b.parquet.") for name in os.listdir(store)] == [True]

    monkeypatch.setattr(transactions.pq, "write_table", watched)
    write_batch(table, store, "b")
    assert final.exists()

    def interrupted(table: pa.Table, where: object, **options: object) -> None:
        assert hasattr(where, "write")
        where.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(transactions.pq, "write_table", interrupted)
    with pytest.raises(OSError, match="disk full"):
        write_batch(table, store, "c")
    assert os.listdir(store) == ["batch-b.parquet"]  # no batch-c, no temporary left


def _transfer(number: str, **fields: object) -> Transfer:
    values: dict = {
        "number": number,
        "time": datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        "amount": 9500.0,
        "currency": "EUR",
        "source": None,
        "target": "acc-1",
        "channel": "CASH",
        "target_country": "AT",
    }
    return Transfer(**(values | fields))


def test_reported_transfers_land_in_the_same_layout(tmp_path: Path, rates: Rates) -> None:
    transfers = [_transfer("T1"), _transfer("T2", source="acc-1", target="acc-2", channel="ELCFT")]
    path = write_rows(transfers, tmp_path, batch="r-17", rates=rates, banks={"acc-1": "Bank A"})
    table = pq.read_table(path)
    assert table.schema.equals(TRANSACTIONS)
    first, second = table.to_pylist()
    assert (first["tx_id"], first["source"], first["channel"]) == ("r-17-T1", None, "cash")
    assert (first["target_bank"], first["target_country"]) == ("Bank A", "AT")
    assert (second["source_bank"], second["target_bank"]) == ("Bank A", None)


def test_reported_transfers_pass_the_same_checks(rates: Rates) -> None:
    transfers = [_transfer("T1"), _transfer("T2", currency="XOF2"), _transfer("T1")]
    with pytest.raises(ReportRejected) as refused:
        transfers_batch(transfers, batch="r", rates=rates)
    assert [(p.path, p.rule) for p in refused.value.problems] == [
        ("transfer T2, currency", "currency.iso"),
        ("transfer T1, tx_id", "tx_id.unique"),
    ]


# Rates

MAIN_CURRENCIES = (
    "AED NGN KES TZS UGX ZAR RUB TRY INR PKR BRL COP MXN CNY HKD SGD THB PHP UAH RON BGN PLN CZK "
    "HUF SEK NOK DKK CHF GBP USD JPY AUD CAD KRW EUR"
)


def test_the_packaged_rates_cover_the_main_currencies(rates: Rates) -> None:
    assert [code for code in MAIN_CURRENCIES.split() if code not in rates.units_per_eur] == []
    assert len(rates.units_per_eur) > 100
    assert rates.units_per_eur["EUR"] == 1


def test_to_eur_is_vectorised_and_names_unknown_codes(rates: Rates) -> None:
    amounts, codes = pa.array([100.0, 5.0]), pa.array(["EUR", "USD"])
    assert rates.to_eur(amounts, codes).to_pylist() == [100.0, 5.0 / rates.units_per_eur["USD"]]
    with pytest.raises(UnknownCurrency) as unknown:
        rates.to_eur(pa.array([1.0, 2.0, 3.0]), pa.array(["CHE", "EUR", "BTC"]), lines=[10, 11, 12])
    assert unknown.value.lines == {"CHE": [10], "BTC": [12]}
    assert "no reference rate to the euro for CHE" in unknown.value.message
    assert "'BTC' is not an ISO 4217 currency code (line 12)" in unknown.value.message


def test_an_fiu_can_use_its_own_rates(tmp_path: Path) -> None:
    own = _write(tmp_path, "currency,units_per_eur\nusd,2\n", "rates.csv")
    assert load_rates(own).units_per_eur == {"USD": 2.0, "EUR": 1.0}
    for text, error in [
        ("currency,units_per_eur\nBTC,0.00001\n", "rates.csv line 2: 'BTC' is not an ISO 4217"),
        ("currency,units_per_eur\nUSD,-1\n", "rates.csv line 2: rate '-1' is not a positive"),
        ("currency,units_per_eur\nUSD,1\nUSD,2\n", "rates.csv line 3: USD is listed twice"),
        ("code,rate\nUSD,1\n", "the header must name currency and units_per_eur"),
    ]:
        own.write_text(text)
        with pytest.raises(Invalid, match=error):
            load_rates(own)
