"""Provides the CLI's HTTPS client for the CAS client API (stdlib only, for start-up speed).

The CLI pins the chain it stored at attestation time: the server's leaf must chain to it,
and nothing else is trusted. Connection failures and 503 answers are retried
(``--retries``, default 3); a request the CAS may already have processed is not re-sent
unless it is a read.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
from typing import Any
from urllib.parse import quote, urlsplit

from localcas.errors import CliError

__all__ = ["CasClient", "Response", "session_path"]


class Response:
    """A decoded JSON answer of the CAS."""

    __slots__ = ("body", "status")

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body

    @property
    def messages(self) -> list[str]:
        """The ``msg`` list of an error body (or the body itself)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("msg"), list):
            return [str(m) for m in self.body["msg"]]
        return [str(self.body)]


class _ProtocolError(OSError):
    """The CAS's answer was not HTTP/1.1 as expected."""


class CasClient:
    """Talks to one CAS.

    Args:
        url: ``https://ADDRESS:8081/``.
        chain: the pinned CA chain (PEM); None disables verification (attestation's first
            contact, or ``--only_for_testing-disable-attestation-verification``).
        identity: key + certificate PEM to present, or None for a public client.
        retries: how often to retry a failed connection or a 503.
    """

    def __init__(self, url: str, chain: str | None, identity: str | None, retries: int) -> None:
        parts = urlsplit(url)
        self.url = url
        self.host = parts.hostname or ""
        self.port = parts.port or 8081
        self.retries = max(0, retries)
        self._ctx = self._context(chain, identity)

    @staticmethod
    def _context(chain: str | None, identity: str | None) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if chain is None:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        else:
            # As SCONE's CLI does: the attested chain is pinned, and it alone decides. The
            # leaf is not matched against the name or address the CAS was reached by, so
            # a CAS behind a proxy or NAT, or re-addressed, still verifies (spec §3.1).
            ctx.load_verify_locations(cadata=chain)
            ctx.check_hostname = False
        if identity is not None:
            # ssl loads client keys only from files. An anonymous in-memory file (memfd)
            # never touches the disk and vanishes with the descriptor.
            fd = os.memfd_create("scone-identity", os.MFD_CLOEXEC)
            try:
                os.write(fd, identity.encode())
                ctx.load_cert_chain(f"/proc/self/fd/{fd}")
            finally:
                os.close(fd)
        return ctx

    def get(self, path: str) -> Response:
        """GET a path (retried on any connection failure: reads are safe to repeat)."""
        return self._request("GET", path, None, repeatable=True)

    def post(self, path: str, body: Any) -> Response:
        """POST JSON (re-sent only when it cannot have reached the CAS)."""
        return self._request("POST", path, json.dumps(body).encode(), repeatable=False)

    def _request(self, method: str, path: str, data: bytes | None, repeatable: bool) -> Response:
        attempt = 0
        while True:
            sent = False
            try:
                status, raw, sent = self._exchange(method, path, data)
            except ssl.SSLCertVerificationError as err:
                raise CliError(
                    f"The CAS at {self.url} is not the CAS that was attested",
                    f"TLS verification failed: {err.verify_message}",
                    "Attest it again with `scone cas attest` if it was legitimately replaced",
                ) from err
            except OSError as err:
                sent = getattr(err, "sent", False)
                if attempt < self.retries and (repeatable or not sent):
                    attempt += 1
                    time.sleep(0.2 * attempt)
                    continue
                raise self._connection_error(err, sent) from err
            if status == 503 and attempt < self.retries:
                attempt += 1
                time.sleep(0.2 * attempt)
                continue
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode(errors="replace")
            return Response(status, body)

    def _exchange(self, method: str, path: str, data: bytes | None) -> tuple[int, bytes, bool]:
        """One HTTP/1.1 request on a fresh connection; returns (status, body, sent).

        A hand-written exchange instead of ``http.client``, which alone costs the CLI
        ~20 ms of imports on every start.
        """
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "Accept: application/json\r\nConnection: close\r\n"
        if data is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        sent = False
        try:
            raw = socket.create_connection((self.host, self.port), timeout=30)
            with raw, self._ctx.wrap_socket(raw, server_hostname=self.host) as conn:
                conn.sendall(head.encode() + b"\r\n" + (data or b""))
                sent = True
                answer = _read_all(conn)
            status, body = _parse_response(answer)
        except OSError as err:
            err.sent = sent  # type: ignore[attr-defined]
            raise
        return status, body, True

    def _connection_error(self, err: Exception, sent: bool) -> CliError:
        if isinstance(err, ConnectionRefusedError):
            return CliError(
                f"Cannot connect to CAS at {self.url}: connection refused",
                "Is the CAS running at this address? Check SCONE_CAS_ADDR and start the CAS",
            )
        if isinstance(err, TimeoutError) or "timed out" in str(err):
            return CliError(f"CAS at {self.url} did not answer in time: {err}")
        if isinstance(err, _ProtocolError):
            return CliError(f"CAS at {self.url} sent a malformed answer: {err}")
        what = "lost the connection after sending the request" if sent else "cannot connect"
        return CliError(f"Connection to CAS at {self.url} failed: {what}", str(err))


def session_path(name: str) -> str:
    """The REST path of a session (namespaces keep their '/')."""
    return "/v1/sessions/" + quote(name, safe="/~")


def _read_all(conn: ssl.SSLSocket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = conn.recv(65536)
        except ssl.SSLEOFError:  # the peer closed without close_notify
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_response(answer: bytes) -> tuple[int, bytes]:
    if not answer:
        raise ConnectionResetError("the CAS closed the connection without answering")
    head, sep, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if not sep or len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise _ProtocolError("no HTTP status line")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
            if len(body) < length:
                raise _ProtocolError("connection closed before the whole answer arrived")
            body = body[:length]
    return int(parts[1]), body
