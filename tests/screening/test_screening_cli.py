"""`palermo lists import`, `palermo screen` and `palermo screen-batch` end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from palermo.screening.batch import OUTPUT
from tests.conftest import CLI_PASSWORD, Palermo

DATA = Path(__file__).parent / "data"
UN = DATA / "un_consolidated.xml"
WHY = ["--purpose", "border_management", "--justification", "flight LH 1234, 2026-03-01"]
HIT_KEYS = {
    "record_id",
    "score",
    "algorithm",
    "schema",
    "caption",
    "names",
    "birth_dates",
    "countries",
    "source",
    "source_ref",
    "owner_agency",
    "explanation",
    "access",
    "alert",
}
PLANTED = "unsc.un-9100001"
AUTHORITY = ["--kind", "sanctions_authority", "--country", "US"]


@pytest.fixture
def node(palermo: Palermo) -> Palermo:
    """A node with the UN list loaded under its authority, and a French officer."""
    palermo(
        "agency",
        "add",
        "UNSC",
        "--name",
        "UN Security Council",
        "--kind",
        "sanctions_authority",
        "--country",
        "US",
    )
    palermo.add_ncb("FR")
    palermo(
        "user", "add", "jean", "--agency", "NCB-FR", "--role", "officer", "--password", CLI_PASSWORD
    )
    palermo("lists", "import", "un", str(UN), "--agency", "UNSC")
    return palermo


def test_lists_import_prints_what_happened(palermo: Palermo) -> None:
    palermo("agency", "add", "UNSC", "--name", "UNSC", *AUTHORITY)
    first = palermo("lists", "import", "un", str(UN), "--agency", "UNSC")
    assert "un list of UNSC: 4 added, 0 updated, 0 unchanged, 0 retired" in first.stdout
    again = palermo("lists", "import", "un", str(UN), "--agency", "UNSC")
    assert "un list of UNSC: 0 added, 0 updated, 4 unchanged, 0 retired" in again.stdout


def test_lists_import_refuses_what_it_cannot_load(palermo: Palermo, tmp_path: Path) -> None:
    palermo("agency", "add", "UNSC", "--name", "UNSC", *AUTHORITY)
    unknown = palermo("lists", "import", "nato", str(UN), "--agency", "UNSC", ok=False)
    assert unknown.exit_code == 1
    assert "unknown list 'nato'" in unknown.output
    missing = palermo(
        "lists", "import", "un", str(tmp_path / "nope.xml"), "--agency", "UNSC", ok=False
    )
    assert missing.exit_code == 1
    assert "no file" in missing.output
    nobody = palermo("lists", "import", "un", str(UN), "--agency", "NOPE", ok=False)
    assert nobody.exit_code == 1
    assert "'NOPE' is not an agency hosted on this node" in nobody.output


def test_screen_json_gives_full_hits_with_exactly_the_documented_keys(node: Palermo) -> None:
    hits = node.json(
        "--as", "jean", "screen", "Abdullah Mohammed Saleh Al-Hassani", "--dob", "1971-03-09", *WHY
    )
    assert isinstance(hits, list)
    assert hits
    for hit in hits:
        assert set(hit) == HIT_KEYS
    top = hits[0]
    assert top["record_id"] == PLANTED
    assert top["access"] == "full"
    assert top["alert"] is True
    assert top["score"] >= 0.8
    assert top["algorithm"] == "palermo-name-v1"
    assert top["owner_agency"] == "UNSC"
    assert (top["source"], top["source_ref"]) == ("un", "QDi.901")
    assert "1971-03-09" in top["birth_dates"]
    assert "birth date 1971-03-09 matches" in top["explanation"]


def test_screen_without_hits_prints_an_empty_list(node: Palermo) -> None:
    assert node.json("screen", "Hieronim Pstrokonski", *WHY) == []
    plain = node("screen", "Hieronim Pstrokonski", *WHY)
    assert "No hit for 'Hieronim Pstrokonski'" in plain.stdout


def test_screen_table_names_the_hit_and_the_threshold(node: Palermo) -> None:
    shown = node("--as", "jean", "screen", "Pak Chol Su", "--dob", "1962", *WHY)
    assert "PAK CHOL SU" in shown.stdout
    assert "un KPi.901" in shown.stdout
    assert "alert threshold 0.80; algorithm palermo-name-v1" in shown.stdout


def test_screen_table_shows_the_whole_record_id(node: Palermo) -> None:
    shown = node("--as", "jean", "screen", "Pak Chol Su", "--dob", "1962", *WHY)
    assert "unsc.un-9100002" in shown.stdout


def test_screen_needs_a_justification(node: Palermo) -> None:
    missing = node("screen", "Pak Chol Su", "--purpose", "border_management", ok=False)
    assert missing.exit_code != 0
    assert "--justification" in missing.output
    for empty in ("", "  "):
        refused = node(
            "screen",
            "Pak Chol Su",
            "--purpose",
            "border_management",
            "--justification",
            empty,
            ok=False,
        )
        assert refused.exit_code == 1
        assert "a justification is required" in refused.output
    unknown = node(
        "screen", "Pak Chol Su", "--purpose", "curiosity", "--justification", "why not", ok=False
    )
    assert unknown.exit_code == 1
    assert "unknown purpose 'curiosity'" in unknown.output


def test_screen_refuses_bad_input_with_the_reason(node: Palermo) -> None:
    bad_date = node("screen", "Pak Chol Su", "--dob", "1962-13-01", *WHY, ok=False)
    assert bad_date.exit_code == 1
    assert "no month 13" in bad_date.output
    bad_country = node("screen", "Pak Chol Su", "--nationality", "Atlantis", *WHY, ok=False)
    assert bad_country.exit_code == 1
    assert "unknown country 'Atlantis'" in bad_country.output


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_hits(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def test_screen_batch_reads_aliased_headers_and_writes_hits(node: Palermo, tmp_path: Path) -> None:
    manifest = write_csv(
        tmp_path / "manifest.csv",
        "Full Name,DOB,Citizenship,Passport\n"
        "Hieronim Pstrokonski,1980-01-01,PL,PL1234567\n"
        "ABDULLAH MOHAMMED SALEH AL-HASSANI,1971-03-09,YE,\n"
        "Ottokar Wrzesniewski,,DE,\n"
        "Someone Unknown,,,654210087\n",
    )
    out = tmp_path / "hits.csv"
    result = node("--as", "jean", "screen-batch", str(manifest), "--out", str(out), *WHY)
    assert "4 lines screened" in result.stdout
    header, rows = read_hits(out)
    assert header == list(OUTPUT)
    by_line = {}
    for row in rows:
        by_line.setdefault(row["line"], []).append(row)
    assert set(by_line) == {"3", "5"}  # the planted name, and the passport of PAK CHOL SU
    planted = by_line["3"][0]
    assert planted["record_id"] == PLANTED
    assert planted["query_name"] == "ABDULLAH MOHAMMED SALEH AL-HASSANI"
    assert planted["access"] == "full"
    assert planted["alert"] == "yes"
    assert float(planted["score"]) >= 0.8
    assert planted["algorithm"] == "palermo-name-v1"
    assert planted["owner_agency"] == "UNSC"
    assert (planted["source"], planted["source_ref"]) == ("un", "QDi.901")
    assert "birth date 1971-03-09 matches" in planted["explanation"]
    [by_document] = by_line["5"]
    assert by_document["record_id"] == "unsc.un-9100002"
    assert "document number 654210087 matches" in by_document["explanation"]


def test_screen_batch_with_a_bad_line_writes_nothing(node: Palermo, tmp_path: Path) -> None:
    manifest = write_csv(
        tmp_path / "manifest.csv",
        "Full Name,DOB,Citizenship\n"
        "Hieronim Pstrokonski,1980-01-01,PL\n"
        "ABDULLAH MOHAMMED SALEH AL-HASSANI,1971-13-09,YE\n"
        "Ottokar Wrzesniewski,,DE\n",
    )
    out = tmp_path / "hits.csv"
    result = node("screen-batch", str(manifest), "--out", str(out), *WHY, ok=False)
    assert result.exit_code == 1
    assert "1 bad line(s); nothing was screened" in result.output
    assert "'line': 3" in result.output
    assert "no month 13" in result.output
    assert not out.exists()


def test_screen_batch_maps_an_unknown_header(node: Palermo, tmp_path: Path) -> None:
    manifest = write_csv(
        tmp_path / "pax.csv",
        "PAX,Born\nPAK CHOL SU,1962\nHieronim Pstrokonski,1980\n",
    )
    out = tmp_path / "hits.csv"
    unmapped = node("screen-batch", str(manifest), "--out", str(out), *WHY, ok=False)
    assert unmapped.exit_code == 1
    assert "no name or document column among PAX, Born" in unmapped.output
    assert not out.exists()

    node(
        "screen-batch",
        str(manifest),
        "--out",
        str(out),
        "--map",
        "name=PAX",
        "--map",
        "birth_date=Born",
        *WHY,
    )
    _, rows = read_hits(out)
    assert [(r["line"], r["record_id"]) for r in rows] == [("2", "unsc.un-9100002")]
    assert "birth date 1962 matches" in rows[0]["explanation"]

    bad_map = node(
        "screen-batch", str(manifest), "--out", str(out), "--map", "name=Passenger", *WHY, ok=False
    )
    assert bad_map.exit_code == 1
    assert "the file has no column 'Passenger'" in bad_map.output


def test_screen_is_audited_for_the_acting_user(node: Palermo) -> None:
    node("--as", "jean", "screen", "Pak Chol Su", *WHY)
    entries = node.json("audit", "events", "--action", "screening.search")
    assert isinstance(entries, list)
    [entry] = entries
    text = json.dumps(entry, ensure_ascii=False).lower()
    assert "jean" in text
    assert "flight lh 1234" in text
    assert "pak" not in text.replace("unsc.un-9100002", "")
