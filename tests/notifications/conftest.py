"""Fixtures of notifications: two agencies with an officer each, and a loopback webhook
receiver (a real HTTP server in a thread)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy.orm import Session

from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.identity.service import principal_for
from palermo.models.identity import Agency, User
from palermo.models.records import Notification
from tests.conftest import Factory

# The exchange's agencies with keys and its peer node, for receipts coming from a peer.
from tests.exchange.conftest import desks, keyring, peer  # noqa: F401


@dataclass
class Desk:
    agency: Agency
    user: User
    principal: Principal


def desk(db: Session, factory: Factory, code: str, *roles: Role) -> Desk:
    agency = factory.agency(code)
    user, _ = factory.user(f"{code.lower()}.staff", *(roles or (Role.officer,)), agency=agency)
    loaded = repository.user_by_id(db, user.id)
    assert loaded is not None
    return Desk(agency, user, principal_for(loaded, channel="session"))


@pytest.fixture
def home(db: Session, factory: Factory) -> Desk:
    return desk(db, factory, "NCB-NL", Role.officer, Role.agency_admin)


@pytest.fixture
def other(db: Session, factory: Factory) -> Desk:
    return desk(db, factory, "NCB-BE")


def notify(db: Session, agency: Agency, kind: str = "record.hit", **fields: object) -> Notification:
    """A notification as the capabilities write them (through the ORM), committed."""
    notification = Notification(
        agency_id=agency.id,
        kind=kind,
        record_id=fields.pop("record_id", None),
        message=str(
            fields.pop("message", "NCB-BE hit record ncb-nl.p1 for criminal_investigation")
        ),
    )
    db.add(notification)
    db.commit()
    return notification


@dataclass
class Receiver:
    """What a webhook endpoint on 127.0.0.1 received; it answers `status` to each post."""

    url: str
    status: int = 204
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def documents(self) -> list[dict[str, object]]:
        return [json.loads(body) for _, body in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            holder[0].posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(holder[0].status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads what arrived."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/palermo"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
