"""Benchmark of exchange and federation (issue 4), each figure beside a named comparison
measured in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/exchange.py messages --rate 200 --seconds 30 --repeat 3
    .venv/bin/python bench/exchange.py hits --records 1000000 --queries 1000 --repeat 3

`messages`: two real nodes (`palermo serve` on loopback, an SQLite database each, or the
PostgreSQL URLs given), peers of each other. A load generator sends sealed, signed messages
from agency AG-A on node A to agency AG-B on node B through A's API (bearer token) at a fixed
offered rate, and a separate process polls B's database for each message's row: end-to-end
latency is the moment the row is visible on B minus the moment the client meant to send it.
Beside it, the same load through a *plain pipeline*: two processes on the same stack
(FastAPI, uvicorn, SQLAlchemy, SQLite WAL, an httpx courier sending batches of 200) that
store and forward the same JSON, padded to the size of Palermo's envelope, with no
encryption, signatures, audit, receipts or policy; the runs alternate, Palermo first. A
micro-benchmark times the cryptography one message needs (HPKE seal x2 and open, Ed25519
signs and verifies, canonical JSON, key unsealing), so the gap between the two pipelines
can be split into crypto and the rest.

`hits`: node B holds `--records` synthetic persons (bench/watchlist.py, imported through
the same path as `palermo import ftm`; built once into `$PALERMO_BENCH_DIR/exchange/` and
copied for each run). A asks `/api/peers/hits` for queries half planted variants of listed
persons, half absent persons; the same queries go, one after the other, to B's
`/federation/hits` signed with A's node key (B's share of the round trip) and to B's local
`/api/screen` (the comparison).

`--profile DIR` samples both nodes with py-spy during the first Palermo repetition and
prints where their CPU goes. Figures go to stdout and, with `--json-out`, to a file.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, HTTPException, Request  # module level: the plain routes' types

sys.path.insert(0, str(Path(__file__).parent))

WORK = (
    Path(os.environ.get("PALERMO_BENCH_DIR", Path(tempfile.gettempdir()) / "palermo-bench"))
    / "exchange"
)
VENV_BIN = Path(sys.executable).parent
PALERMO = str(VENV_BIN / "palermo")
PASSWORD = "a long enough benchmark password"  # noqa: S105
PURPOSE = "criminal_investigation"
JUSTIFICATION = "benchmark of cross-node hit/no-hit"
GRACE = 30.0  # seconds after the schedule's end when unsent messages are given up
POLL_INTERVAL = 0.002  # seconds between two looks at B's table
PLAIN_BATCH = 200  # the plain courier's batch, as Palermo's outbox.BATCH


# Small helpers -------------------------------------------------------------------------
def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100) of unsorted values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU so far of a process (all its threads) and of its live descendants:
    a node served by `--workers N` answers in child processes."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:  # ended meanwhile
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = {int(c) for t in tasks for c in (t / "children").read_text().split()}
    return own + sum(cpu_seconds(child) for child in children)


def wall_clock() -> tuple[float, float]:
    """(time.time(), time.perf_counter()) taken together: perf readings become wall times
    comparable with the servers' timestamps, with perf_counter's resolution."""
    return time.time(), time.perf_counter()


def to_wall(origin: tuple[float, float], perf: float) -> float:
    return origin[0] + (perf - origin[1])


def ms(value: float) -> str:
    return f"{value * 1000:,.1f}"


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """Stop one process this benchmark started (by its pid), gracefully first."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def sqlite_path(url: str) -> str | None:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None


# Nodes ---------------------------------------------------------------------------------
@dataclass
class Node:
    """A Palermo node run as `palermo serve`, set up through the CLI as an operator would."""

    code: str
    agency: str
    country: str
    user: str
    port: int
    data_dir: Path
    database_url: str | None = None
    workers: int = 1  # `palermo serve --workers`
    token: str = ""
    public_key: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'palermo.sqlite3').resolve()}"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PALERMO_") or k == "PALERMO_BENCH_DIR"
        }
        env.update(
            PALERMO_DATA_DIR=str(self.data_dir),
            PALERMO_NODE_CODE=self.code,
            PALERMO_ARGON2_TIME_COST="1",
            PALERMO_ARGON2_MEMORY_KIB="64",
            PALERMO_OUTBOX_MAX_BACKOFF_SECONDS="2",
            # One sending officer offers hundreds of messages a second here: a gateway's
            # rate, which a deployment would grant it; the default limits would refuse it.
            PALERMO_RATE_LIMIT_USER_PER_MINUTE="0",
            PALERMO_RATE_LIMIT_AGENCY_PER_MINUTE="0",
        )
        if self.database_url:
            env["PALERMO_DATABASE_URL"] = self.database_url
        return env

    def cli(self, *args: str, user: str | None = None) -> str:
        command = [PALERMO, *(["--as", user] if user else []), *args]
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self) -> None:
        """A database at head, the agency, an officer, the node's URL and keys."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("db", "upgrade")
        self.cli(
            "agency",
            "add",
            self.agency,
            "--name",
            f"Agency {self.agency}",
            "--kind",
            "police",
            "--country",
            self.country,
        )
        self.cli(
            "user",
            "add",
            self.user,
            "--agency",
            self.agency,
            "--role",
            "officer",
            "--name",
            f"Officer {self.user}",
            "--password",
            PASSWORD,
        )
        self.cli("node", "init", "--url", self.url)

    def credentials(self) -> None:
        """A fresh API token for the officer, and the node's public key."""
        issued = json.loads(
            self.cli("token", "create", "--name", "bench", "--json", user=self.user)
        )
        self.token = issued["secret"]
        self.public_key = json.loads(self.cli("node", "show", "--json"))["public_key"]

    def start(self, log: Path) -> None:
        handle = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [PALERMO, "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        wait_http(f"{self.url}/healthz", 60)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def peer_with(self, other: Node) -> None:
        """Trust the other node's key and read its directory (it must be running)."""
        self.cli("node", "peer", "add", other.code, other.url, other.public_key)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def node_pair(
    base: Path, port: int, url_a: str | None, url_b: str | None, workers: int = 1
) -> tuple[Node, Node]:
    a = Node("NODE-A", "AG-A", "DE", "off.a", port, base / "A", url_a, workers)
    b = Node("NODE-B", "AG-B", "FR", "off.b", port + 1, base / "B", url_b, workers)
    return a, b


def federate(a: Node, b: Node, logs: Path) -> None:
    for node in (a, b):
        node.credentials()
    for node in (a, b):
        if node.process is None:
            node.start(logs / f"{node.code}.log")
    a.peer_with(b)
    b.peer_with(a)


# Watching B's table ---------------------------------------------------------------------
def _watch(url: str, table: str, stop: Any, pipe: Connection) -> None:
    """Poll `table` for new rows; send back {id hex: (first seen, received_at)} at the end."""
    seen: dict[str, tuple[float, float]] = {}
    path = sqlite_path(url)
    if path is not None:
        import sqlite3

        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        last = -1
        ready = False
        while not stop.is_set():
            rows = connection.execute(
                f"SELECT rowid, id, received_at FROM {table} WHERE rowid > ? ORDER BY rowid",  # noqa: S608
                (last,),
            ).fetchall()
            now = time.time()
            for rowid, rid, received in rows:
                last = rowid
                stamp = datetime.fromisoformat(received).replace(tzinfo=UTC).timestamp()
                seen[str(rid).replace("-", "")] = (now, stamp)
            if not ready:
                pipe.send("ready")
                ready = True
            time.sleep(POLL_INTERVAL)
        connection.close()
    else:
        import psycopg

        conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, autocommit=True) as connection:
            mark = datetime(1970, 1, 1, tzinfo=UTC)
            ready = False
            while not stop.is_set():
                rows = connection.execute(
                    f"SELECT id, received_at FROM {table} WHERE received_at > %s",  # noqa: S608
                    (mark,),
                ).fetchall()
                now = time.time()
                for rid, received in rows:
                    key = str(rid).replace("-", "")
                    if key not in seen:
                        seen[key] = (now, received.timestamp())
                if seen:
                    mark = datetime.fromtimestamp(max(s for _, s in seen.values()) - 10, UTC)
                if not ready:
                    pipe.send("ready")
                    ready = True
                time.sleep(POLL_INTERVAL)
    pipe.send(seen)
    pipe.close()


class Watcher:
    """A separate process that notes when each row of B's table becomes visible."""

    def __init__(self, url: str, table: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_watch, args=(url, table, self._stop, send), daemon=True
        )
        self.process.start()
        if not self._receive.poll(120) or self._receive.recv() != "ready":
            raise RuntimeError("the watcher of B's table did not start")

    def finish(self) -> dict[str, tuple[float, float]]:
        self._stop.set()
        seen: dict[str, tuple[float, float]] = self._receive.recv()
        self.process.join(timeout=30)
        return seen


def count_rows(url: str, sql: str) -> int:
    path = sqlite_path(url)
    if path is not None:
        import sqlite3

        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
            return int(c.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        row = connection.execute(sql).fetchone()
        return int(row[0]) if row else 0


# The load generator ---------------------------------------------------------------------
@dataclass
class Sent:
    number: int
    scheduled: float  # wall clock, seconds
    sent: float
    answered: float
    status: int
    id: str | None


class Poster:
    """One keep-alive connection, opened again after an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            self.connection.request("POST", path, body, headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise

    def __enter__(self) -> Poster:
        return self

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            self.connection.close()


def offered_load(
    url: str,
    headers: dict[str, str],
    bodies: Sequence[dict[str, Any]],
    rate: float,
    workers: int,
    grace: float = GRACE,
) -> list[Sent]:
    """Send bodies[i] at start + i/rate (open loop) from `workers` threads, each with its
    own keep-alive connection. A request that cannot start on time starts late, and the
    lag shows in the figures (latency counts from the scheduled time); one that could not
    start within `grace` seconds after the schedule's end is given up (status -1)."""
    results: list[Sent] = []
    lock = threading.Lock()
    counter = iter(range(len(bodies)))
    # The load generator shares the two cores with the nodes: http.client costs a third of
    # httpx's CPU a request (1.5 → ~0.5 ms of the generator's time a message). Bodies are
    # encoded before the clock starts.
    target = urlsplit(url)
    encoded = [json.dumps(body).encode() for body in bodies]
    sent_headers = {**headers, "Content-Type": "application/json"}
    clients = [Poster(target.hostname or "", target.port or 80) for _ in range(workers)]
    origin = wall_clock()
    start = origin[1] + 0.5
    give_up = start + len(bodies) / rate + grace

    def work(client: Poster) -> None:
        with client:
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                due = start + number / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                began = time.perf_counter()
                if began > give_up:
                    with lock:
                        results.append(Sent(number, to_wall(origin, due), 0.0, 0.0, -1, None))
                    continue
                try:
                    status, answer = client.post(target.path, encoded[number], sent_headers)
                    rid = json.loads(answer).get("id") if status < 300 else None
                except (OSError, http.client.HTTPException):
                    status, rid = 0, None
                ended = time.perf_counter()
                sent = Sent(
                    number,
                    to_wall(origin, due),
                    to_wall(origin, began),
                    to_wall(origin, ended),
                    status,
                    str(rid).replace("-", "") if rid else None,
                )
                with lock:
                    results.append(sent)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results, key=lambda s: s.number)


def message_bodies(count: int, body_bytes: int, tag: str) -> list[dict[str, Any]]:
    filler = ("Observed at the port of entry; vehicle and persons as listed. " * 200)[:body_bytes]
    return [
        {
            "recipients": ["AG-B"],
            "subject": f"{tag} {n:06d}: movement of a known courier",
            "body": filler,
            "priority": "routine",
            "handling_code": "H2",
            "tlp": "AMBER",
            "case_ref": "BENCH-2026/1",
        }
        for n in range(count)
    ]


@dataclass
class LoadFigures:
    name: str
    offered: float
    count: int
    accepted: int
    delivered: int
    send_rate: float
    delivery_rate: float
    e2e: list[float]  # seconds from scheduled send to visible on B
    e2e_sent: list[float]  # from the actual send
    received: list[float]  # B's received_at minus the actual send
    api: list[float]  # the POST's round trip at A
    lag: list[float]  # actual minus scheduled send
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per message
    errors: Counter[int] = field(default_factory=Counter)  # HTTP status (0 none, -1 unsent)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "offered_rate": self.offered,
            "messages": self.count,
            "accepted": self.accepted,
            "delivered": self.delivered,
            "send_rate": round(self.send_rate, 1),
            "delivery_rate": round(self.delivery_rate, 1),
            **{
                f"{what}_{q}_ms": round(pct(values, q) * 1000, 1)
                for what, values in (
                    ("e2e", self.e2e),
                    ("e2e_from_actual_send", self.e2e_sent),
                    ("received_at", self.received),
                    ("api", self.api),
                    ("send_lag", self.lag),
                )
                for q in (50, 95, 99)
            },
            "cpu_ms_per_message": {k: round(v * 1000, 2) for k, v in self.cpu.items()},
            "failed": {str(k): v for k, v in self.errors.items()},
        }

    def print(self) -> None:
        print(
            f"  {self.name}: offered {self.offered:.0f}/s, {self.accepted}/{self.count} accepted "
            f"at {self.send_rate:.1f}/s, {self.delivered} delivered at "
            f"{self.delivery_rate:.1f}/s"
            + (
                f"; not accepted (HTTP status: count; -1 given up): {dict(self.errors)}"
                if self.errors
                else ""
            )
        )
        for label, values in (
            ("end to end (scheduled send -> row visible on B)", self.e2e),
            ("end to end from the actual send", self.e2e_sent),
            ("B's received_at - actual send", self.received),
            ("POST round trip at A", self.api),
            ("client send lag", self.lag),
        ):
            print(
                f"    {label:50} p50 {ms(pct(values, 50)):>9} ms  p95 {ms(pct(values, 95)):>9} ms"
                f"  p99 {ms(pct(values, 99)):>9} ms  max {ms(max(values, default=0.0)):>9} ms"
            )
        cpu = ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in self.cpu.items())
        print(f"    CPU per message: {cpu}")


def run_load(
    name: str,
    url: str,
    headers: dict[str, str],
    bodies: Sequence[dict[str, Any]],
    rate: float,
    workers: int,
    watch: tuple[str, str],
    pids: dict[str, int],
    drain: float,
) -> LoadFigures:
    table = f"SELECT count(*) FROM {watch[1]}"  # noqa: S608
    rows_before = count_rows(watch[0], table)
    watcher = Watcher(*watch)  # returns once it has read the table
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    own_before = time.process_time()
    sent = offered_load(url, headers, bodies, rate, workers)
    wanted = {s.id for s in sent if s.id}
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline:
        if count_rows(watch[0], table) >= rows_before + len(wanted):
            break
        time.sleep(0.5)
    time.sleep(POLL_INTERVAL * 5)
    seen = watcher.finish()
    cpu = {k: (cpu_seconds(p) - before[k]) / max(len(wanted), 1) for k, p in pids.items()}
    cpu["load generator"] = (time.process_time() - own_before) / max(len(wanted), 1)
    accepted = [s for s in sent if s.id]
    delivered = [s for s in accepted if s.id in seen]
    first = min(s.scheduled for s in sent)
    last_answer = max(s.answered for s in accepted) if accepted else first
    last_seen = max((seen[s.id or ""][0] for s in delivered), default=first)
    return LoadFigures(
        name=name,
        offered=rate,
        count=len(bodies),
        accepted=len(accepted),
        delivered=len(delivered),
        send_rate=len(accepted) / max(last_answer - first, 1e-9),
        delivery_rate=len(delivered) / max(last_seen - first, 1e-9),
        e2e=[seen[s.id or ""][0] - s.scheduled for s in delivered],
        e2e_sent=[seen[s.id or ""][0] - s.sent for s in delivered],
        received=[seen[s.id or ""][1] - s.sent for s in delivered],
        api=[s.answered - s.sent for s in accepted],
        lag=[s.sent - s.scheduled for s in sent if s.status != -1],
        errors=Counter(s.status for s in sent if not s.id),
        cpu=cpu,
    )


# The plain pipeline ----------------------------------------------------------------------
def plain_node(role: str, port: int, database_url: str, peer_url: str, token: str) -> None:
    """A node of the plain pipeline: A stores the JSON and an outbox row in one transaction
    and a courier thread posts batches to B; B stores what arrives. Same server, database
    settings and courier shape as Palermo; no crypto, audit, receipts or policy."""
    import uvicorn
    from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, select, update

    from palermo.db import create_db_engine, session_factory, unit_of_work
    from palermo.models.base import UTCDateTime, utcnow

    metadata = MetaData()
    messages = Table(
        "bench_plain_messages",
        metadata,
        Column("id", String(32), primary_key=True),
        Column("body", JSON, nullable=False),
        Column("received_at", UTCDateTime(), nullable=False),
    )
    outbox = Table(
        "bench_plain_outbox",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("id", String(32), nullable=False, unique=True),
        Column("body", JSON, nullable=False),
        Column("status", String(16), nullable=False, index=True),
    )
    engine = create_db_engine(database_url)
    metadata.create_all(engine)
    sessions = session_factory(engine)
    app = FastAPI()
    wake = threading.Event()
    expected = f"Bearer {token}"

    @app.post("/send", status_code=201)
    def send(body: dict[str, Any], request: Request) -> dict[str, str]:
        if not secrets.compare_digest(request.headers.get("authorization", ""), expected):
            raise HTTPException(401)
        message_id, now = uuid.uuid4().hex, utcnow()
        with unit_of_work(sessions) as session:
            # Forwarded padded to the size of Palermo's envelope (the client says how much).
            forwarded = {**body, "pad": "p" * int(body.pop("pad_to", 0))}
            session.execute(messages.insert(), {"id": message_id, "body": body, "received_at": now})
            session.execute(
                outbox.insert(), {"id": message_id, "body": forwarded, "status": "pending"}
            )
        wake.set()
        return {"id": message_id}

    @app.post("/receive")
    def receive(body: dict[str, Any]) -> dict[str, Any]:
        items = body["items"]
        now = utcnow()
        with unit_of_work(sessions) as session:
            session.execute(
                messages.insert(),
                [{"id": i["id"], "body": i["body"], "received_at": now} for i in items],
            )
        return {"results": [{"id": i["id"], "outcome": "accepted"} for i in items]}

    def courier() -> None:
        client = httpx.Client(timeout=10)
        while True:
            with unit_of_work(sessions) as session:
                rows = session.execute(
                    select(outbox.c.id, outbox.c.body)
                    .where(outbox.c.status == "pending")
                    .order_by(outbox.c.seq)
                    .limit(PLAIN_BATCH)
                ).all()
            if rows:
                items = [{"id": rid, "body": body} for rid, body in rows]
                try:
                    client.post(f"{peer_url}/receive", json={"items": items}).raise_for_status()
                except httpx.HTTPError:
                    time.sleep(1)
                    continue
                with unit_of_work(sessions) as session:
                    session.execute(
                        update(outbox)
                        .where(outbox.c.id.in_([r for r, _ in rows]))
                        .values(status="delivered")
                    )
                if len(rows) >= PLAIN_BATCH:
                    continue
            wake.wait(5)
            wake.clear()

    if role == "a":
        threading.Thread(target=courier, name="plain-courier", daemon=True).start()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


@dataclass
class PlainPair:
    base: Path
    port: int
    url_a: str | None
    url_b: str | None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def db(self, role: str) -> str:
        given = self.url_a if role == "a" else self.url_b
        return given or f"sqlite:///{(self.base / f'plain-{role}.sqlite3').resolve()}"

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        for role, port in (("b", self.port + 1), ("a", self.port)):
            handle = (self.base / f"plain-{role}.log").open("ab")
            self.processes[role] = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "plain-node",
                    role,
                    str(port),
                    self.db(role),
                    f"http://127.0.0.1:{self.port + 1}",
                    self.token,
                ],
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            handle.close()
            wait_http(f"http://127.0.0.1:{port}/docs", 60)

    def stop(self) -> None:
        for process in self.processes.values():
            stop_process(process)
        self.processes.clear()


# Crypto per message ------------------------------------------------------------------------
def crypto_per_message(body_bytes: int, rounds: int = 2000) -> dict[str, float]:
    """The cryptography of one message, timed in this process with Palermo's own functions:
    at A (send + the sender's view of it) and at B (receive). Seconds per message."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from palermo.exchange import crypto, envelopes
    from palermo.identity.keys import NodeKey
    from palermo.models.base import utcnow

    sealer = crypto.KeySealer("bench secret key of some length, 32+")
    enc_a_pub, enc_a = crypto.new_encryption_key()
    enc_b_pub, _ = crypto.new_encryption_key()
    sign_pub, sign_a = crypto.new_signing_key()
    sealed_sign = sealer.seal("kid-s", sign_a)
    sealed_enc = sealer.seal("kid-e", enc_a)
    node_a = NodeKey(Ed25519PrivateKey.generate())
    node_a_pub = node_a.public_bytes
    content = {
        "subject": "x" * 40,
        "body": "y" * body_bytes,
        "payload": [],
        "attachments": [],
        "references": [],
    }

    def at_a() -> dict[str, Any]:
        message_id = str(uuid.uuid4())
        plain = crypto.canonical(content)
        copies = {
            code: crypto.seal_for(pub, plain, f"{message_id}|{code}")
            for code, pub in (("AG-A", enc_a_pub), ("AG-B", enc_b_pub))
        }
        header = {
            "id": message_id,
            "sent_at": utcnow().isoformat(),
            "copies": {
                c: {"kid": "k", "sha256": crypto.sha256_hex(ct)} for c, ct in copies.items()
            },
        }
        signature = crypto.sign(sealer.open("kid-s", sealed_sign), crypto.canonical(header))
        body = {
            "header": header,
            "signature": crypto.b64(signature),
            "copies": {"AG-B": crypto.b64(copies["AG-B"])},
            "blobs": {},
        }
        envelope = envelopes.build(
            node_a, kind="message", sender="NODE-A", receiver="NODE-B", body=body, now=utcnow()
        )
        # The sender's view returned by POST /api/messages: open its copy, check the signature.
        private = crypto.opening_key(sealer.open("kid-e", sealed_enc))
        json.loads(crypto.open_sealed(private, copies["AG-A"], f"{message_id}|AG-A"))
        crypto.verify(sign_pub, signature, crypto.canonical(header))
        crypto.sha256_hex(copies["AG-A"])
        return envelope

    def at_b(envelope: dict[str, Any]) -> None:
        unsigned = {k: v for k, v in envelope.items() if k != "signature"}
        crypto.verify(
            node_a_pub, crypto.unb64(envelope["signature"], "s"), crypto.canonical(unsigned)
        )
        envelopes.digest(envelope)
        body = envelope["body"]
        crypto.verify(
            sign_pub, crypto.unb64(body["signature"], "s"), crypto.canonical(body["header"])
        )
        copy = crypto.unb64(body["copies"]["AG-B"], "c")
        crypto.sha256_hex(copy)

    samples_a, samples_b = [], []
    for _ in range(5):
        made = []
        began = time.perf_counter()
        for _ in range(rounds // 5):
            made.append(at_a())
        samples_a.append((time.perf_counter() - began) / len(made))
        began = time.perf_counter()
        for envelope in made:
            at_b(envelope)
        samples_b.append((time.perf_counter() - began) / len(made))
    return {"A": statistics.median(samples_a), "B": statistics.median(samples_b)}


# Profiles ---------------------------------------------------------------------------------
CATEGORIES = (
    ("crypto (cryptography, palermo.exchange.crypto)", ("cryptography/", "exchange/crypto.py")),
    (
        "SQL statements in the driver",
        (
            "do_execute (",
            "do_executemany (",
            "_exec_single",
            "do_commit (",
            "do_begin",
            "_sqlite_writers.<locals>.begin",
            "do_rollback",
            "execute (sqlite3",
            "fetch_rows",
            "insert_rows",
            "stream_rows",
        ),
    ),
    ("JSON encode/decode", ("json/",)),
    ("logging", ("logging/",)),
    ("HTTP client (httpx, httpcore)", ("httpx/", "httpcore/", "h11/_connection")),
    ("HTTP server (uvicorn, h11, starlette, anyio)", ("uvicorn/", "h11/", "starlette/", "anyio/")),
    ("pydantic, FastAPI", ("pydantic", "fastapi/")),
    ("SQLAlchemy (ORM, compiler, types)", ("sqlalchemy/",)),
    ("palermo (other)", ("palermo/",)),
)


# Frames every sample shares (threads, the event loop, the CLI): left out of the listing.
GENERIC = (
    "threading.py",
    "typer/",
    "asyncio/",
    "uvicorn/main.py",
    "uvicorn/server.py",
    "palermo/cli.py",
    "palermo/console.py",
    "palermo/serve.py",
    "<module>",
    "anyio/_backends",
    "uvicorn/_compat.py",
)


def _category(frames: Sequence[str]) -> str:
    for frame in reversed(frames):
        for name, needles in CATEGORIES:
            if any(n in frame for n in needles):
                return name
    return "other (interpreter, threading, stdlib)"


def summarize_profile(path: Path, top: int = 30) -> dict[str, Any]:
    """Leaf-first categories and inclusive shares by function, from py-spy's raw output."""
    inclusive: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        total += count
        categories[_category(frames)] += count
        labels = set()
        for frame in frames:
            name, _, where = frame.partition(" (")
            where = where.rsplit(":", 1)[0]
            short = where.split("site-packages/")[-1].split("src/")[-1]
            labels.add(f"{name} ({short})")
        for label in labels:
            if not any(g in label for g in GENERIC):
                inclusive[label] += count
    return {
        "samples": total,
        "categories": {k: round(v / total, 3) for k, v in categories.most_common()}
        if total
        else {},
        "inclusive": {k: round(v / total, 3) for k, v in inclusive.most_common(top)}
        if total
        else {},
    }


class Profiler:
    """py-spy sampling the given processes: the thread holding the GIL (where the Python
    CPU goes), or with `idle` every thread, waiting ones too (where the wall time goes)."""

    def __init__(self, directory: Path, pids: dict[str, int], seconds: int, idle: bool) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.outputs = {name: directory / f"{name}.txt" for name in pids}
        spy = str(VENV_BIN / "py-spy")
        self.processes = [
            subprocess.Popen(  # noqa: S603
                [
                    spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    "200",
                    "--duration",
                    str(seconds),
                    "--format",
                    "raw",
                    "--output",
                    str(self.outputs[name]),
                    "--nonblocking",
                    "--subprocesses",  # a node's worker processes (`--serve-workers`)
                    *(["--idle"] if idle else ["--gil"]),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, pid in pids.items()
        ]

    def finish(self) -> dict[str, dict[str, Any]]:
        for process in self.processes:
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                stop_process(process)  # type: ignore[arg-type]
        found = {}
        for name, output in self.outputs.items():
            if output.exists():
                found[name] = summarize_profile(output)
        return found


def print_profile(profiles: dict[str, dict[str, Any]]) -> None:
    for name, summary in profiles.items():
        print(f"  profile of {name} ({summary['samples']} samples):")
        for label, share in summary["categories"].items():
            print(f"    {share:6.1%}  {label}")
        print("    inclusive, by function:")
        for label, share in summary["inclusive"].items():
            print(f"    {share:6.1%}  {label}")


# messages ----------------------------------------------------------------------------------
def bench_messages(args: argparse.Namespace) -> dict[str, Any]:
    base = WORK / "messages"
    if base.exists() and not (args.database_a or args.database_b):
        shutil.rmtree(base)
    base.mkdir(parents=True, exist_ok=True)
    count = int(args.rate * args.seconds)
    a, b = node_pair(base, args.port, args.database_a, args.database_b, args.serve_workers)
    plain = PlainPair(base, args.port + 10, args.database_a, args.database_b)
    results: dict[str, Any] = {"runs": []}
    try:
        for node in (a, b):
            node.prepare()
        federate(a, b, base)
        plain.start()
        print(f"nodes A {a.url} and B {b.url} federated; plain pipeline on {plain.port}")

        crypto = crypto_per_message(args.body_bytes)
        print(
            f"crypto per message, this process (median of 5 x 400): at A {ms(crypto['A'])} ms, "
            f"at B {ms(crypto['B'])} ms = {(crypto['A'] + crypto['B']) * args.rate:.2f} "
            f"cores at {args.rate:.0f} msg/s"
        )
        results["crypto_ms"] = {k: round(v * 1000, 3) for k, v in crypto.items()}

        watch_palermo = (b.db_url, "messages")
        watch_plain = (plain.db("b"), "bench_plain_messages")
        palermo_pids = {"node A": a.pid, "node B": b.pid}
        plain_pids = {"plain A": plain.processes["a"].pid, "plain B": plain.processes["b"].pid}
        send_url = f"{a.url}/api/messages"
        plain_url = f"http://127.0.0.1:{plain.port}/send"
        plain_headers = {"Authorization": f"Bearer {plain.token}"}

        # Warm-up at a quarter of the rate: connections, lazy imports, caches, the indexes.
        warm = message_bodies(max(100, count // 20), args.body_bytes, "warm-up")
        run_load(
            "warm-up",
            send_url,
            a.headers(),
            warm,
            args.rate / 4,
            args.workers,
            watch_palermo,
            palermo_pids,
            args.drain,
        )
        envelope = count_rows(
            a.db_url,
            "SELECT max(length(CAST(envelope AS TEXT))) FROM outbox_items",
        )
        pad = max(0, envelope - len(json.dumps(warm[0])))
        print(f"Palermo's envelope is {envelope:,} bytes of JSON: the plain items are padded to it")
        plain_body = [{**m, "pad_to": pad} for m in warm]
        run_load(
            "warm-up",
            plain_url,
            plain_headers,
            plain_body,
            args.rate / 4,
            args.workers,
            watch_plain,
            plain_pids,
            args.drain,
        )

        for rep in range(args.repeat):
            bodies = message_bodies(count, args.body_bytes, f"run {rep}")
            profiler = None
            if args.profile and rep == 0:
                profiler = Profiler(
                    Path(args.profile) / "messages", palermo_pids, int(args.seconds), args.idle
                )
            figures = run_load(
                "Palermo",
                send_url,
                a.headers(),
                bodies,
                args.rate,
                args.workers,
                watch_palermo,
                palermo_pids,
                args.drain,
            )
            print(f"repetition {rep + 1}:")
            figures.print()
            if profiler is not None:
                results["profile"] = profiler.finish()
                print_profile(results["profile"])
            plain_bodies = [{**m, "pad_to": pad} for m in bodies]
            baseline = run_load(
                "plain",
                plain_url,
                plain_headers,
                plain_bodies,
                args.rate,
                args.workers,
                watch_plain,
                plain_pids,
                args.drain,
            )
            baseline.print()
            results["runs"].append({"palermo": figures.summary(), "plain": baseline.summary()})
        if args.steps:
            results["steps"] = rate_steps(
                args,
                a,
                send_url,
                plain_url,
                plain_headers,
                pad,
                (watch_palermo, palermo_pids),
                (watch_plain, plain_pids),
            )
        outbox = count_rows(
            a.db_url, "SELECT count(*) FROM outbox_items WHERE status <> 'delivered'"
        )
        print(f"outbox items of A not delivered at the end: {outbox}")
        medians(results["runs"])
    finally:
        a.stop()
        b.stop()
        plain.stop()
    return results


def rate_steps(
    args: argparse.Namespace,
    a: Node,
    send_url: str,
    plain_url: str,
    plain_headers: dict[str, str],
    pad: int,
    palermo: tuple[tuple[str, str], dict[str, int]],
    plain: tuple[tuple[str, str], dict[str, int]],
) -> list[dict[str, Any]]:
    """Shorter runs at each of `--steps` rates: where each pipeline stops keeping up."""
    steps = []
    print(f"rate steps, {args.step_seconds:.0f} s each (e2e from the scheduled send):")
    for rate in (float(r) for r in args.steps.split(",")):
        bodies = message_bodies(int(rate * args.step_seconds), args.body_bytes, f"step {rate}")
        row = {}
        for name, url, headers, watched, extra in (
            ("Palermo", send_url, a.headers(), palermo, {}),
            ("plain", plain_url, plain_headers, plain, {"pad_to": pad}),
        ):
            figures = run_load(
                name,
                url,
                headers,
                [{**b, **extra} for b in bodies],
                rate,
                args.workers,
                watched[0],
                watched[1],
                args.drain,
            )
            row[name] = figures.summary()
            print(
                f"  {name:8} offered {rate:5.0f}/s: delivered {figures.delivered}/{len(bodies)} "
                f"at {figures.delivery_rate:6.1f}/s, e2e p50 {ms(pct(figures.e2e, 50))} ms, "
                f"p95 {ms(pct(figures.e2e, 95))} ms, p99 {ms(pct(figures.e2e, 99))} ms; CPU/msg "
                + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in figures.cpu.items())
            )
        steps.append({"rate": rate, **row})
    return steps


def medians(runs: list[dict[str, Any]]) -> None:
    if not runs:
        return
    print(f"medians of {len(runs)} repetitions (and Palermo/plain ratio, pair by pair):")
    keys = ["delivery_rate", "send_rate", "e2e_50_ms", "e2e_95_ms", "e2e_99_ms", "api_95_ms"]
    for key in keys:
        ours = statistics.median(r["palermo"][key] for r in runs)
        theirs = statistics.median(r["plain"][key] for r in runs)
        ratio = statistics.median(
            r["palermo"][key] / r["plain"][key] if r["plain"][key] else float("nan") for r in runs
        )
        print(f"  {key:16} Palermo {ours:10,.1f}   plain {theirs:10,.1f}   ratio {ratio:6.2f}")
    for who in ("palermo", "plain"):
        cpu: dict[str, list[float]] = defaultdict(list)
        for r in runs:
            for k, v in r[who]["cpu_ms_per_message"].items():
                cpu[k].append(v)
        text = ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in cpu.items())
        print(f"  CPU ms per message ({who}): {text}")


# hits -----------------------------------------------------------------------------------------
def person_entity(person: Any) -> dict[str, Any]:
    properties: dict[str, list[str]] = {
        "name": person.listed_names(),
        "birthDate": [person.birth_date],
        "nationality": [person.nationality],
        "gender": [person.gender],
    }
    if person.passport:
        properties["passportNumber"] = [person.passport]
    return {"id": person.id, "schema": "Person", "properties": properties}


def build_records(node: Node, records: int, cache: Path) -> None:
    """B's database with `records` persons, and the queries, written once into `cache`."""
    from watchlist import queries, watch_list

    from palermo.db import create_db_engine, session_factory, unit_of_work
    from palermo.errors import Invalid
    from palermo.identity.principal import operator_principal
    from palermo.models.base import utcnow
    from palermo.records import transfer
    from palermo.records.schemas import EnvelopeIn, ShareIn
    from palermo.settings import Settings

    started = time.perf_counter()
    node.prepare()
    pools, people = watch_list(records)
    lines = cache / "persons.jsonl"
    with lines.open("w", encoding="utf-8") as handle:
        for person in people:
            handle.write(json.dumps(person_entity(person), ensure_ascii=False) + "\n")
    planted_and_absent = queries(pools, people, 20_000)
    (cache / "queries.json").write_text(
        json.dumps(
            [
                {
                    "name": q.name,
                    "birth_date": q.birth_date,
                    "nationality": q.nationality,
                    "kind": q.kind,
                    "target": q.target,
                }
                for q in planted_and_absent
            ],
            ensure_ascii=False,
        )
    )
    del people, pools, planted_and_absent
    print(
        f"  {records:,} persons and 20,000 queries written in {time.perf_counter() - started:.0f} s"
    )
    settings = Settings(
        data_dir=node.data_dir,
        database_url=node.db_url,
        node_code=node.code,
        argon2_time_cost=1,
        argon2_memory_kib=64,
    )
    engine = create_db_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    from sqlalchemy import select

    from palermo.models.identity import Agency

    with unit_of_work(sessions) as session:
        hosted = operator_principal(frozenset(session.scalars(select(Agency.id))))
    envelope = EnvelopeIn(
        subject_category="suspect",
        legal_basis="benchmark",
        offences=["0601"],
        shares=[ShareIn(scope="country", country="DE")],  # node A's agency is German
    )
    began = time.perf_counter()
    try:
        with unit_of_work(sessions) as session:
            report = transfer.import_ftm(
                session,
                principal=hosted,
                settings=settings,
                lines=lambda: lines.open(encoding="utf-8"),
                envelope=envelope,
                owner_code=node.agency,
                origin="bench",
                now=utcnow(),
            )
    except Invalid as error:
        raise SystemExit(f"import failed: {error.message} {error.details[:3]}") from None
    engine.dispose()
    lines.unlink()
    took = time.perf_counter() - began
    print(f"  imported {report.created:,} persons in {took:.0f} s ({report.created / took:,.0f}/s)")
    (cache / "ready.json").write_text(
        json.dumps({"records": report.created, "import_seconds": round(took)})
    )


@dataclass
class Timed:
    seconds: float
    outcome: str


def bench_hits(args: argparse.Namespace) -> dict[str, Any]:
    from palermo.exchange import envelopes
    from palermo.identity.keys import load_or_create_node_key
    from palermo.models.base import utcnow
    from palermo.settings import Settings

    cache = WORK / f"hits-{args.records}"
    base = WORK / "hits-run"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    a, b = node_pair(base, args.port + 20, args.database_a, args.database_b)
    if args.database_b:  # PostgreSQL: an empty database, built on every run
        cache.mkdir(parents=True, exist_ok=True)
        print(f"building B: {args.records:,} persons into {args.database_b}")
        build_records(b, args.records, cache)
    else:
        built = Node(b.code, b.agency, b.country, b.user, b.port, cache / "B")
        if not (cache / "ready.json").exists():
            if cache.exists():
                shutil.rmtree(cache)
            cache.mkdir(parents=True)
            print(f"building B's database: {args.records:,} persons into {cache} (once)")
            build_records(built, args.records, cache)
        began = time.perf_counter()
        shutil.copytree(cache / "B", b.data_dir)
        print(f"B's database copied from {cache} in {time.perf_counter() - began:.0f} s")
    if args.build_only:
        return {}
    qs = json.loads((cache / "queries.json").read_text())
    half = args.queries // 2
    known = [q for q in qs if q["kind"] != "absent"]
    unknown = [q for q in qs if q["kind"] == "absent"]
    chosen = known[:half] + unknown[: args.queries - half]
    warm = known[-25:] + unknown[-25:]
    results: dict[str, Any] = {"runs": []}
    try:
        a.prepare()
        for node in (a, b):
            node.credentials()
        began = time.perf_counter()
        b.start(base / "B.log")
        # The index is built from the database at start, in a write transaction that makes
        # other requests wait (and fail after SQLite's 30 s busy timeout): retry until served.
        failures = 0
        while True:
            try:
                answer = httpx.post(
                    f"{b.url}/api/screen",
                    headers=b.headers(),
                    json={"name": "warm up", "purpose": PURPOSE, "justification": JUSTIFICATION},
                    timeout=600,
                )
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            failures += 1
            if time.perf_counter() - began > 3600:
                raise TimeoutError("B's screening did not answer within an hour")
            time.sleep(2)
        print(
            f"B up with its screening index in {time.perf_counter() - began:.0f} s "
            f"({failures} screening requests failed meanwhile)"
        )
        a.start(base / "A.log")
        a.peer_with(b)
        b.peer_with(a)
        key_a = load_or_create_node_key(Settings(data_dir=a.data_dir))
        client = httpx.Client(timeout=60)

        def via_a(q: dict[str, Any]) -> Timed:
            body = {
                "name": q["name"],
                "birth_date": q["birth_date"],
                "nationality": q["nationality"],
                "purpose": PURPOSE,
                "justification": JUSTIFICATION,
            }
            began = time.perf_counter()
            response = client.post(f"{a.url}/api/peers/hits", headers=a.headers(), json=body)
            took = time.perf_counter() - began
            response.raise_for_status()
            answers = response.json()
            return Timed(took, answers[0]["outcome"] if answers else "none")

        def federation_direct(q: dict[str, Any]) -> Timed:
            query = {k: q[k] for k in ("name", "birth_date", "nationality") if q[k]}
            body = {
                "agency": a.agency,
                "purpose": PURPOSE,
                "justification": JUSTIFICATION,
                "query": query,
            }
            began = time.perf_counter()
            envelope = envelopes.build(
                key_a, kind="hit_query", sender=a.code, receiver=b.code, body=body, now=utcnow()
            )
            response = client.post(f"{b.url}/federation/hits", json=envelope)
            took = time.perf_counter() - began
            response.raise_for_status()
            return Timed(took, str(response.json().get("outcome")))

        def local_screen(q: dict[str, Any]) -> Timed:
            body = {
                "name": q["name"],
                "birth_date": q["birth_date"],
                "nationality": q["nationality"],
                "purpose": PURPOSE,
                "justification": JUSTIFICATION,
            }
            began = time.perf_counter()
            response = client.post(f"{b.url}/api/screen", headers=b.headers(), json=body)
            took = time.perf_counter() - began
            response.raise_for_status()
            alert = any(h["alert"] for h in response.json()["hits"])
            return Timed(took, "hit" if alert else "no_hit")

        for q in warm:
            via_a(q), federation_direct(q), local_screen(q)
        pids = {"node A": a.pid, "node B": b.pid}
        for rep in range(args.repeat):
            profiler = None
            if args.profile and rep == 0:
                profiler = Profiler(Path(args.profile) / "hits", pids, 30, args.idle)
            timings: dict[str, list[Timed]] = defaultdict(list)
            before = {k: cpu_seconds(p) for k, p in pids.items()}
            for q in chosen:
                timings["A /api/peers/hits (round trip)"].append(via_a(q))
                timings["B /federation/hits, signed by A's key"].append(federation_direct(q))
                timings["B /api/screen, B's officer"].append(local_screen(q))
            cpu = {k: (cpu_seconds(p) - before[k]) / len(chosen) for k, p in pids.items()}
            run = hits_run(chosen, timings, cpu)
            print(f"repetition {rep + 1} ({len(chosen)} queries of each kind, interleaved):")
            for line in run.pop("lines"):
                print(line)
            results["runs"].append(run)
            if profiler is not None:
                results["profile"] = profiler.finish()
                print_profile(results["profile"])
        client.close()
        print(f"medians of {args.repeat} repetitions:")
        for what in results["runs"][0]["latency"]:
            p50 = statistics.median(r["latency"][what]["p50_ms"] for r in results["runs"])
            p95 = statistics.median(r["latency"][what]["p95_ms"] for r in results["runs"])
            print(f"  {what:42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        ratio = statistics.median(r["ratio_p95"] for r in results["runs"])
        print(f"  p95 ratio round trip via A / local screen on B: {ratio:.2f}")
    finally:
        a.stop()
        b.stop()
    return results


def hits_run(
    chosen: list[dict[str, Any]], timings: dict[str, list[Timed]], cpu: dict[str, float]
) -> dict[str, Any]:
    lines = []
    latency = {}
    for what, values in timings.items():
        seconds = [t.seconds for t in values]
        latency[what] = {
            "p50_ms": round(pct(seconds, 50) * 1000, 2),
            "p95_ms": round(pct(seconds, 95) * 1000, 2),
            "p99_ms": round(pct(seconds, 99) * 1000, 2),
        }
        by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        for q, t in zip(chosen, values, strict=True):
            by_kind["known" if q["kind"] != "absent" else "unknown"][t.outcome] += 1
        outcomes = "; ".join(f"{k}: {dict(v)}" for k, v in sorted(by_kind.items()))
        lines.append(
            f"  {what:42} p50 {ms(pct(seconds, 50)):>7} ms  p95 {ms(pct(seconds, 95)):>7} ms  "
            f"p99 {ms(pct(seconds, 99)):>7} ms   {outcomes}"
        )
    names = list(timings)
    ratio = latency[names[0]]["p95_ms"] / latency[names[2]]["p95_ms"]
    lines.append(f"  p95 ratio round trip via A / local screen on B: {ratio:.2f}")
    lines.append("  CPU per query: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in cpu.items()))
    return {"latency": latency, "ratio_p95": round(ratio, 3), "cpu_ms": cpu, "lines": lines}


# main --------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("messages", "hits"):
        p = sub.add_parser(name)
        p.add_argument("--repeat", type=int, default=3)
        p.add_argument("--database-a", help="node A's SQLAlchemy URL (default: SQLite file)")
        p.add_argument("--database-b", help="node B's SQLAlchemy URL (an empty database)")
        p.add_argument("--port", type=int, default=8711, help="first of the ports used")
        p.add_argument("--profile", help="a directory: py-spy both nodes in repetition 1")
        p.add_argument("--serve-workers", type=int, default=1, help="palermo serve --workers")
        p.add_argument("--idle", action="store_true", help="profile all threads, not the GIL's")
        p.add_argument("--json-out", help="write the figures to this file as JSON")
    p = sub.choices["messages"]
    p.add_argument("--rate", type=float, default=200.0, help="offered messages per second")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--workers", type=int, default=64, help="client threads")
    p.add_argument("--body-bytes", type=int, default=1000)
    p.add_argument("--drain", type=float, default=180.0, help="seconds to wait for delivery")
    p.add_argument("--steps", default="", help="also run these rates, e.g. 25,50,100,150")
    p.add_argument("--step-seconds", type=float, default=10.0)
    p = sub.choices["hits"]
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--build-only", action="store_true", help="build B's database, then stop")
    p = sub.add_parser("plain-node", help="(internal) one process of the plain pipeline")
    p.add_argument("role", choices=("a", "b"))
    p.add_argument("port", type=int)
    p.add_argument("database_url")
    p.add_argument("peer_url")
    p.add_argument("token")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    if args.command == "plain-node":
        plain_node(args.role, args.port, args.database_url, args.peer_url, args.token)
        return
    results = bench_messages(args) if args.command == "messages" else bench_hits(args)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
