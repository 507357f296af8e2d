"""The live unread count over server-sent events, from a real server on loopback: the count
when the stream opens, again when a notification arrives, and the end of the stream when
the caller's token is revoked."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from palermo.app import create_app
from palermo.db import SessionFactory, create_db_engine, session_factory
from palermo.identity import service as identity
from palermo.identity.credentials import Credentials
from palermo.identity.principal import operator_principal
from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.models.identity import ApiToken
from palermo.settings import Settings
from tests.conftest import Factory
from tests.databases import fresh_database
from tests.notifications.conftest import notify

# A bounded wait for each event: the stream checks the database every few seconds.
EVENT_TIMEOUT = 20.0


@dataclass
class Node:
    base_url: str
    sessions: SessionFactory


@pytest.fixture
def node(tmp_path: Path, settings: Settings) -> Iterator[Node]:
    with fresh_database(tmp_path, migrated=True) as url:
        engine = create_db_engine(url)
        sessions = session_factory(engine)
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, sessions=sessions),
                host="127.0.0.1",
                port=0,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "the server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield Node(f"http://127.0.0.1:{port}", sessions)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            engine.dispose()


def events(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """(field, value) of each event's lines, with ("", "") at the end of an event."""
    for line in response.iter_lines():
        if not line:
            yield "", ""
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            yield name, value.strip()


def next_event(lines: Iterator[tuple[str, str]]) -> dict[str, str]:
    event: dict[str, str] = {}
    for name, value in lines:
        if not name:
            if event:
                return event
            continue
        event[name] = value
    raise AssertionError("the stream ended")


def test_the_stream_sends_the_count_and_its_changes_and_ends_with_the_token(
    node: Node, settings: Settings
) -> None:
    with node.sessions() as db:
        factory = Factory(db, settings, Credentials(settings), operator_principal(frozenset()))
        identity.ensure_local_node(db, settings)
        agency = factory.agency("NCB-PT", country="PT")
        user, _ = factory.user("ncb-pt.officer", Role.officer, agency=agency)
        secret = factory.token(user)
        notify(db, agency)

    headers = {"Authorization": f"Bearer {secret}"}
    with (
        httpx.Client(base_url=node.base_url, timeout=EVENT_TIMEOUT, trust_env=False) as client,
        client.stream("GET", "/api/notifications/stream", headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = events(response)
        assert next_event(lines) == {"retry": "3000"}
        opening = next_event(lines)
        assert opening["event"] == "unread"
        assert json.loads(opening["data"])["count"] == 1

        with node.sessions() as db:
            arrived = notify(db, agency, kind="message.opened")
        change = next_event(lines)
        assert change["event"] == "unread"
        assert json.loads(change["data"]) == {
            "count": 2,
            "latest_id": str(arrived.id),
            "label": "2 unread notifications",
        }

        with node.sessions() as db:
            token = db.scalars(select(ApiToken)).one()
            identity.revoke_token(
                db, principal=operator_principal(frozenset()), token_id=token.id, now=utcnow()
            )
            db.commit()
        assert next_event(lines)["event"] == "end"


def test_a_stream_needs_a_valid_credential(node: Node) -> None:
    with httpx.Client(base_url=node.base_url, timeout=EVENT_TIMEOUT, trust_env=False) as client:
        refused = client.get("/api/notifications/stream", headers={"Authorization": "Bearer plm_x"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_invalid"
