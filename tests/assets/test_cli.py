"""`palermo assets …` end to end: a Dutch villa in Dubai registered, frozen under a Dutch order
recognised by the UAE, valued, reported; bad input refused with the reason."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.assets.conftest import asset_in
from tests.conftest import CLI_PASSWORD, Palermo


def world(palermo: Palermo) -> None:
    for code, kind, country in (
        ("NL-ARO", "police", "NL"),
        ("AE-POL", "police", "AE"),
        ("AE-MOJ", "central_authority", "AE"),
    ):
        palermo("agency", "add", code, "--name", code, "--kind", kind, "--country", country)
    for user, agency, role in (
        ("jan", "NL-ARO", "officer"),
        ("omar", "AE-POL", "officer"),
        ("layla", "AE-MOJ", "officer"),
    ):
        palermo("user", "add", user, "--agency", agency, "--role", role, "--password", CLI_PASSWORD)


def test_a_villa_abroad_frozen_under_a_recognised_order(palermo: Palermo, tmp_path: Path) -> None:
    world(palermo)
    villa = tmp_path / "villa.json"
    villa.write_text(
        asset_in(
            "Villa 14, Palm Jumeirah",
            country="AE",
            value="9500000",
            currency="AED",
            valued_on=date(2025, 6, 10),
        ).model_dump_json()
    )
    palermo("--as", "jan", "assets", "register", str(villa))
    (listed,) = palermo.json("--as", "jan", "assets", "list")
    reference = listed["reference"]
    assert (listed["state"], listed["reporting_value"]) == ("identified", "2279648.02")
    order = tmp_path / "order.json"
    order.write_text(
        json.dumps(
            {
                "reference": "RB-ROT-2025-114",
                "kind": "freezing",
                "authority": "Rechtbank Rotterdam",
                "country": "NL",
                "issued_on": "2025-07-01",
                "expires_on": "2030-07-01",
                "assets": [reference],
            }
        )
    )
    palermo("--as", "jan", "assets", "order", str(order))
    refused = palermo(
        "--as", "omar", "assets", "transition", reference, "--to", "frozen",
        "--on", "2025-07-10", "--order", "NL:RB-ROT-2025-114", ok=False,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert f"no asset {reference}" in refused.output  # the UAE sees it once asked
    palermo("--as", "jan", "assets", "recognise", "NL:RB-ROT-2025-114", "--country", "AE")
    palermo(
        "--as", "layla", "assets", "decide", "NL:RB-ROT-2025-114",
        "--authority", "Dubai Courts", "--on", "2025-07-08",
    )  # fmt: skip
    moved = palermo(
        "--as", "omar", "assets", "transition", reference, "--to", "frozen",
        "--on", "2025-07-10", "--order", "NL:RB-ROT-2025-114",
    )  # fmt: skip
    assert "is frozen since 2025-07-10" in moved.output
    shown = palermo.json("--as", "jan", "assets", "show", reference)
    assert [e["to_state"] for e in shown["events"]] == ["identified", "frozen"]
    report = palermo.json("--as", "jan", "assets", "report")
    assert report["totals"] == [
        {"stage": "frozen", "year": 2025, "key": "", "assets": 1, "value": "2279648.02"}
    ]
    bad = palermo(
        "--as", "jan", "assets", "value", reference, "--amount", "-3", "--currency", "AED",
        "--on", "2025-08-01", ok=False,
    )  # fmt: skip
    assert "amount -3 is negative" in bad.output
