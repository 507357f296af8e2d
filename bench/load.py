"""Load test of a real node (issue 14): throughput and latency of the main read and write
paths, and a soak run that watches errors and memory.

    apt-get install wrk            # Debian's wrk 4 (C, event loop; a fraction of a core)
    .venv/bin/python bench/load.py --workers 2 --seconds 30
    .venv/bin/python bench/load.py --workers 2 --soak 600 --only soak
    .venv/bin/python bench/load.py --postgresql postgresql+psycopg://postgres@127.0.0.1/test

The node is the demo world (`palermo demo --no-serve`, about 20 s) in a fresh data directory,
served by `palermo serve --workers N` on loopback, with an SQLite file (default) or a fresh
PostgreSQL database created on the given server and dropped afterwards. wrk drives it with
`--connections` keep-alive connections from one thread; each request is signed with the API
token of one of up to 24 demo officers of different agencies, taken in turn. Rate limits
are switched off for the run: they bound one account or one agency, while this measures
the node (tests/security cover the limits).

After 15 s of the soak mix (every worker builds its screening index), scenarios, each
`--seconds` long after a 5 s warm-up of its own:
- `healthz`: the comparison — the same server stack (uvicorn, Starlette, the middlewares)
  answering without authentication, database or audit.
- `screen`: POST /api/screen, one name (of a demo person, or made up) per request.
- `record`: GET /api/records/{id} of a record the officer may fully see (consultation with
  purpose and justification, audited).
- `inbox`: GET /api/messages (the officer's agency's last 20).
- `send`: POST /api/messages to another agency of the node.
- `import`: POST /api/records/import, 20 FtM persons a request (all or nothing, audited).
- `soak`: the mix of an officer's day (45 % screen, 35 % record, 15 % inbox, 5 % send) for
  `--soak` seconds, the resident memory of every server process sampled every 10 s.

Figures: requests/s, p50/p95/p99 latency, non-2xx answers and socket errors, and the
server's CPU milliseconds per request (all its processes). With `--json-out`, to a file.
`--home DIR` keeps the node's data directory for the next run (no 3-minute demo build);
`--profile DIR` samples every server process with py-spy during each scenario (pip install
-e '.[bench]') and prints where the CPU went.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from exchange import Profiler, print_profile  # bench/, beside this file

PALERMO = str(Path(sys.executable).parent / "palermo")
WRK = shutil.which("wrk")
PURPOSE = {"X-Purpose": "criminal_investigation", "X-Justification": "load test, run 1"}
MIX = {"screen": 45, "record": 35, "inbox": 15, "send": 5}
SCENARIOS = ("healthz", "screen", "record", "inbox", "send", "import", "soak")
WARM_UP_SECONDS = 5
RSS_EVERY_SECONDS = 10
MAX_OFFICERS = 24
IMPORT_ENVELOPE = {"subject_category": "suspect", "legal_basis": "Load test, s. 1"}

# wrk's Lua side: requests from tables this script fills in, one officer after the other;
# `done` prints the figures as one JSON line (latencies in microseconds).
LUA = r"""
local requests = {}
local counter = 0
local tag = ""
local data = DATA

function setup(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end

local function pick(list) return list[math.random(1, #list)] end

local function officer()
  counter = counter + 1
  return data.officers[(counter % #data.officers) + 1]
end

local builders = {}
builders.healthz = function()
  return wrk.format("GET", "/healthz")
end
builders.screen = function()
  local o = officer()
  local body = '{"name": "' .. pick(data.names) .. '", "purpose": "criminal_investigation", '
    .. '"justification": "load test, run 1"}'
  return wrk.format("POST", "/api/screen", {["Authorization"] = "Bearer " .. o.token,
    ["Content-Type"] = "application/json"}, body)
end
builders.record = function()
  local o = officer()
  return wrk.format("GET", "/api/records/" .. pick(o.records), {
    ["Authorization"] = "Bearer " .. o.token, ["X-Purpose"] = data.purpose,
    ["X-Justification"] = data.justification})
end
builders.inbox = function()
  local o = officer()
  return wrk.format("GET", "/api/messages?limit=20", {["Authorization"] = "Bearer " .. o.token})
end
builders.send = function()
  local o = officer()
  local body = '{"recipients": ["' .. o.peer .. '"], "subject": "Load test ' .. counter
    .. '", "body": "' .. data.text .. '", "tlp": "AMBER", "handling_code": "H1"}'
  return wrk.format("POST", "/api/messages", {["Authorization"] = "Bearer " .. o.token,
    ["Content-Type"] = "application/json"}, body)
end
builders.import = function()
  local o = officer()
  local lines = {}
  for i = 1, 20 do
    lines[i] = '{"id": "load-' .. tag .. '-' .. counter .. '-' .. i .. '", "schema": "Person", '
      .. '"properties": {"name": ["' .. pick(data.names) .. '"], "birthDate": ["1971-03-0'
      .. (i % 9 + 1) .. '"]}}'
  end
  local boundary = "palermo-load-boundary"
  local body = "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="file"; filename="load.jsonl"\r\n'
    .. "Content-Type: application/x-ndjson\r\n\r\n" .. table.concat(lines, "\n") .. "\n\r\n"
    .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/records/import?envelope=" .. data.envelope, {
    ["Authorization"] = "Bearer " .. o.token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary}, body)
end

local weighted = {}
for name, weight in pairs(data.mix) do
  for _ = 1, weight do weighted[#weighted + 1] = builders[name] end
end

function request()
  return pick(weighted)()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write("FIGURES " .. string.format(
    '{"requests": %d, "seconds": %.3f, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Officer:
    username: str
    agency: str
    token: str
    records: list[str]
    peer: str


def lua_literal(value: Any) -> str:
    """A Lua table literal of JSON-like data (LuaJIT, Lua 5.1: strings in decimal escapes
    beyond printable ASCII)."""
    if isinstance(value, dict):
        items = ", ".join(f"[{lua_literal(k)}] = {lua_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    if isinstance(value, str):
        return (
            '"'
            + "".join(
                chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\{b:03d}"
                for b in value.encode()
            )
            + '"'
        )
    return json.dumps(value)


# The node -------------------------------------------------------------------------------
@contextmanager
def database(postgresql: str | None, home: Path) -> Iterator[str]:
    if postgresql is None:
        yield f"sqlite:///{home / 'palermo.sqlite3'}"
        return
    name = f"palermo_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgresql, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgresql).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def node_env(home: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PALERMO_")}
    env.update(
        PALERMO_DATA_DIR=str(home),
        PALERMO_DATABASE_URL=url,
        PALERMO_RATE_LIMIT_USER_PER_MINUTE="0",
        PALERMO_RATE_LIMIT_AGENCY_PER_MINUTE="0",
    )
    return env


def palermo(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own entry point
        [PALERMO, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"palermo {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def officers(env: dict[str, str], home: Path, base_url: str) -> list[Officer]:
    """Demo officers of different agencies, each with a token and the records it may fully
    see, and another agency of the node to write to."""
    logins = json.loads((home / "demo-logins.json").read_text())["users"]
    chosen: dict[str, str] = {}
    for user in logins:
        if user["roles"] == ["officer"] and user["agency"] not in chosen:
            chosen[user["agency"]] = user["username"]
    agencies = list(chosen)
    found = []
    for n, (agency, username) in enumerate(list(chosen.items())[:MAX_OFFICERS]):
        issued = json.loads(
            palermo(env, "--as", username, "token", "create", "--name", "load", "--json")
        )
        token = str(issued["secret"])
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}", **PURPOSE}
        ) as api:
            listed = api.get("/api/records", params={"limit": 200}).json()["items"]
        records = [r["id"] for r in listed if r["access"] == "full"]
        if records:
            found.append(
                Officer(username, agency, token, records, agencies[(n + 1) % len(agencies)])
            )
    return found


def names(env: dict[str, str], home: Path) -> list[str]:
    """Names to screen: those of the demo's persons, and as many made up."""
    exported = palermo(
        env,
        "--as",
        "interpol.officer",
        "export",
        "ftm",
        "--purpose",
        "criminal_investigation",
        "--justification",
        "load test",
    )
    known = [
        n
        for line in exported.splitlines()
        if line.strip() and (e := json.loads(line))["schema"] == "Person"
        for n in e["properties"].get("name", [])[:1]
    ]
    rng = random.Random(14)
    made_up = [
        " ".join(
            "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title()
            for _ in range(2)
        )
        for _ in range(max(len(known), 200))
    ]
    return [n.replace('"', "") for n in known + made_up]


def processes(root: int) -> list[int]:
    """The server and its worker processes."""
    found = [root]
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == root:
            found.append(int(path.parent.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def served(
    env: dict[str, str], port: int, workers: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603
            [PALERMO, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"the node did not start; see {log}")
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


# Running wrk ----------------------------------------------------------------------------
def script(folder: Path, mix: dict[str, int], data: dict[str, Any]) -> Path:
    path = folder / f"{'-'.join(mix)}.lua"
    path.write_text(LUA.replace("DATA", lua_literal({**data, "mix": mix}), 1))
    return path


def wrk(url: str, lua: Path, *, seconds: int, connections: int) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [
            WRK,
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stdout.splitlines():
        if line.startswith("FIGURES "):
            return dict(json.loads(line.removeprefix("FIGURES ")))
    raise SystemExit(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")


def measure(
    server: subprocess.Popen[bytes],
    url: str,
    lua: Path,
    *,
    seconds: int,
    connections: int,
    profile: Path | None = None,
) -> dict[str, Any]:
    wrk(url, lua, seconds=WARM_UP_SECONDS, connections=connections)
    pids = processes(server.pid)
    profiler = (
        Profiler(profile, {str(pid): pid for pid in pids}, seconds, idle=False) if profile else None
    )
    before = cpu_seconds(pids)
    figures = wrk(url, lua, seconds=seconds, connections=connections)
    cpu = cpu_seconds(pids) - before
    requests = max(figures["requests"], 1)
    if profiler is not None:
        print_profile(profiler.finish())
    return {
        **figures,
        "rps": figures["requests"] / figures["seconds"],
        "server_cpu_ms_per_request": cpu * 1000 / requests,
    }


def soak(
    server: subprocess.Popen[bytes], url: str, lua: Path, *, seconds: int, connections: int
) -> dict[str, Any]:
    pids = processes(server.pid)
    samples: list[dict[int, float]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(RSS_EVERY_SECONDS):
            samples.append({pid: rss_mib(pid) for pid in pids})

    sampler = threading.Thread(target=sample, daemon=True)
    samples.append({pid: rss_mib(pid) for pid in pids})
    sampler.start()
    figures = wrk(url, lua, seconds=seconds, connections=connections)
    stop.set()
    sampler.join()
    memory = {
        str(pid): {
            "start_mib": round(samples[0][pid], 1),
            "after_first_minute_mib": round(samples[min(6, len(samples) - 1)][pid], 1),
            "end_mib": round(samples[-1][pid], 1),
            "max_mib": round(max(s[pid] for s in samples), 1),
            "every_10_s_mib": [round(s[pid], 1) for s in samples],
        }
        for pid in pids
    }
    return {**figures, "rps": figures["requests"] / figures["seconds"], "memory": memory}


def report(name: str, figures: dict[str, Any]) -> None:
    line = (
        f"{name:8} {figures['rps']:8.1f} req/s  p50 {figures['p50'] / 1000:7.1f} ms  "
        f"p95 {figures['p95'] / 1000:7.1f} ms  p99 {figures['p99'] / 1000:7.1f} ms  "
        f"non-2xx {figures['non_2xx']}  socket errors {figures['socket_errors']}"
    )
    if "server_cpu_ms_per_request" in figures:
        line += f"  server CPU {figures['server_cpu_ms_per_request']:.2f} ms/req"
    print(line, flush=True)
    for pid, memory in figures.get("memory", {}).items():
        summary = {k: v for k, v in memory.items() if k != "every_10_s_mib"}
        print(f"         process {pid}: RSS {summary}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--soak", type=int, default=600, help="seconds of the soak run")
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--postgresql", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--port", type=int, default=8177)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument(
        "--home",
        type=Path,
        help="an SQLite node's data directory to keep: the demo world is built there the "
        "first time and reused after (default: a fresh one, removed afterwards)",
    )
    parser.add_argument(
        "--profile", type=Path, help="a directory for py-spy samples of each scenario"
    )
    args = parser.parse_args()
    if WRK is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    if args.home is not None and args.postgresql:
        raise SystemExit("--home keeps an SQLite node; leave out --postgresql")
    home = args.home or Path(tempfile.mkdtemp(prefix="palermo-load-"))
    results: dict[str, Any] = {"workers": args.workers, "connections": args.connections}
    try:
        with database(args.postgresql, home) as url:
            env = node_env(home, url)
            if not (home / "demo-logins.json").exists():
                print(f"building the demo world in {home} …", flush=True)
                palermo(env, "demo", "--no-serve")
            url_base = f"http://127.0.0.1:{args.port}"
            with served(env, args.port, args.workers, home / "server.log") as server:
                staff = officers(env, home, url_base)
                data = {
                    "officers": [
                        {"token": o.token, "records": o.records, "peer": o.peer} for o in staff
                    ],
                    "names": names(env, home),
                    "purpose": PURPOSE["X-Purpose"],
                    "justification": PURPOSE["X-Justification"],
                    "text": "Follow-up on the container seized at the port. " * 8,
                    "envelope": quote(json.dumps(IMPORT_ENVELOPE)),
                }
                print(
                    f"{len(staff)} officers, {sum(len(o.records) for o in staff)} readable "
                    f"records, {len(data['names'])} names; {args.workers} worker(s), "
                    f"{args.connections} connections",
                    flush=True,
                )
                # Every worker builds its screening index and warms its caches first.
                wrk(
                    url_base,
                    script(home, MIX, data),
                    seconds=WARM_UP_SECONDS * 3,
                    connections=args.connections,
                )
                for name in args.only:
                    mix = MIX if name == "soak" else {name: 1}
                    lua = script(home, mix, data)
                    if name == "soak":
                        figures = soak(
                            server, url_base, lua, seconds=args.soak, connections=args.connections
                        )
                    else:
                        figures = measure(
                            server,
                            url_base,
                            lua,
                            seconds=args.seconds,
                            connections=args.connections,
                            profile=args.profile and args.profile / name,
                        )
                    results[name] = figures
                    report(name, figures)
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
