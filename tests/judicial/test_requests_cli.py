"""`palermo requests …` end to end: the Netherlands' central authority drafts a request from
a file and sends it, Colombia's acknowledges it and assigns it to its police, which records
a part executed, and answers; another is refused after consultation. Requests are named by
reference; refusals exit non-zero with the rule."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.conftest import CLI_PASSWORD, Palermo
from tests.judicial.conftest import request_in


def world(palermo: Palermo) -> None:
    for code, kind, country in (
        ("NL-OM", "central_authority", "NL"),
        ("CO-FGN", "central_authority", "CO"),
        ("CO-DIJIN", "police", "CO"),
        ("FR-OFAST", "police", "FR"),
    ):
        palermo("agency", "add", code, "--name", code, "--kind", kind, "--country", country)
    users = (("nl", "NL-OM"), ("co", "CO-FGN"), ("dijin", "CO-DIJIN"), ("fr", "FR-OFAST"))
    for user, agency in users:
        palermo(
            "user", "add", user, "--agency", agency, "--role", "officer", "--password", CLI_PASSWORD
        )
    palermo("node", "init")  # the agencies' keys, for the request to travel as a message


def drafted(palermo: Palermo, tmp_path: Path, **fields: object) -> str:
    file = tmp_path / "request.json"
    due = date.today() + timedelta(days=90)
    file.write_text(request_in(requested_by=str(due), **fields).model_dump_json())
    shown = palermo.json("--as", "nl", "requests", "draft", str(file))
    assert isinstance(shown, dict)
    assert shown["missing"] == []
    return str(shown["reference"])


def test_a_request_from_the_command_line(palermo: Palermo, tmp_path: Path) -> None:
    world(palermo)
    reference = drafted(palermo, tmp_path)
    assert reference.startswith("NL-OM/R/")
    hidden = palermo("--as", "co", "requests", "show", reference, ok=False)
    assert f"no request {reference}" in hidden.output
    sent = palermo("--as", "nl", "requests", "send", reference)
    assert f"Sent {reference}: sent (your next steps: withdraw)" in sent.output

    early = palermo("--as", "co", "requests", "assign", reference, "CO-DIJIN", ok=False)
    assert early.exit_code == 1
    assert "possible steps: acknowledge, consult, withdraw" in early.output
    palermo("--as", "co", "requests", "acknowledge", reference.lower())
    assigned = palermo("--as", "co", "requests", "assign", reference, "CO-DIJIN")
    assert "assigned (your next steps: execute, answer, consult)" in assigned.output
    part = palermo(
        "--as", "dijin", "requests", "part", reference,
        "--measure", "bank_records", "--summary", "Statements produced by Banco Andino",
    )  # fmt: skip
    assert "in_execution (your next steps: execute)" in part.output
    not_theirs = palermo(
        "--as", "dijin", "requests", "answer", reference, "--summary", "x", ok=False
    )
    assert "the requested authority takes this step" in not_theirs.output
    palermo(
        "--as", "co", "requests", "answer", reference,
        "--summary", "Statements and the hearing record",
        "--confidentiality", "Not to be disclosed to the account holder",
    )  # fmt: skip

    shown = palermo.json("--as", "nl", "requests", "show", reference)
    assert isinstance(shown, dict)
    assert (shown["status"], shown["executing"], shown["next_steps"]) == (
        "answered",
        "CO-DIJIN",
        [],
    )
    assert [e["step"] for e in shown["events"]] == [
        "draft", "send", "acknowledge", "assign", "execute", "answer",
    ]  # fmt: skip
    assert shown["parts"][0]["summary"] == "Statements produced by Banco Andino"
    text = palermo("--as", "dijin", "requests", "show", shown["id"]).output
    assert "You are the executing side; your next steps: none" in text
    assert "Parts executed" in text

    incoming = palermo.json("--as", "co", "requests", "list", "--direction", "incoming")
    assert [r["reference"] for r in incoming] == [reference]  # type: ignore[union-attr]
    assert palermo.json("--as", "nl", "requests", "list", "--direction", "incoming") == []
    assert palermo.json("--as", "fr", "requests", "list") == []
    outsider = palermo("--as", "fr", "requests", "show", reference, ok=False)
    assert f"no request {reference}" in outsider.output
    listed = palermo("--as", "co", "requests", "list").output
    assert reference in listed
    assert "1 requests" in listed
    (pair,) = palermo.json("--as", "fr", "requests", "statistics")  # type: ignore[misc]
    assert (pair["requesting"], pair["requested"], pair["sent"], pair["answered"]) == (
        "NL",
        "CO",
        1,
        1,
    )
    assert pair["median_days_to_close"] == 0.0
    assert "0 reminders and escalations set" in palermo("requests", "sweep").output


def test_a_refusal_from_the_command_line(palermo: Palermo, tmp_path: Path) -> None:
    world(palermo)
    reference = drafted(palermo, tmp_path)
    palermo("--as", "nl", "requests", "send", reference)
    palermo("--as", "co", "requests", "acknowledge", reference)
    consulting = palermo(
        "--as", "co", "requests", "consult", reference, "--note", "Records need a judge's order"
    )
    assert "consultation (your next steps: resume, refuse)" in consulting.output
    reasons = ["--reasons", "Colombian law forbids producing these records without a judge."]
    fiscal = palermo(
        "--as", "co", "requests", "refuse", reference, "--ground", "fiscal", *reasons, ok=False
    )
    assert fiscal.exit_code == 2
    assert "'fiscal' is not one of" in fiscal.output
    assert "domestic_prohibition" in fiscal.output
    national = palermo(
        "--as", "co", "requests", "refuse", reference, "--ground", "nationality", *reasons, ok=False
    )
    assert "a ground for refusing extradition only" in national.output
    ground = ["--ground", "domestic_prohibition"]
    when = ["--consulted-on", "29.11.2026"]
    refuse = ["--as", "co", "requests", "refuse", reference, *ground, *reasons]
    undated = palermo(*refuse, *when, ok=False)
    assert undated.exit_code == 2
    palermo(*refuse)
    shown = palermo.json("--as", "nl", "requests", "show", reference)
    assert isinstance(shown, dict)
    assert (shown["status"], shown["ground"], shown["consulted_on"]) == (
        "refused",
        "domestic_prohibition",
        str(date.today()),
    )
    withdrawn = palermo("--as", "nl", "requests", "withdraw", reference, ok=False)
    assert "is refused: no withdraw from there (possible steps: none)" in withdrawn.output
    second = drafted(palermo, tmp_path)
    assert "withdrawn" in palermo("--as", "nl", "requests", "withdraw", second).output
    withdrawn_list = palermo.json("--as", "nl", "requests", "list", "--status", "withdrawn")
    assert [r["reference"] for r in withdrawn_list] == [second]  # type: ignore[union-attr]
