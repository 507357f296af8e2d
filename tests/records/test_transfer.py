"""FtM JSON lines in and out through the CLI: all or nothing, every bad line named."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CLI_PASSWORD as PASSWORD
from tests.conftest import Palermo

GOOD = [
    {
        "id": "p1",
        "schema": "Person",
        "properties": {
            "name": ["Ana Petrović"],
            "birthDate": ["1979-02-11"],
            "nationality": ["rs"],
        },
    },
    {"id": "c1", "schema": "Company", "properties": {"name": ["Danube Logistics d.o.o."]}},
    {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"]}},
    {"id": "a1", "schema": "BankAccount", "properties": {"iban": ["RS35260005601001611379"]}},
]


def write(path: Path, entities: list[object], extra_lines: list[str] = ()) -> Path:
    lines = [json.dumps(e, ensure_ascii=False) for e in entities] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def setup_world(palermo: Palermo) -> None:
    palermo(
        "agency",
        "add",
        "RS-POL",
        "--name",
        "Police of Serbia",
        "--kind",
        "police",
        "--country",
        "RS",
    )
    palermo.add_ncb("AT")
    palermo(
        "user", "add", "milan", "--agency", "RS-POL", "--role", "officer", "--password", PASSWORD
    )
    palermo(
        "user", "add", "lukas", "--agency", "NCB-AT", "--role", "officer", "--password", PASSWORD
    )


IMPORT = [
    "import",
    "ftm",
    "--agency",
    "RS-POL",
    "--legal-basis",
    "ZKP čl. 286",
    "--subject-category",
    "suspect",
    "--handling",
    "H2",
    "--offence",
    "0601",
]
CONSULT = ["--purpose", "criminal_investigation", "--justification", "case 44/26"]


def test_import_then_search_and_export_only_what_is_visible(
    palermo: Palermo,
    tmp_path: Path,
) -> None:
    setup_world(palermo)
    file = write(tmp_path / "group.jsonl", GOOD)
    report = palermo.json(*IMPORT, "--share", "country:AT:hit_only", str(file))
    assert report == {"lines": 4, "created": 4, "updated": 0, "unchanged": 0}

    found = palermo.json("--as", "milan", "records", "search", "petrovic", *CONSULT)
    assert [i["id"] for i in found["items"]] == ["rs-pol.p1"]
    hits = palermo.json("--as", "lukas", "records", "search", "ana", *CONSULT)
    assert hits["items"] == [
        {"access": "hit_only", "id": "rs-pol.p1", "schema": "Person", "owner_agency": "RS-POL"}
    ]
    out = tmp_path / "export.jsonl"
    palermo("--as", "milan", "export", "ftm", *CONSULT, "--out", str(out))
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert {e["id"] for e in exported} == {"rs-pol.p1", "rs-pol.c1", "rs-pol.o1", "rs-pol.a1"}
    ownership = next(e for e in exported if e["id"] == "rs-pol.o1")
    assert ownership["properties"]["owner"] == ["rs-pol.p1"]
    assert ownership["envelope"]["handling_code"] == "H2"
    palermo("--as", "lukas", "export", "ftm", *CONSULT, "--out", str(out))
    assert out.read_text() == ""  # hit-only records are not exported


def test_bad_lines_are_all_reported_and_nothing_is_imported(
    palermo: Palermo,
    tmp_path: Path,
) -> None:
    setup_world(palermo)
    bad = write(
        tmp_path / "bad.jsonl",
        [
            *GOOD,
            {
                "id": "p2",
                "schema": "Person",
                "properties": {"name": ["X"], "birthDate": ["1979-13-40"]},
            },
            {"id": "v1", "schema": "Spaceship", "properties": {}},
            {
                "id": "o2",
                "schema": "Ownership",
                "properties": {"owner": ["nobody"], "asset": ["c1"]},
            },
            {"id": "p1", "schema": "Person", "properties": {"name": ["Duplicate"]}},
        ],
        ['{"id": "broken", "schema": "Person"', "[1, 2]"],
    )
    result = palermo(*IMPORT, str(bad), ok=False)
    assert result.exit_code == 1
    output = result.output
    assert "6 bad line(s); nothing was imported" in output
    for expected in (
        "'line': 5",
        "'1979-13-40' is not a valid date",
        "'line': 6",
        "unknown schema 'Spaceship'",
        "'line': 7",
        "refers to unknown entity 'nobody'",
        "'line': 8",
        "appears again (first on line 1)",
        "'line': 9",
        "not valid JSON",
        "'line': 10",
        "one JSON object",
    ):
        assert expected in output, expected
    found = palermo.json("--as", "milan", "records", "search", "petrovic", *CONSULT)
    assert found["total"] == 0


def test_reimport_updates_but_never_lowers_restrictions(
    palermo: Palermo,
    tmp_path: Path,
) -> None:
    setup_world(palermo)
    file = write(tmp_path / "group.jsonl", GOOD)
    palermo(*IMPORT, str(file))
    again = palermo.json(*IMPORT, str(file))
    assert again == {"lines": 4, "created": 0, "updated": 0, "unchanged": 4}

    changed = [dict(GOOD[0], properties={"name": ["Ana Petrović", "Ana Petrovic"]}), *GOOD[1:]]
    updated = palermo.json(*IMPORT, str(write(tmp_path / "v2.jsonl", changed)))
    assert updated["updated"] == 1

    lower = [*IMPORT[:-4], "--handling", "H0", "--offence", "0601"]
    refused = palermo(*lower, str(file), ok=False)
    assert refused.exit_code == 1
    assert "an import cannot lower restrictions: handling code H2 → H0" in refused.output
    wider = palermo(*IMPORT, "--share", "everyone", "--tlp", "GREEN", str(file), ok=False)
    assert "new recipient (everyone)" in wider.output


def test_persons_without_a_subject_category_are_refused(
    palermo: Palermo,
    tmp_path: Path,
) -> None:
    setup_world(palermo)
    file = write(tmp_path / "group.jsonl", GOOD)
    result = palermo(
        "import", "ftm", "--agency", "RS-POL", "--legal-basis", "ZKP", str(file), ok=False
    )
    assert "'line': 1" in result.output
    assert "needs a data-subject category" in result.output


def test_non_utf8_files_are_refused(palermo: Palermo, tmp_path: Path) -> None:
    setup_world(palermo)
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(
        '{"id": "p9", "schema": "Person", "properties": {"name": ["Jos\xe9"]}}\n'.encode("latin-1")
    )
    result = palermo(*IMPORT, str(latin1), ok=False)
    assert "is not UTF-8" in result.output
