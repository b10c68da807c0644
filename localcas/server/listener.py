"""Provides the HTTPS listener of the client API: accept, TLS handshake, one thread each."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading

from OpenSSL import SSL

from localcas.server.api import ApiContext, make_handler, plain_http_refusal
from localcas.server.tlsio import TlsStream

__all__ = ["ApiListener"]

_IDLE_TIMEOUT = 30.0
_HTTP_METHOD_START = tuple(m.encode() for m in ("GET", "POST", "HEAD", "PUT", "DELE", "OPTI"))


class ApiListener:
    """Accepts TLS connections on ``address:port`` and serves the client API."""

    def __init__(self, address: str, port: int, tls: SSL.Context, context: ApiContext) -> None:
        self._tls = tls
        self._handler = make_handler(context)
        self._sock = socket.create_server((address, port), backlog=128)
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._stopping = threading.Event()

    def start(self) -> None:
        """Starts accepting connections."""
        self._thread.start()

    def stop(self) -> None:
        """Stops accepting; open connections end with the process."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, peer = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, peer), daemon=True).start()

    def _serve(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        stream: TlsStream | None = None
        try:
            sock.settimeout(_IDLE_TIMEOUT)
            first = sock.recv(4, socket.MSG_PEEK)
            if first.startswith(_HTTP_METHOD_START):
                plain_http_refusal(sock)
                return
            stream = TlsStream(self._tls, sock, _IDLE_TIMEOUT)
            peer_cert = stream.handshake()
            self._handler((stream, peer_cert), peer, self)  # type: ignore[arg-type]
        except (OSError, TimeoutError, SSL.Error):
            pass  # a client that went away or spoke no TLS: nothing to answer
        except Exception as err:  # keep serving other connections, but say so
            print(f"localcas: connection from {peer[0]} failed: {err!r}", file=sys.stderr)
        finally:
            if stream is not None:
                stream.close()
            else:
                sock.close()
