"""The courier's doorbell across processes: a worker's commit wakes the supervisor's courier."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from palermo import serve
from palermo.exchange import doorbell, outbox
from palermo.exchange.doorbell import Doorbell
from palermo.exchange.keys import Keyring
from palermo.settings import Settings
from tests.exchange.conftest import Desk, Peer
from tests.exchange.test_outbox import send_to_peer

RING_FROM_ENVIRONMENT = (
    "from palermo.exchange.doorbell import Doorbell\n"
    "bell = Doorbell()\n"
    "bell.ring_from_environment()\n"
    "bell.ring()\n"
)


@pytest.fixture
def supervisor() -> Iterator[tuple[Doorbell, str]]:
    bell = Doorbell()
    address = bell.listen()
    yield bell, address
    bell.close()


def test_a_ring_in_another_process_reaches_the_listening_courier(
    supervisor: tuple[Doorbell, str],
) -> None:
    bell, address = supervisor
    assert not bell.is_rung()
    subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", RING_FROM_ENVIRONMENT],
        env={**os.environ, doorbell.ADDRESS_ENV: address},
        check=True,
        timeout=60,
    )
    assert bell.wait(30)


def test_a_worker_process_rings_its_supervisors_courier_when_it_queues_envelopes(
    supervisor: tuple[Doorbell, str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    db: Session,
    keyring: Keyring,
    desks: dict[str, Desk],
    peer: Peer,
) -> None:
    """What `palermo serve --workers N` hands a worker: the settings, the bell's address and
    the supervisor's pid."""
    bell, address = supervisor
    monkeypatch.setenv(serve.WORKER_SETTINGS, settings.model_dump_json())
    monkeypatch.setenv(doorbell.ADDRESS_ENV, address)
    monkeypatch.setenv(serve.SUPERVISOR_PID, "4242")
    watched: list[int] = []
    monkeypatch.setattr(serve, "end_with_parent", lambda parent, grace: watched.append(parent))
    monkeypatch.setattr(serve, "app_for_life", lambda _settings: None)  # the wiring alone
    monkeypatch.setattr(serve, "start_warming", lambda _settings: None)
    workers_bell = Doorbell()
    monkeypatch.setattr(outbox, "DOORBELL", workers_bell)
    try:
        serve.worker_app()
        send_to_peer(db, keyring, desks["NCB-FR"])  # commits
    finally:
        workers_bell.close()
    assert bell.wait(30)
    assert watched == [4242]  # and it ends with its supervisor


def test_a_malformed_address_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=doorbell.ADDRESS_ENV):
        Doorbell().ring_at("localhost")
