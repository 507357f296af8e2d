"""The courier's doorbell: a commit that queues envelopes rings it, so the courier sends at
once instead of at its next look at the clock (up to five seconds when the outbox was idle).

The courier and the commit may be in different processes: `palermo serve --workers N` keeps
the courier in the supervisor while the workers answer requests. The supervisor then listens
for rings on a loopback UDP port and hands its address to the workers in `ADDRESS_ENV`; a
worker's ring is one datagram. A lost or forged datagram costs nothing but a pass: the
courier still looks at the outbox by the clock, and a ring only makes it look sooner.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

log = logging.getLogger(__name__)
ADDRESS_ENV = "PALERMO_COURIER_DOORBELL"
_RING = b"\x07"


class Doorbell:
    def __init__(self) -> None:
        self._rung = threading.Event()
        self._remote: tuple[str, int] | None = None
        self._sender: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # The ringing side -----------------------------------------------------------------------
    def ring(self) -> None:
        self._rung.set()
        if self._remote is not None and self._sender is not None:
            try:
                self._sender.sendto(_RING, self._remote)
            except OSError as error:  # the courier's clock still finds the envelopes
                log.warning("could not ring the courier at %s: %s", self._remote, error)

    def ring_at(self, address: str) -> None:
        """Ring the courier of another process too, at `address` ("host:port")."""
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{ADDRESS_ENV} must be host:port, not {address!r}")
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sender.setblocking(False)  # a commit never waits on the bell
        self._sender, self._remote = sender, (host, int(port))

    def ring_from_environment(self) -> None:
        """In a worker process: ring the supervisor's courier, if it left its address."""
        if address := os.environ.get(ADDRESS_ENV):
            self.ring_at(address)

    # The courier's side ----------------------------------------------------------------------
    def listen(self) -> str:
        """Take rings from other processes as well; returns the address to hand them."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        listener.bind(("127.0.0.1", 0))
        self._listener = listener
        self._thread = threading.Thread(target=self._answer, name="courier-doorbell", daemon=True)
        self._thread.start()
        host, port = listener.getsockname()
        return f"{host}:{port}"

    def _answer(self) -> None:
        listener = self._listener
        while listener is not None and self._listener is listener:
            try:
                listener.recv(16)
            except OSError:
                return
            self._rung.set()

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # Wake the blocked recv with a last datagram, then close.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
                waker.sendto(_RING, listener.getsockname())
            if self._thread is not None:
                self._thread.join(timeout=5)
            listener.close()
        if self._sender is not None:
            self._sender.close()
        self._sender = self._remote = None

    def wait(self, timeout: float) -> bool:
        return self._rung.wait(timeout)

    def is_rung(self) -> bool:
        return self._rung.is_set()

    def clear(self) -> None:
        self._rung.clear()
