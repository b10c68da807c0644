"""Provides :class:`FaultProxy`: a TCP proxy on a loopback address that can fail one call.

A real CAS has no fault plan, so the black-box backend points scripts at this proxy (the
script's ``SCONE_CAS_ADDR``), which passes every port through to the CAS untouched — TLS
included, it never decrypts anything — until it is armed for one fault:

- ``drop``: the CAS gets the request and commits it, but the client never hears back. The
  proxy cannot read the encrypted traffic, so it asks ``committed()`` (the backend compares
  the in-flight call's sessions on the CAS with their versions before the call) each time
  the CAS starts to answer a request; the answer that follows the ``at``-th commit is
  withheld and both connections are closed.
- ``refuse``: the ``at``-th connection opened while ``in_flight()`` (an upload call runs)
  is closed at once, before it reaches the CAS (nothing was processed).

Each fault fires once. The proxy runs in threads of the grader process.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Fault", "FaultProxy"]

_CHUNK = 65536


@dataclass
class Fault:
    """One planned fault (see the module docstring)."""

    kind: str
    at: int
    committed: Callable[[], bool]
    in_flight: Callable[[], bool]
    seen: int = 0
    fired: bool = False


class FaultProxy:
    """Listens on ``address`` at each port of ``routes`` and relays to its upstream.

    Args:
        address: the loopback address to listen on.
        routes: listening port -> (upstream host, upstream port).
        api_port: the port whose traffic faults apply to (the CAS's client API).
    """

    def __init__(
        self, address: str, routes: dict[int, tuple[str, int]], api_port: int = 8081
    ) -> None:
        self.address = address
        self.routes = routes
        self.api_port = api_port
        self.fault: Fault | None = None
        self._lock = threading.Lock()
        self._listeners: list[socket.socket] = []
        self._open: set[socket.socket] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Binds every port (raises OSError when one is taken) and starts relaying."""
        selector = selectors.DefaultSelector()
        try:
            for port in self.routes:
                listener = socket.create_server((self.address, port), backlog=64)
                listener.setblocking(False)
                self._listeners.append(listener)
                selector.register(listener, selectors.EVENT_READ, port)
        except OSError:
            self.stop()
            raise
        self._thread = threading.Thread(target=self._serve, args=(selector,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops listening and cuts every open connection (safe to call twice)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for sock in [*self._listeners, *self._take_open()]:
            with contextlib.suppress(OSError):
                sock.close()
        self._listeners.clear()

    def arm(self, fault: Fault | None) -> None:
        """Plans one fault (None: pass everything through)."""
        with self._lock:
            self.fault = fault

    # -- relaying -------------------------------------------------------------------------

    def _take_open(self) -> list[socket.socket]:
        with self._lock:
            taken = list(self._open)
            self._open.clear()
        return taken

    def _serve(self, selector: selectors.BaseSelector) -> None:
        with selector:
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.1):
                    listener = key.fileobj
                    assert isinstance(listener, socket.socket)
                    try:
                        client, _ = listener.accept()
                    except OSError:
                        continue
                    threading.Thread(
                        target=self._connection, args=(client, int(key.data)), daemon=True
                    ).start()

    def _fires(self, kind: str, port: int | None) -> bool:
        """True, once, when the armed ``kind`` fault is due now on ``port``: the ``at``-th
        time its condition holds (a connection while an upload runs, or a committed call)."""
        with self._lock:
            fault = self.fault
            if fault is None or fault.fired or fault.kind != kind or port != self.api_port:
                return False
        # The condition asks the CAS (for ``drop``): never while holding the lock.
        if not (fault.in_flight() if kind == "refuse" else fault.committed()):
            return False
        with self._lock:
            fault.seen += 1
            if fault.seen == fault.at:
                fault.fired = True
                return True
        return False

    def _connection(self, client: socket.socket, port: int) -> None:
        client.setblocking(True)
        if self._fires("refuse", port):
            # Linger 0: the client gets a reset, as from a CAS that went away.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            return
        try:
            upstream = socket.create_connection(self.routes[port], timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        with self._lock:
            self._open.update((client, upstream))
        asked = threading.Event()  # the client sent something since the last check
        to_cas = threading.Thread(
            target=self._pump, args=(client, upstream, lambda: asked.set()), daemon=True
        )
        to_cas.start()
        self._pump(upstream, client, lambda: None, port=port, asked=asked)
        to_cas.join(timeout=5)
        with self._lock:
            self._open.discard(client)
            self._open.discard(upstream)
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()

    def _pump(
        self,
        source: socket.socket,
        target: socket.socket,
        sent: Callable[[], None],
        *,
        port: int | None = None,
        asked: threading.Event | None = None,
    ) -> None:
        """Copies ``source`` to ``target``; an end is passed on as a half-close, a fault or
        an error cuts both connections."""
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    with contextlib.suppress(OSError):
                        target.shutdown(socket.SHUT_WR)
                    return
                if asked is not None and asked.is_set() and self._fires("drop", port):
                    break
                if asked is not None:
                    asked.clear()
                sent()  # before sending: the answer may come back before sendall returns
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
