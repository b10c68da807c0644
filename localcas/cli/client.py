"""Provides the CLI's HTTPS client for the CAS client API (stdlib only, for start-up speed).

The CLI pins the chain it stored at attestation time: the server's leaf must chain to it,
and nothing else is trusted. Connection failures and 503 answers are retried
(``--retries``, default 3); a request the CAS may already have processed is not re-sent
unless it is a read.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import ssl
import tempfile
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from localcas.errors import CliError

__all__ = ["CasClient", "Response"]


@dataclass(frozen=True)
class Response:
    """A decoded JSON answer of the CAS."""

    status: int
    body: Any

    @property
    def messages(self) -> list[str]:
        """The ``msg`` list of an error body (or the body itself)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("msg"), list):
            return [str(m) for m in self.body["msg"]]
        return [str(self.body)]


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
            ctx.load_verify_locations(cadata=chain)
        if identity is not None:
            # ssl loads client keys only from files: a private temporary file, gone at once.
            fd, path = tempfile.mkstemp(prefix="scone-identity-", suffix=".pem")
            try:
                with os.fdopen(fd, "w") as out:
                    out.write(identity)
                ctx.load_cert_chain(path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(path)
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
            conn = http.client.HTTPSConnection(self.host, self.port, context=self._ctx, timeout=30)
            try:
                conn.connect()
                headers = {"Content-Type": "application/json"} if data is not None else {}
                conn.request(method, path, body=data, headers=headers)
                sent = True
                answer = conn.getresponse()
                raw = answer.read()
                status = answer.status
            except ssl.SSLCertVerificationError as err:
                raise CliError(
                    f"The CAS at {self.url} is not the CAS that was attested",
                    f"TLS verification failed: {err.verify_message}",
                    "Attest it again with `scone cas attest` if it was legitimately replaced",
                ) from err
            except (OSError, http.client.HTTPException) as err:
                if attempt < self.retries and (repeatable or not sent):
                    attempt += 1
                    time.sleep(0.2 * attempt)
                    continue
                raise self._connection_error(err, sent) from err
            finally:
                conn.close()
            if status == 503 and attempt < self.retries:
                attempt += 1
                time.sleep(0.2 * attempt)
                continue
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode(errors="replace")
            return Response(status, body)

    def _connection_error(self, err: Exception, sent: bool) -> CliError:
        if isinstance(err, ConnectionRefusedError):
            return CliError(
                f"Cannot connect to CAS at {self.url}: connection refused",
                "Is the CAS running at this address? Check SCONE_CAS_ADDR and start the CAS",
            )
        if isinstance(err, TimeoutError | http.client.HTTPException) or "timed out" in str(err):
            return CliError(f"CAS at {self.url} did not answer in time: {err}")
        what = "lost the connection after sending the request" if sent else "cannot connect"
        return CliError(f"Connection to CAS at {self.url} failed: {what}", str(err))


def session_path(name: str) -> str:
    """The REST path of a session (namespaces keep their '/')."""
    return "/v1/sessions/" + quote(name, safe="/~")
