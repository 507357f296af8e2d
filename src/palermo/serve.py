"""Running the node's HTTP server."""

from __future__ import annotations

import uvicorn
from sqlalchemy import create_engine

from palermo.app import create_app
from palermo.errors import Conflict
from palermo.migrations import current_revision, head_revision
from palermo.settings import Settings


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


def serve_node(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    check_schema(settings)
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )
