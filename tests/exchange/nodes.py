"""Real nodes federating with each other, for the multi-node tests.

Each node has its own data directory (node key, agency key sealing), its own database (an
SQLite file, or a fresh PostgreSQL database with `PALERMO_TEST_BACKEND=postgresql`) and its
own `palermo serve` process on a free local port. Agencies, users, tokens, node identity and
peers are set up with the `palermo` command (run in this process with typer's runner, so the
setup costs milliseconds rather than an interpreter start per command); the servers are real
processes that can be stopped, killed and restarted on the same port.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

from palermo.cli import app as cli_app
from palermo.exchange import envelopes, messages
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.identity.keys import NodeKey, load_or_create_node_key
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.settings import DEVELOPMENT_SECRET_KEY, Environment, Settings
from tests.databases import fresh_database
from tests.web.conftest import free_port, node_env, palermo_command, stop, wait_until_healthy

PASSWORD = "a long enough password"
POLL_TIMEOUT = 45.0  # generous: a deadline for a condition, never a measured duration
POLL_INTERVAL = 0.05
T = TypeVar("T")


def wait_for(
    condition: Callable[[], T | None],
    what: str,
    *,
    timeout: float = POLL_TIMEOUT,
    interval: float = POLL_INTERVAL,
) -> T:
    """Poll `condition` until it returns something truthy (and return that), or fail naming
    `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out after {timeout:.0f} s waiting for {what}; last value: {value!r}"
            )
        time.sleep(interval)


@dataclass(frozen=True)
class Desk:
    """An agency hosted on a node and its officer."""

    agency: str
    country: str
    officer: str


@dataclass
class Node:
    code: str
    root: Path
    database_url: str
    desks: list[Desk]
    extra_env: dict[str, str] = field(default_factory=dict)
    serve_options: tuple[str, ...] = ()  # of `palermo serve`
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    # Configuration -------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @cached_property
    def env(self) -> dict[str, str]:
        env = node_env(self.database_url)
        env.update(
            PALERMO_DATA_DIR=str(self.data_dir),
            PALERMO_NODE_CODE=self.code,
            PALERMO_NODE_NAME=f"Test node {self.code}",
            PALERMO_OUTBOX_COURIER="true",
            PALERMO_OUTBOX_BASE_BACKOFF_SECONDS="0.2",
            PALERMO_OUTBOX_MAX_BACKOFF_SECONDS="1",
            PALERMO_DIRECTORY_SYNC_SECONDS="2",
            PALERMO_SECRET_KEY=DEVELOPMENT_SECRET_KEY,
        )
        env.update(self.extra_env)
        return env

    def settings(self) -> Settings:
        """This node's settings, for signing and sealing in the test process."""
        return Settings(
            environment=Environment.test,
            data_dir=self.data_dir,
            database_url=self.database_url,
            node_code=self.code,
            secret_key=DEVELOPMENT_SECRET_KEY,
            node_key_file=None,
        )

    def node_key(self) -> NodeKey:
        return load_or_create_node_key(self.settings())

    @cached_property
    def public_key(self) -> str:
        shown = self.cli_json("node", "show")
        assert shown["code"] == self.code
        return str(shown["public_key"])

    # The `palermo` command -----------------------------------------------------------------
    def cli(self, *args: str, ok: bool = True) -> Result:
        # Unset every other PALERMO_* of this process while the command runs.
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PALERMO_")}
        env.update(self.env)
        result = CliRunner().invoke(cli_app, list(args), env=env)
        if ok and result.exit_code != 0:
            pytest.fail(
                f"`palermo {' '.join(args)}` on {self.code} exited {result.exit_code}:\n"
                f"{result.output}\n{result.exception!r}"
            )
        return result

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    def outbox(self, *args: str) -> list[dict[str, Any]]:
        """`palermo node outbox --json` as the node operator."""
        items = self.cli_json("node", "outbox", "--limit", "1000", *args)
        assert isinstance(items, list)
        return items

    # The server ----------------------------------------------------------------------------
    def launch(self) -> None:
        """Start `palermo serve` without waiting for it (see `wait_healthy`)."""
        assert self.process is None or self.process.poll() is not None, f"{self.code} runs"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own entry point
                [*palermo_command(), "serve", "--port", str(self.port), *self.serve_options],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self) -> None:
        assert self.process is not None
        wait_until_healthy(self.base_url, self.process, self.log)

    def start(self) -> None:
        self.launch()
        self.wait_healthy()

    def stop(self) -> None:
        """Graceful stop (SIGTERM): uvicorn finishes its requests, the courier stops."""
        if self.process is not None:
            stop(self.process)

    def kill(self) -> None:
        """SIGKILL: whatever the process was doing is cut off."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def url(self, path: str) -> str:
        return self.base_url + path

    def api(self, username: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.tokens[username]}"},
            trust_env=False,
            timeout=30.0,
        )

    def anonymous(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, trust_env=False, timeout=30.0)

    # The database, read directly -----------------------------------------------------------
    @cached_property
    def engine(self) -> Engine:
        # No pool: nothing stays connected (or locked) between the test's reads.
        return create_engine(self.database_url, poolclass=NullPool)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def uid(self, value: str | uuid.UUID) -> str:
        """A UUID as this database stores it (SQLite: 32 hex digits; PostgreSQL: uuid)."""
        parsed = uuid.UUID(str(value))
        return parsed.hex if self.sqlite else str(parsed)

    def message_ids(self) -> set[str]:
        return {str(uuid.UUID(str(r[0]))) for r in self.rows("SELECT id FROM messages")}

    def holds(self, message_id: str | uuid.UUID) -> bool:
        return str(message_id) in self.message_ids()

    def audit(self, action: str) -> list[dict[str, Any]]:
        """Audit entries of an action (their signed content plus the outcome column)."""
        found = []
        for entry, outcome in self.rows(
            "SELECT entry, outcome FROM audit_events WHERE action = :action ORDER BY leaf_index",
            action=action,
        ):
            content = json.loads(entry)
            content["outcome"] = outcome
            found.append(content)
        return found

    def audited(self, action: str, object_id: str | uuid.UUID) -> list[dict[str, Any]]:
        return [e for e in self.audit(action) if str(object_id) in e.get("object_ids", [])]

    def database_files(self) -> list[Path]:
        """The SQLite file and its WAL and shared-memory companions (SQLite only)."""
        path = Path(self.database_url.removeprefix("sqlite:///"))
        return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]

    @property
    def sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    # Setting up ----------------------------------------------------------------------------
    def set_up(self) -> None:
        for desk in self.desks:
            self.cli(
                "agency",
                "add",
                desk.agency,
                "--name",
                f"Agency {desk.agency}",
                "--kind",
                "police",
                "--country",
                desk.country,
            )
            self.cli(
                "user",
                "add",
                desk.officer,
                "--agency",
                desk.agency,
                "--role",
                "officer",
                "--name",
                f"Officer of {desk.agency}",
                "--password",
                PASSWORD,
            )
            issued = self.cli_json("--as", desk.officer, "token", "create", "--name", "tests")
            self.tokens[desk.officer] = str(issued["secret"])
        self.cli("node", "init", "--url", self.base_url)

    def add_peer(self, peer: Node, *options: str) -> None:
        """`palermo node peer add` with the peer's real key; its directory is read at once."""
        self.cli("node", "peer", "add", peer.code, peer.base_url, peer.public_key, *options)


def warm_screening(node: Node) -> None:
    """Screen once on the node, as its first officer.

    Loading rigour's name tables and building the index takes 5-7 s here, longer than a
    peer waits for a hit/no-hit answer (5 s). `palermo serve` does it in the background as
    it starts, and /healthz answers before it ends: a test that asks a fresh node first
    waits here for that warm-up rather than racing it.
    """
    with node.api(node.desks[0].officer) as api:
        answer = api.post(
            "/api/screen",
            json={
                "name": "Warm Up",
                "purpose": "criminal_investigation",
                "justification": "warm-up",
            },
        )
    assert answer.status_code == 200, answer.text


@dataclass
class Federation:
    a: Node
    b: Node
    c: Node

    @property
    def nodes(self) -> list[Node]:
        return [self.a, self.b, self.c]

    def warm_screening(self) -> None:
        """Every node ready to answer hit/no-hit queries within the peers' timeout (the
        three warm at once; a warm node answers at once)."""
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            list(pool.map(warm_screening, self.nodes))


def _shut_down(nodes: list[Node]) -> None:
    for node in nodes:
        node.engine.dispose()
        node.stop()


@contextmanager
def federation(root: Path) -> Iterator[Federation]:
    """Three nodes: A and B peers of each other; C known to A, but knowing no one.

    A hosts AG-A (DE, officer off.a); B hosts AG-B and AG-B2 (FR, off.b and off.b2) and
    accepts attachments of at most 64 KiB; C hosts AG-C (IT, off.c).
    """
    layout = {
        "NODE-A": ([Desk("AG-A", "DE", "off.a")], {}),
        "NODE-B": (
            [Desk("AG-B", "FR", "off.b"), Desk("AG-B2", "FR", "off.b2")],
            {"PALERMO_MAX_ATTACHMENT_BYTES": str(64 * 1024)},
        ),
        "NODE-C": ([Desk("AG-C", "IT", "off.c")], {}),
    }
    with ExitStack() as stack:
        nodes = []
        for code, (desks, extra) in layout.items():
            home = root / code
            home.mkdir()
            url = stack.enter_context(fresh_database(home, migrated=True))
            nodes.append(Node(code, home, url, desks, extra_env=extra))
        # Stop the servers before fresh_database drops their databases (LIFO).
        stack.callback(_shut_down, nodes)
        for node in nodes:
            node.set_up()
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_healthy()
        a, b, c = nodes
        a.add_peer(b)
        b.add_peer(a)
        a.add_peer(c)  # C does not know A: it refuses A's envelopes until configured
        yield Federation(a, b, c)


# Sealing and signing in the test process, with a node's own keys --------------------------
def seal_message(
    node: Node,
    *,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    body: str = "",
    attachments: Sequence[tuple[str, bytes]] = (),
    tlp: str = "AMBER",
    handling_code: str = "H0",
) -> dict[str, Any]:
    """A message sealed and signed by `sender` on `node` exactly as the node would, but
    neither stored nor queued: the body of a `message` envelope for the recipients' node."""
    settings = node.settings()
    keyring = Keyring.of(settings)
    now = utcnow()
    draft = messages.Draft.of(
        recipients=recipients,
        subject=subject,
        body=body,
        attachments=[messages.Attachment(n, "application/octet-stream", c) for n, c in attachments],
        tlp=tlp,
        handling_code=handling_code,
        max_attachment_bytes=settings.max_attachment_bytes,
        today=now.date(),
    )
    with Session(node.engine) as session:
        found: dict[str, Agency] = {}
        for code in [sender, *recipients]:
            agency = repository.agency_by_code(session, code)
            assert agency is not None, f"{node.code} does not know {code}"
            found[code] = agency
        sealed = messages.seal(
            session,
            keyring,
            sender=found[sender],
            recipients=[found[r] for r in recipients],
            draft=draft,
            thread_id=uuid.uuid4(),
            forwarded=None,
            local_node=node.code,
            now=now,
        )
        session.rollback()
    sealed_body: dict[str, Any] = messages.message_body(sealed, set(recipients))
    return sealed_body


def envelope(
    key: NodeKey,
    *,
    sender: str,
    receiver: str,
    body: dict[str, Any],
    kind: str = "message",
    envelope_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A node envelope signed with `key` (the real `envelopes.build`)."""
    built: dict[str, Any] = envelopes.build(
        key,
        kind=kind,
        sender=sender,
        receiver=receiver,
        body=body,
        now=utcnow(),
        envelope_id=envelope_id,
    )
    return built
