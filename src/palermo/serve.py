"""Running the node's HTTP server."""

from __future__ import annotations

import logging
import threading

import uvicorn
from sqlalchemy import create_engine

from palermo.app import create_app
from palermo.db import create_db_engine, session_factory, unit_of_work
from palermo.errors import Conflict
from palermo.exchange.directory import DirectoryKeeper
from palermo.exchange.outbox import Courier
from palermo.jobs import service as jobs
from palermo.migrations import current_revision, head_revision
from palermo.models.base import utcnow
from palermo.notifications import webhooks
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.service import current_index
from palermo.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_SWEEP_SECONDS = 5.0


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


def serve_node(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    check_schema(settings)
    app = create_app(settings)
    with unit_of_work(app.state.session_factory) as session:
        interrupted = jobs.fail_interrupted(session, started_at=utcnow())
    if interrupted:
        log.warning("%d job(s) left unfinished by the last run marked failed", interrupted)
    threading.Thread(
        target=warm_screening, args=(settings,), name="warm-screening", daemon=True
    ).start()
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
    try:
        uvicorn.run(
            app,
            host=host or settings.host,
            port=port or settings.port,
            proxy_headers=False,
            server_header=False,
            log_level="info",
        )
    finally:
        stop_webhooks.set()
        if courier is not None:
            courier.stop()
        if keeper is not None:
            keeper.stop()
