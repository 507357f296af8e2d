"""Crash safety: a real `palermo serve` killed with SIGKILL in the middle of its work, then
started again. Nothing half-written may remain, nothing acknowledged may be lost, the audit
log must still verify, and interrupted jobs must fail cleanly and run again when resubmitted.

(Federation delivery with either node killed mid-batch: tests/exchange/test_nodes.py.)
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import fresh_database
from tests.exchange.nodes import PASSWORD, Desk, Node, wait_for

PURPOSE = {"purpose": "criminal_investigation", "justification": "operation Harbour, 41/26"}
HEADERS = {"X-Purpose": PURPOSE["purpose"], "X-Justification": PURPOSE["justification"]}
ENVELOPE = {
    "subject_category": "suspect",
    "legal_basis": "Code of Criminal Procedure, s. 98c",
    "handling_code": "H1",
    "tlp": "AMBER",
}
BUSY_CPU_SECONDS = 1.5  # the server's CPU spent on the work before it is killed
WRITING_CPU_SECONDS = 0.3
ANALYST = "an.l"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """One node without rate limits (the tests drive it harder than one person would):
    agency AG-A (officer off.a) takes imports and screenings; AG-L (officer off.l, analyst
    an.l) holds the records linkage compares."""
    home = tmp_path_factory.mktemp("crash")
    with fresh_database(home, migrated=True) as url:
        served = Node(
            "NODE-A",
            home,
            url,
            [Desk("AG-A", "DE", "off.a"), Desk("AG-L", "DE", "off.l")],
            extra_env={
                "PALERMO_RATE_LIMIT_USER_PER_MINUTE": "0",
                "PALERMO_RATE_LIMIT_AGENCY_PER_MINUTE": "0",
                "PALERMO_OUTBOX_COURIER": "false",
                "PALERMO_DIRECTORY_SYNC_SECONDS": "0",
                "PALERMO_MAX_REQUEST_BYTES": str(32 * 1024 * 1024),  # files of 80,000 lines
            },
        )
        served.set_up()
        served.cli(
            "user", "add", ANALYST, "--agency", "AG-L", "--role", "analyst",
            "--name", "Analyst of AG-L", "--password", PASSWORD,
        )  # fmt: skip
        issued = served.cli_json("--as", ANALYST, "token", "create", "--name", "tests")
        served.tokens[ANALYST] = str(issued["secret"])
        served.start()
        try:
            yield served
        finally:
            served.engine.dispose()
            served.stop()


@pytest.fixture
def restarted(node: Node) -> Iterator[Node]:
    """For each test: the node serves again afterwards, whatever the test did to it."""
    yield node
    if not node.running:
        node.start()


# Helpers --------------------------------------------------------------------------------
def persons(count: int, *, prefix: str, seed: int = 7) -> list[str]:
    """FtM JSON lines of `count` persons with made-up names, born in one decade (so that
    strangers share birth dates); every third is the previous one again, as it is or with
    a letter dropped from the name and sometimes only the year of birth, so that linkage
    has pairs to find among look-alikes."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))

    lines: list[str] = []
    for n in range(count):
        name = f"{word().title()} {word().title()}"
        born = f"197{rng.randint(0, 9)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if n % 3 == 2:
            previous = json.loads(lines[-1])["properties"]
            name, born = previous["name"][0], previous["birthDate"][0]
            if rng.random() < 0.5:
                name = name[:-1]
                born = born[:4] if rng.random() < 0.3 else born
        entity = {
            "id": f"{prefix}-{n:06d}",
            "schema": "Person",
            "properties": {"name": [name], "birthDate": [born], "nationality": ["de"]},
        }
        lines.append(json.dumps(entity))
    return lines


def processes() -> Iterator[tuple[int, list[str]]]:
    """Every process with the fields of its /proc stat after the name: state, parent…"""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield int(stat.parent.name), stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue


def cpu_seconds(pid: int) -> float:
    """User and system CPU time so far of a process and its children (an import checks
    large files in a second process), from Linux's /proc."""
    return sum(
        (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for number, fields in processes()
        if number == pid or fields[1] == str(pid)
    )


def children(pid: int) -> set[int]:
    return {number for number, fields in processes() if fields[1] == str(pid)}


def running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie has ended, whether reaped or not)."""
    return {number for number, fields in processes() if number in pids and fields[0] != "Z"}


def kill_while_busy(node: Node, request: Future[Any], what: str) -> None:
    """SIGKILL the server once it has spent `BUSY_CPU_SECONDS` of CPU on the work the
    request started, while that request still waits for its answer."""
    assert node.process is not None
    start = cpu_seconds(node.process.pid)
    wait_for(
        lambda: request.done() or cpu_seconds(node.process.pid) - start >= BUSY_CPU_SECONDS,
        f"the server busy with {what}",
        interval=0.01,
    )
    assert not request.done(), f"{what} finished before the kill: give it more work"
    node.kill()
    with pytest.raises(httpx.TransportError):
        request.result()


def audit_verifies(node: Node) -> None:
    result = node.cli("audit", "verify", ok=False)
    assert result.exit_code == 0, result.output


def record_count(node: Node, prefix: str) -> int:
    return int(node.scalar("SELECT count(*) FROM records WHERE id LIKE :p", p=f"%.{prefix}-%"))


def in_background(work: Callable[[], Any]) -> Future[Any]:
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(work)
    pool.shutdown(wait=False)
    return future


# An import ------------------------------------------------------------------------------
def import_file(node: Node, lines: list[str], name: str) -> httpx.Response:
    with httpx.Client(
        base_url=node.base_url,
        headers={"Authorization": f"Bearer {node.tokens['off.a']}"},
        trust_env=False,
        timeout=600.0,
    ) as api:
        return api.post(
            "/api/records/import",
            params={"envelope": json.dumps(ENVELOPE)},
            files={"file": (name, ("\n".join(lines) + "\n").encode(), "application/x-ndjson")},
        )


def test_an_import_killed_half_way_leaves_nothing_and_runs_again(restarted: Node) -> None:
    node = restarted
    lines = persons(40_000, prefix="imp")
    audit_lines = node.scalar("SELECT count(*) FROM audit_events")

    importing = in_background(lambda: import_file(node, lines, "harbour.jsonl"))
    assert node.process is not None
    helpers = wait_for(lambda: children(node.process.pid), "the import's checking process")
    kill_while_busy(node, importing, "the import")
    # The process that checked the file ends with the server instead of waiting forever.
    wait_for(lambda: not running(helpers), "the checking process to end with its server")

    # Before the restart: no record of the file, no audit line of it, and the log verifies.
    assert record_count(node, "imp") == 0
    assert node.scalar("SELECT count(*) FROM audit_events") == audit_lines
    audit_verifies(node)

    node.start()
    answer = import_file(node, lines, "harbour.jsonl")
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == len(lines)
    assert record_count(node, "imp") == len(lines)
    audit_verifies(node)


def import_job(node: Node, job_id: str) -> dict[str, Any]:
    with node.api("off.a") as api:
        answer = api.get(f"/api/imports/{job_id}")
    assert answer.status_code == 200, answer.text
    job: dict[str, Any] = answer.json()
    return job


def test_an_import_job_killed_while_writing_leaves_nothing(restarted: Node) -> None:
    """The background import commits its checking progress, then writes everything in one
    transaction: killed while writing, the node holds no record of the file, and at its
    next start the job reads failed and its upload is released."""
    node = restarted
    lines = persons(80_000, prefix="job")
    with node.api("off.a") as api:
        answer = api.post(
            "/api/imports/records",
            data={"envelope": json.dumps(ENVELOPE)},
            files={"file": ("port.jsonl", ("\n".join(lines) + "\n").encode(), "text/plain")},
        )
    assert answer.status_code == 202, answer.text
    job_id = str(answer.json()["id"])
    # Read from the database: on SQLite every API request waits while the import writes.
    wait_for(
        lambda: (
            node.scalar("SELECT stage FROM import_jobs WHERE id = :j", j=node.uid(job_id))
            == "writing"
        ),
        "the import job writing",
        timeout=300,
        interval=0.01,
    )
    assert node.process is not None
    start = cpu_seconds(node.process.pid)
    # Writing is the short part (the lines were parsed and checked before): a fraction of
    # a second of CPU into it, the one transaction has written thousands of rows.
    wait_for(
        lambda: cpu_seconds(node.process.pid) - start >= WRITING_CPU_SECONDS,
        "the import job into its writing",
        interval=0.002,
    )
    status = node.scalar("SELECT status FROM import_jobs WHERE id = :j", j=node.uid(job_id))
    assert status == "running", "the import ended before the kill"
    node.kill()
    assert record_count(node, "job") == 0

    node.start()
    job = import_job(node, job_id)
    assert job["status"] == "failed"
    assert "stopped while this job was queued or running" in job["error"]
    assert record_count(node, "job") == 0
    upload = node.scalar("SELECT upload FROM import_jobs WHERE id = :j", j=node.uid(job_id))
    assert upload is None
    audit_verifies(node)


# A linkage run --------------------------------------------------------------------------
def start_linkage(node: Node) -> str:
    with node.api(ANALYST) as api:
        answer = api.post("/api/link/runs", json={**PURPOSE, "scope": ["AG-L"]})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def linkage_run(node: Node, run_id: str) -> dict[str, Any]:
    with node.api(ANALYST) as api:
        answer = api.get(f"/api/link/runs/{run_id}")
    assert answer.status_code == 200, answer.text
    run: dict[str, Any] = answer.json()
    return run


def stored_pairs(node: Node, run_id: str) -> int:
    return int(node.scalar("SELECT count(*) FROM link_pairs WHERE run_id = :r", r=node.uid(run_id)))


def test_a_linkage_run_killed_half_way_fails_cleanly_and_runs_again(restarted: Node) -> None:
    node = restarted
    lines = persons(6_000, prefix="lnk", seed=11)
    source = node.root / "linkage.jsonl"
    source.write_text("\n".join(lines) + "\n")
    node.cli(
        "--as", "off.l", "import", "ftm", str(source), "--legal-basis", ENVELOPE["legal_basis"],
        "--subject-category", "suspect",
    )  # fmt: skip

    run_id = start_linkage(node)
    wait_for(lambda: linkage_run(node, run_id)["status"] == "running", "the linkage run to start")
    assert node.process is not None
    start = cpu_seconds(node.process.pid)
    wait_for(
        lambda: cpu_seconds(node.process.pid) - start >= BUSY_CPU_SECONDS,
        "the linkage run to be under way",
        interval=0.01,
    )
    assert linkage_run(node, run_id)["status"] == "running", "the run ended before the kill"
    node.kill()
    assert stored_pairs(node, run_id) == 0

    node.start()
    interrupted = linkage_run(node, run_id)
    assert interrupted["status"] == "failed"
    assert "stopped while this job was queued or running" in interrupted["error"]
    assert stored_pairs(node, run_id) == 0
    audit_verifies(node)

    again = start_linkage(node)
    done = wait_for(
        lambda: (run := linkage_run(node, again))["status"] in {"done", "failed"} and run,
        "the linkage run submitted again to end",
        timeout=300,
    )
    assert done["status"] == "done", done
    assert stored_pairs(node, again) > 0


# Audit appends under concurrent requests ------------------------------------------------
def test_every_answered_request_keeps_its_audit_line_through_a_kill(restarted: Node) -> None:
    """Four clients screen names as fast as the node answers (each screening writes its
    consultation to the audit log); the node is killed mid-stream. Every request that was
    answered has its audit line after the restart, and the log verifies."""
    node = restarted
    answered: set[str] = set()
    stop = threading.Event()

    def screen(client: int) -> None:
        with node.api("off.a") as api:
            n = 0
            while not stop.is_set():
                reason = f"crash drill {client}-{n}"
                try:
                    answer = api.post(
                        "/api/screen",
                        json={**PURPOSE, "justification": reason, "name": f"Ivan Petrov {n}"},
                    )
                except httpx.TransportError:
                    return
                assert answer.status_code == 200, answer.text
                answered.add(reason)
                n += 1

    with ThreadPoolExecutor(max_workers=4) as clients:
        running = [clients.submit(screen, c) for c in range(4)]
        wait_for(lambda: len(answered) >= 200, "200 screenings answered", interval=0.01)
        node.kill()
        stop.set()
        for client in running:
            client.result()

    logged = {
        json.loads(entry).get("justification")
        for (entry,) in node.rows(
            "SELECT entry FROM audit_events WHERE action = 'screening.search'"
        )
    }
    assert answered <= logged, sorted(answered - logged)[:5]
    audit_verifies(node)
    node.start()
    audit_verifies(node)
    with node.api("off.a") as api:
        assert api.post("/api/screen", json={**PURPOSE, "name": "After Restart"}).status_code == 200
