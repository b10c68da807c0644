"""Provides TLS termination that accepts any client certificate, as the real CAS does.

Python's ``ssl`` cannot accept an unknown self-signed client certificate (it has no verify
callback), so the client API terminates TLS with pyOpenSSL, whose verify callback accepts
every certificate; authorisation then happens by the certificate's public key. The socket
is non-blocking and every wait has a deadline, so an idle or stuck peer costs one thread
for at most ``timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import io
import select
import socket

from OpenSSL import SSL, crypto

__all__ = ["TlsStream", "server_context"]


def server_context(cert_pem: str, key_pem: str, chain_pem: str) -> SSL.Context:
    """A TLS server context presenting ``cert_pem`` + chain and requesting a client cert."""
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
    ctx.use_certificate(crypto.load_certificate(crypto.FILETYPE_PEM, cert_pem.encode()))
    ctx.use_privatekey(crypto.load_privatekey(crypto.FILETYPE_PEM, key_pem.encode()))
    for block in chain_pem.split("-----END CERTIFICATE-----")[:-1]:
        pem = (block + "-----END CERTIFICATE-----\n").strip() + "\n"
        ctx.add_extra_chain_cert(crypto.load_certificate(crypto.FILETYPE_PEM, pem.encode()))
    ctx.check_privatekey()
    # VERIFY_PEER without FAIL_IF_NO_PEER_CERT: ask for a certificate, accept any, and
    # also serve clients that send none (the "public client" of /v1/values).
    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: True)
    ctx.set_session_id(b"localcas")
    return ctx


class TlsStream(io.RawIOBase):
    """A server-side TLS connection as a raw binary stream with per-operation deadlines."""

    def __init__(self, ctx: SSL.Context, sock: socket.socket, timeout: float) -> None:
        super().__init__()
        sock.setblocking(False)
        self._sock = sock
        self._timeout = timeout
        self._conn = SSL.Connection(ctx, sock)
        self._conn.set_accept_state()

    def handshake(self) -> bytes | None:
        """Completes the handshake; returns the client's certificate (DER), if it sent one."""
        self._retry(self._conn.do_handshake)
        cert = self._conn.get_peer_certificate()
        if cert is None:
            return None
        return crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)

    def _wait(self, writing: bool) -> None:
        readers, writers = ([], [self._sock]) if writing else ([self._sock], [])
        if not any(select.select(readers, writers, [], self._timeout)):
            raise TimeoutError("TLS peer idle")

    def _retry(self, operation: object, *args: object) -> object:
        assert callable(operation)
        while True:
            try:
                return operation(*args)
            except SSL.WantReadError:
                self._wait(writing=False)
            except SSL.WantWriteError:
                self._wait(writing=True)

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Reads decrypted bytes; 0 at a clean or abrupt end of the connection."""
        try:
            count = self._retry(self._conn.recv_into, buffer)
        except (SSL.ZeroReturnError, SSL.SysCallError):
            return 0
        assert isinstance(count, int)
        return count

    def write(self, data: bytes) -> int:  # type: ignore[override]
        """Sends all of ``data`` (OpenSSL wants a retry with the same buffer)."""
        view = memoryview(data)
        while view:
            sent = self._retry(self._conn.send, bytes(view[:65536]))
            assert isinstance(sent, int)
            view = view[sent:]
        return len(data)

    def close(self) -> None:
        """Sends close_notify when possible and closes the socket."""
        if not self.closed:
            with contextlib.suppress(SSL.Error):
                self._conn.shutdown()
            self._sock.close()
        super().close()
