"""The finintel commands, end to end: a bank's goAML report filed (and a broken one refused
with its element paths), a bank return imported, monitoring, a trace, triage, training."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CLI_PASSWORD, Palermo
from tests.finintel.conftest import SAMPLES
from tests.finintel.world import Ledger, background, typologies

WHY = ["--justification", "case 88"]


def _world(palermo: Palermo) -> None:
    for code, kind in (("AE-FIU", "fiu"), ("BANK-1", "private_partner")):
        palermo("agency", "add", code, "--name", code, "--kind", kind, "--country", "AE")
    for user, agency, role in (
        ("ana", "AE-FIU", "analyst"),
        ("sam", "AE-FIU", "supervisor"),
        ("mlro", "BANK-1", "partner"),
    ):
        palermo("user", "add", user, "--agency", agency, "--role", role, "--password", CLI_PASSWORD)
    palermo("finintel", "register", "BANK-1", "--registration", "101", "--fiu", "AE-FIU")


def test_a_report_is_filed_and_a_broken_one_refused(palermo: Palermo, tmp_path: Path) -> None:
    _world(palermo)
    report = SAMPLES / "goaml_sample_STR.xml"
    ack = json.loads(
        palermo("--as", "mlro", "finintel", "import", "goaml", str(report), "--json").stdout
    )
    assert ack["fiu_reference"].startswith("AE-FIU-")
    assert ack["transactions"] == 1
    broken = tmp_path / "broken.xml"
    broken.write_bytes(report.read_bytes().replace(b"<amount_local>120000.00", b"<amount_local>-5"))
    refused = palermo("--as", "mlro", "finintel", "import", "goaml", str(broken), ok=False)
    assert refused.exit_code == 1
    assert "/report/transaction" in refused.output
    assert "amount_local" in refused.output
    listed = json.loads(palermo("--as", "mlro", "finintel", "reports", "--json").stdout)
    assert [r["fiu_reference"] for r in listed] == [ack["fiu_reference"]]


def test_import_monitor_trace_triage_train(palermo: Palermo, tmp_path: Path) -> None:
    _world(palermo)
    ledger = Ledger()
    background(ledger)
    typologies(ledger)
    bank_return = ledger.write_csv(tmp_path / "return.csv")
    imported = json.loads(
        palermo(
            "--as", "ana", "finintel", "import-transactions", str(bank_return),
            "--map", Ledger.MAPPING, *WHY, "--json",
        ).stdout
    )  # fmt: skip
    assert imported["rows"] == len(ledger.rows)
    alerts = json.loads(palermo("--as", "ana", "finintel", "monitor", *WHY, "--json").stdout)
    assert {a["typology"] for a in alerts} >= {"structuring", "cycle", "fan_in", "dormant"}
    assert set(alerts[0]) >= {"alert_id", "typology", "score", "accounts", "transactions", "window"}
    trace = json.loads(
        palermo("--as", "ana", "finintel", "trace", "cy-0", "--hops", "5", *WHY, "--json").stdout
    )
    assert [f["target"] for f in trace["flows"]][:5] == ["cy-1", "cy-2", "cy-3", "cy-4", "cy-0"]
    queue = json.loads(
        palermo("--as", "ana", "finintel", "alerts", "--status", "new", "--json").stdout
    )
    dismissed = palermo("--as", "ana", "finintel", "triage", queue[0]["id"], "dismiss", ok=False)
    assert "say why" in dismissed.output
    palermo(
        "--as", "ana", "finintel", "triage", queue[0]["id"], "dismiss", "--note", "known trader"
    )
    cases = tmp_path / "cases.csv"
    cases.write_text("account\n" + "\n".join(sorted(set().union(*ledger.truth.values()))) + "\n")
    refused = palermo("--as", "ana", "finintel", "train", str(cases), *WHY, ok=False)
    assert "supervisors" in refused.output
    trained = json.loads(
        palermo("--as", "sam", "finintel", "train", str(cases), *WHY, "--json").stdout
    )
    assert trained["laundering"] == len(set().union(*ledger.truth.values()))
    ranked = json.loads(palermo("--as", "ana", "finintel", "monitor", *WHY, "--json").stdout)
    assert all(a["rank_score"] is not None for a in ranked)
    assert next(a for a in ranked if a["alert_id"] == queue[0]["alert_id"])["status"] == "dismissed"
