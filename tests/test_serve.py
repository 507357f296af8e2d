"""Serving a node: the app a process keeps for its life."""

from __future__ import annotations

import gc
import pickle
import socket
import time
from multiprocessing.reduction import ForkingPickler

import pytest

from palermo.errors import Conflict
from palermo.serve import SharedPort, _only_server_of, app_for_life, reuse_port_socket
from palermo.settings import Settings


def test_the_app_a_node_serves_is_out_of_the_collectors_sight(settings: Settings) -> None:
    """Its ~500k objects live as long as the process: a full collection walking them all
    stalled every request in flight for ~0.25 s. Frozen, the collector skips them."""
    try:
        app = app_for_life(settings)
        assert gc.is_tracked(app)
        assert not any(o is app for o in gc.get_objects())  # the frozen are not walked
        assert not any(o is app.router for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_each_worker_listens_on_the_port_and_connections_spread() -> None:
    """`serve --workers N`: what each worker unpickles is a listening socket of its own on
    the supervisor's port, and the kernel spreads new connections across them (one shared
    socket left every connection of a client that opens them together to one worker)."""
    held = reuse_port_socket("127.0.0.1", 0, SharedPort)
    port = held.getsockname()[1]
    workers = [pickle.loads(ForkingPickler.dumps(held)) for _ in range(2)]  # noqa: S301
    clients = []
    try:
        for worker in workers:
            assert worker.getsockname() == ("127.0.0.1", port)
            assert worker.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
            worker.listen(64)
            worker.setblocking(False)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        accepted = [0, 0]
        for _ in range(2):  # the handshakes are done by the kernel; give it a moment
            for number, worker in enumerate(workers):
                while True:
                    try:
                        connection, _ = worker.accept()
                    except BlockingIOError:
                        break
                    connection.close()
                    accepted[number] += 1
            time.sleep(0.1)
        assert sum(accepted) == 32
        assert all(accepted), accepted  # all 32 on one: a chance of 2 in 2**32
    finally:
        for sock in [held, *workers, *clients]:
            sock.close()


def test_a_second_server_of_workers_on_the_same_port_is_refused() -> None:
    """Workers' sockets share their port (SO_REUSEPORT), which would let a second `serve
    --workers` on it — another node's data, by mistake — take half its connections."""
    with (
        _only_server_of("127.0.0.1", 65001),
        pytest.raises(Conflict, match="already served by another"),
        _only_server_of("127.0.0.1", 65001),
    ):
        pass
    with _only_server_of("127.0.0.1", 65001):  # free again once the first one ended
        pass
