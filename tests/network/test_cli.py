"""The network commands: edge files in (and refused with the line at fault), call records
imported, a network built from records and written for Gephi."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from palermo.network import calls
from tests.conftest import CLI_PASSWORD, Palermo

EDGES = """source,target,weight,time
alice,bob,2,2024-01-01
bob,carol,1,2024-01-02T10:00:00
carol,dave,1,
dave,alice,1,
eve,frank,1,
carol,eve,3,2024-02-01
carol,carol,1,
bob,alice,1,
"""


def _file(tmp_path: Path, text: str, name: str = "edges.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_disrupt_an_edge_file_deterministically(palermo: Palermo, tmp_path: Path) -> None:
    edges = _file(tmp_path, EDGES)
    args = ["network", "disrupt", str(edges), "--strategy", "betweenness", "--json"]
    first = json.loads(palermo(*args).stdout)
    assert first == json.loads(palermo(*args).stdout)
    assert first["strategy"] == "betweenness"
    assert first["mode"] == "sequential"
    assert first["steps"][0]["removed"] == ["carol"]
    assert set(first["steps"][0]) == {"removed", "lcc_ratio", "components", "efficiency"}
    block = json.loads(
        palermo(
            "network", "disrupt", str(edges), "--strategy", "ci", "--mode", "block",
            "--block-size", "2", "--weighted", "--json",
        ).stdout
    )  # fmt: skip
    assert len(block["steps"][0]["removed"]) == 2
    planned = json.loads(
        palermo(
            "network", "disrupt", str(edges), "--strategy", "list", "--plan", "eve,bob", "--json"
        ).stdout
    )
    assert [s["removed"] for s in planned["steps"]] == [["eve"], ["bob"]]


def test_analyze_an_edge_file(palermo: Palermo, tmp_path: Path) -> None:
    edges = _file(tmp_path, EDGES)
    nodes = tmp_path / "nodes.csv"
    report = json.loads(
        palermo(
            "network", "analyze", str(edges), "--json", "--nodes-out", str(nodes),
            "--duplicates", "max", "--measures", "degree,closeness,collective_influence",
        ).stdout
    )  # fmt: skip
    summary = report["summary"]
    assert summary["self_loops_left_out"] == 1
    assert summary["repeated_edges_merged"] == 1  # alice–bob twice
    assert summary["duplicates_rule"] == "max"
    assert summary["nodes"] == 6
    assert set(report["top"]) == {"degree", "closeness", "collective_influence"}
    header = nodes.read_text().splitlines()[0]
    assert header == "node,label,degree,closeness,collective_influence,community"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source,target,colour\na,b,red\n", "unknown column(s) 'colour'"),
        ("source,weight\na,1\n", "missing column(s) target"),
        ("source,target,weight\na,b,1\nb,c,heavy\n", "line 3: weight 'heavy' is not a number"),
        ("source,target,weight\na,b,-2\n", "line 2: weight -2.0 is not a positive number"),
        ("source,target,time\na,b,yesterday\n", "line 2: time 'yesterday' is not an ISO 8601"),
        ("source,target\na,b\n,c\n", "line 3: empty source node id"),
        ("source,target,weight,time\n", "no edges"),
        ("source,target,weight\na,b,1\n\nc,d,0\n", "line 4: weight 0.0 is not a positive"),
        ("source,target,weight\na,b,1\nc,d,1,9\n", "line 3: 4 fields, the header has 3"),
        ("", "empty file"),
    ],
)
def test_bad_edge_files_are_refused_naming_what_is_wrong(
    palermo: Palermo, tmp_path: Path, content: str, message: str
) -> None:
    result = palermo("network", "disrupt", str(_file(tmp_path, content)), ok=False)
    assert result.exit_code == 1
    assert message in result.output


def test_a_disconnected_graph_and_a_graph_without_ties(palermo: Palermo, tmp_path: Path) -> None:
    report = json.loads(
        palermo(
            "network", "analyze", str(_file(tmp_path, "source,target\na,b\nc,d\n")), "--json"
        ).stdout
    )
    assert report["summary"]["components"] == 2
    loops = _file(tmp_path, "source,target\na,a\n", "loops.csv")
    refused = palermo("network", "disrupt", str(loops), ok=False)
    assert "no ties to break" in refused.output


CDR = """A_NUMBER;B_NUMBER;SEIZURE;DUR;CELL
+31 6 1234 5678;+57 300 123 4567;01/03/2024 21:14:05;00:03:20;204-08-1234
+573001234567;+31612345678;02/03/2024 08:01:00;45;
+31612345678;+4915112345678;03/03/2024 09:30:00;1:02:03;204-08-9999
+573001234567;+31612345678;02/03/2024 08:01:00;45;204-08-0001
"""
SUBSCRIBERS = """MSISDN,HOLDER,DOB
+31612345678,Jan de Vries,1980-04-02
"""


def _world(palermo: Palermo) -> None:
    palermo("agency", "add", "NL-POL", "--name", "Politie", "--kind", "police", "--country", "NL")
    palermo(
        "user", "add", "ria", "--agency", "NL-POL", "--role", "analyst", "--password", CLI_PASSWORD
    )


def test_call_records_imported_then_analysed(palermo: Palermo, tmp_path: Path) -> None:
    _world(palermo)
    cdr = _file(tmp_path, CDR, "cdr.csv")  # semicolons, as many operators export
    subscribers = _file(tmp_path, SUBSCRIBERS, "subscribers.csv")
    imported = palermo(
        "import", "calls", str(cdr), "--agency", "NL-POL", "--legal-basis", "Sv art. 126n",
        "--columns", "caller=A_NUMBER,callee=B_NUMBER,start=SEIZURE,duration=DUR,cell=CELL",
        "--time-format", "%d/%m/%Y %H:%M:%S", "--subscribers", str(subscribers),
        "--subscriber-columns", "number=MSISDN,name=HOLDER,birth_date=DOB",
        "--subject-category", "suspect", "--json",
    )  # fmt: skip
    # A subscriber and three calls: the last line repeats a call (from another cell).
    assert json.loads(imported.stdout)["created"] == 4
    context = ["--purpose", "criminal_analysis", "--justification", "Operation Tulip"]
    report = json.loads(palermo("--as", "ria", "network", "analyze", *context, "--json").stdout)
    # Jan (the subscriber), the Colombian and the German numbers; Jan's calls attach to him.
    assert report["summary"]["nodes"] == 3
    assert report["top"]["degree"][0]["label"] == "Jan de Vries"
    out = tmp_path / "calls.graphml"
    palermo("--as", "ria", "network", "build", *context, "--out", str(out))
    assert "Jan de Vries" in out.read_text()


def test_an_unknown_export_format_is_named(palermo: Palermo, tmp_path: Path) -> None:
    _world(palermo)
    context = ["--purpose", "criminal_analysis", "--justification", "Operation Tulip"]
    out = tmp_path / "net.xlsx"
    result = palermo("--as", "ria", "network", "build", *context, "--out", str(out), ok=False)
    assert result.exit_code == 1
    assert "net.xlsx: unknown export format; use one of .graphml" in result.output
    assert not out.exists()


def test_bad_call_records_are_all_named_and_nothing_is_imported(
    palermo: Palermo, tmp_path: Path
) -> None:
    _world(palermo)
    cdr = _file(
        tmp_path,
        "caller,callee,start,duration\n+31612345678,x,2024-03-01T10:00,5\n"
        "+31612345678,+4915112345678,tomorrow,5\n+31612345678,+4915112345678,2024-03-01,5 min\n",
        "cdr.csv",
    )
    result = palermo(
        "import", "calls", str(cdr), "--agency", "NL-POL", "--legal-basis", "Sv art. 126n", ok=False
    )
    assert "3 bad line(s); nothing was imported" in result.output
    assert "line 2: callee 'x' is not a phone number" in result.output
    assert "line 3: start 'tomorrow' does not read as ISO 8601" in result.output
    assert "line 4: duration '5 min' is neither seconds nor [HH:]MM:SS" in result.output
    missing = palermo(
        "import", "calls", str(cdr), "--columns", "caller=A", "--legal-basis", "Sv art. 126n",
        ok=False,
    )  # fmt: skip
    assert "no column 'A'" in missing.output
    short = palermo("import", "calls", str(cdr), "--legal-basis", "Sv", ok=False)
    assert "legal_basis: String should have at least 3 characters" in short.output


def test_numbers_meet_however_they_were_written() -> None:
    written = ("+31 6-1234 5678", "0031 612345678", "+31612345678")
    assert {calls.dialled(number) for number in written} == {"+31612345678"}
