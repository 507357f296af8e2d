"""`palermo cases …` end to end: a case opened, a member admitted, a JIT agreed, an
authorisation warned about, an action day reported; refusals exit non-zero with the rule."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import CLI_PASSWORD, Palermo


def world(palermo: Palermo) -> None:
    for code, country in (("NL-NP", "NL"), ("ES-PN", "ES"), ("FR-OFAST", "FR")):
        palermo("agency", "add", code, "--name", code, "--kind", "police", "--country", country)
    for user, agency in (("anouk", "NL-NP"), ("lucia", "ES-PN"), ("marc", "FR-OFAST")):
        palermo(
            "user", "add", user, "--agency", agency, "--role", "officer", "--password", CLI_PASSWORD
        )


def test_a_case_from_the_command_line(palermo: Palermo, tmp_path: Path) -> None:
    world(palermo)
    today = date.today()
    palermo(
        "--as",
        "anouk",
        "cases",
        "open",
        "--title",
        "Operation Harbour",
        "--offence",
        "0601",
        "--legal-basis",
        "Sv art. 126",
    )
    (case,) = palermo.json("--as", "anouk", "cases", "list")
    reference = case["reference"]
    palermo("--as", "anouk", "cases", "admit", reference, "ES-PN", "--legal-basis", "LECrim")
    refused = palermo("--as", "marc", "cases", "show", reference, ok=False)
    assert refused.exit_code != 0
    assert "no such case" in refused.output

    agreement = tmp_path / "jit.json"
    agreement.write_text(
        json.dumps(
            {
                "reference": "JIT-NL-ES-2026-01",
                "purpose": "Cocaine imports through Rotterdam and Algeciras",
                "starts_on": str(today - timedelta(days=30)),
                "ends_on": str(today + timedelta(days=300)),
                "evidence_rules": "Shared information is evidence in both parties' courts.",
                "parties": [
                    {"agency": "NL-NP", "applicable_law": "Sv art. 552qa"},
                    {"agency": "ES-PN", "applicable_law": "Ley 11/2003"},
                ],
            }
        )
    )
    palermo("--as", "anouk", "cases", "jit", reference, str(agreement))
    palermo("--as", "anouk", "cases", "jit-sign", reference)
    signed = palermo("--as", "lucia", "cases", "jit-sign", reference)
    assert "in_force" in signed.output

    authorisation = tmp_path / "auth.json"
    authorisation.write_text(
        json.dumps(
            {
                "technique": "controlled_delivery",
                "reference": "RC-ROT-2026/118",
                "authority": "Rechter-commissaris Rotterdam",
                "scope": "Container MSKU 7781234",
                "valid_from": str(today - timedelta(days=5)),
                "valid_until": str(today + timedelta(days=7)),
                "jurisdictions": ["NL", "ES"],
            }
        )
    )
    palermo("--as", "anouk", "cases", "authorise", reference, str(authorisation))
    (due,) = palermo.json("--as", "anouk", "cases", "expiring")
    assert (due["authorisation"], due["days_left"]) == ("RC-ROT-2026/118", 7)
    assert "1 expiry warnings set" in palermo("cases", "sweep").output

    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "name": "Action day Harbour",
                "countries": [
                    {
                        "country": "NL",
                        "agency": "NL-NP",
                        "local_time": f"{today}T06:00:00",
                        "timezone": "Europe/Amsterdam",
                    },
                    {
                        "country": "ES",
                        "agency": "ES-PN",
                        "local_time": f"{today}T06:00:00",
                        "timezone": "Europe/Madrid",
                    },
                ],
            }
        )
    )
    planned = palermo("--as", "anouk", "cases", "plan", reference, str(plan))
    day = planned.output.strip().rsplit(" ", 1)[-1]
    palermo("--as", "anouk", "cases", "start", reference, day)
    palermo("--as", "lucia", "cases", "result", reference, day, "ES", "arrest", "--quantity", "3")
    palermo(
        "--as",
        "anouk",
        "cases",
        "result",
        reference,
        day,
        "NL",
        "seizure",
        "--quantity",
        "412.5",
        "--unit",
        "kg",
        "--item",
        "cocaine",
    )
    wrong = palermo("--as", "lucia", "cases", "result", reference, day, "NL", "arrest", ok=False)
    assert "reported by its agencies or the lead" in wrong.output
    board = palermo.json("--as", "anouk", "cases", "board", reference, day)
    assert board["total"]["arrests"] == 3
    assert board["by_country"]["NL"]["quantities"][0]["quantity"] == "412.5"
    palermo("--as", "anouk", "cases", "end-action", reference, day)
    palermo("--as", "anouk", "cases", "close", reference, "--closure", "Five convictions in 2027")
    shown = palermo.json("--as", "lucia", "cases", "show", reference)
    assert shown["status"] == "closed"
    assert [e["kind"] for e in shown["timeline"]][-1] == "close"
