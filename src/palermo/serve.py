"""Running the node's HTTP server."""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine
from uvicorn.supervisors import Multiprocess

from palermo.app import create_app
from palermo.db import create_db_engine, session_factory, unit_of_work
from palermo.errors import Conflict
from palermo.exchange import doorbell, outbox
from palermo.exchange.directory import DirectoryKeeper
from palermo.exchange.outbox import Courier
from palermo.helpers import end_with_parent
from palermo.jobs import service as jobs
from palermo.migrations import current_revision, head_revision
from palermo.models.base import utcnow
from palermo.notifications import webhooks
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.service import current_index
from palermo.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_SWEEP_SECONDS = 5.0
# The supervisor's settings, handed to the worker processes it spawns (command-line options
# included, which the workers' own environment would not carry).
WORKER_SETTINGS = "PALERMO_WORKER_SETTINGS"
SUPERVISOR_PID = "PALERMO_SUPERVISOR_PID"
WORKER_START_SECONDS = 120
WORKER_STOP_SECONDS = 30  # for the requests in flight, once the supervisor is gone


def check_schema(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    finally:
        engine.dispose()
    if current != head_revision():
        raise Conflict(
            f"database schema is at {current or 'nothing'}, the code needs {head_revision()}: "
            "run `palermo db upgrade`"
        )


def warm_screening(settings: Settings) -> None:
    """Load rigour's name tables and build the screening index (seconds of work) while the
    server starts, so neither the first officer nor a peer's first hit/no-hit query waits.
    The build reads on a read-only connection: on SQLite it holds no write lock, so the node
    takes writes (and peers' envelopes) meanwhile."""
    try:
        ScreeningQuery.of("Warm Up")  # the name tables, even on a node without records
        engine = create_db_engine(settings.resolved_database_url, readonly=True)
        try:
            with unit_of_work(session_factory(engine)) as session:
                current_index(session)
        finally:
            engine.dispose()
    except Exception:
        log.exception("warming the screening index failed; it is built on first use")


def worker_app() -> FastAPI:
    """The app of one worker process of `serve_node(workers=N)` (uvicorn's factory)."""
    # A supervisor killed outright (SIGKILL, the OOM killer) would leave its workers serving
    # on the port without a courier, and a restarted node could not bind it.
    end_with_parent(int(os.environ[SUPERVISOR_PID]), grace=WORKER_STOP_SECONDS)
    settings = Settings.model_validate_json(os.environ[WORKER_SETTINGS])
    outbox.DOORBELL.ring_from_environment()
    start_warming(settings)
    return app_for_life(settings)


def app_for_life(settings: Settings) -> FastAPI:
    """The app, with all that was loaded to build it moved out of the garbage collector's
    sight: the code, the FtM model, the schemas and routes (~500k objects) live as long as
    the process, and each full collection walked them all: a ~0.25-s stall of every
    request in flight, the tail of the node's latency under load."""
    app = create_app(settings)
    gc.collect()  # the start's own garbage first: frozen, it would never be freed
    gc.freeze()
    return app


def start_warming(settings: Settings) -> None:
    threading.Thread(
        target=warm_screening, args=(settings,), name="warm-screening", daemon=True
    ).start()


class SharedPort(socket.socket):
    """The port `serve --workers N` hands its workers. Each worker unpickles it as a
    listening socket of its own on the same port (SO_REUSEPORT), and the kernel spreads new
    connections across them. With one socket shared by all, the worker that woke first
    accepted every connection waiting, and a client that opens its connections together
    and keeps them (wrk, a peer's courier, a gateway) was served by that worker alone.
    This process keeps the port bound, not listening: no connection waits on it, and no
    other program can take the port while workers come and go."""

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (reuse_port_socket, (host, port))


def reuse_port_socket(host: str, port: int, kind: type[socket.socket] = socket.socket) -> Any:
    """A TCP socket bound to the port with SO_REUSEPORT, made as a TCP socket by name:
    asyncio turns Nagle's algorithm off only on sockets whose protocol says TCP, and
    uvicorn's own shared socket says 0. With Nagle on, each response's body waits for the
    client's delayed ACK of its headers: 40 ms a request."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = kind(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


@contextmanager
def _only_server_of(host: str, port: int) -> Iterator[None]:
    """SO_REUSEPORT would let a second `serve --workers` on this port (another data
    directory, by mistake) share its connections without a word: the first one holds an
    abstract socket named after the port until it ends, and the second stops there."""
    guard = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        guard.bind(f"\0palermo serve {host}:{port}")
    except OSError:
        guard.close()
        raise Conflict(f"{host}:{port} is already served by another `palermo serve`") from None
    try:
        yield
    finally:
        guard.close()


def serve_node(
    settings: Settings, *, host: str | None = None, port: int | None = None, workers: int = 1
) -> None:
    """Serve the node. With several `workers`, each is a process of its own (its app, its
    screening index, its rate-limit buckets) answering on the shared port, while this
    process keeps the node's single courier, webhook sweeper and directory keeper."""
    check_schema(settings)
    app = app_for_life(settings)
    with unit_of_work(app.state.session_factory) as session:
        interrupted = jobs.fail_interrupted(session, started_at=utcnow())
        released = outbox.release_claims(session, utcnow())
    if interrupted:
        log.warning("%d job(s) left unfinished by the last run marked failed", interrupted)
    if released:
        log.warning("%d envelope(s) the last run was sending are sent again", released)
    if workers == 1:
        start_warming(settings)
    courier = None
    if settings.outbox_courier:
        courier = Courier(
            app.state.session_factory,
            base_backoff=settings.outbox_base_backoff_seconds,
            max_backoff=settings.outbox_max_backoff_seconds,
        )
        courier.start()
    # Agencies' webhooks: the notifications' outbox, swept every few seconds.
    stop_webhooks = threading.Event()
    threading.Thread(
        target=webhooks.keep_delivering,
        args=(app.state.session_factory, settings),
        kwargs={"every": WEBHOOK_SWEEP_SECONDS, "stop": stop_webhooks},
        name="webhooks",
        daemon=True,
    ).start()
    keeper = None
    if settings.directory_sync_seconds > 0:
        keeper = DirectoryKeeper(app.state.session_factory, every=settings.directory_sync_seconds)
        keeper.start()
    options: dict[str, Any] = {"proxy_headers": False, "server_header": False, "log_level": "info"}
    host, port = host or settings.host, port or settings.port
    try:
        if workers == 1:
            uvicorn.run(app, host=host, port=port, **options)
        else:
            os.environ[WORKER_SETTINGS] = settings.model_dump_json()
            os.environ[SUPERVISOR_PID] = str(os.getpid())
            os.environ[doorbell.ADDRESS_ENV] = outbox.DOORBELL.listen()
            config = uvicorn.Config(
                "palermo.serve:worker_app",
                factory=True,
                workers=workers,
                # A spawned worker imports the whole node before it can answer uvicorn's
                # pings: seconds on a busy machine, more than uvicorn's 5 s default.
                timeout_worker_healthcheck=WORKER_START_SECONDS,
                **options,
            )
            log.info("Palermo serving on http://%s:%d with %d workers", host, port, workers)
            with _only_server_of(host, port):
                port_held = reuse_port_socket(host, port, SharedPort)
                Multiprocess(config, sockets=[port_held]).run()
    finally:
        stop_webhooks.set()
        if courier is not None:
            courier.stop()
        if keeper is not None:
            keeper.stop()
        outbox.DOORBELL.close()
