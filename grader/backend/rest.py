"""Provides :class:`CasRest`: the documented REST endpoints of a CAS, as a client sees them.

Used by the black-box backend (snapshots, the fault proxy's commit detection) and by the
`scone` shim (hashes before and after a call). Only ``GET /v1/sessions/<name>[?hash=H]``
and ``GET /v1/values/session=<name>`` are used: what a real CAS offers to any client.
Standard library only, because the shim runs once per `scone` call.

The CA chain and the identity come from a `scone` CLI config (``~/.cas/config.json``):
the chain the CLI pinned when it attested the CAS, and the CLI's key and certificate.
The server is checked against that chain under the TLS name ``cas`` (the name the
course's ``curl --connect-to cas:8081:…`` uses), never against the address.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["CasRest", "RestError", "Unreadable", "Version", "cli_config", "fingerprint"]

TLS_NAME = "cas"


class RestError(OSError):
    """The CAS could not be asked (connection, TLS, or an answer that is not JSON)."""


class Unreadable(RestError):
    """The CAS would not show a session to this client (it may or may not exist)."""


@dataclass(frozen=True)
class Version:
    """One session version as REST shows it."""

    text: str
    """The session in read form (YAML), as ``scone session read`` prints it."""
    hash: str | None
    """The version's hash when the CAS says it (localcas does; SCONE's docs do not)."""


def fingerprint(version: Version | None) -> str | None:
    """What identifies a version: its hash, else the SHA-256 of its read form."""
    if version is None:
        return None
    return version.hash or "text:" + hashlib.sha256(version.text.encode()).hexdigest()


def cli_config(path: Path) -> dict[str, Any] | None:
    """A `scone` CLI config, or None when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class CasRest:
    """REST client for one CAS.

    Args:
        host: where the CAS's client API listens (never the fault proxy).
        port: its port (8081).
        chain: the pinned CA chain (PEM).
        identity: key and certificate (PEM) to present; None for a public client.
        timeout: seconds per request.
    """

    def __init__(
        self, host: str, port: int, chain: str, identity: str | None, timeout: float = 20
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._ctx.load_verify_locations(cadata=chain)
        if identity:
            # ssl reads client keys only from files: an anonymous memory file never
            # touches the disk and goes away with its descriptor.
            fd = os.memfd_create("grader-identity", os.MFD_CLOEXEC)
            try:
                os.write(fd, identity.encode())
                self._ctx.load_cert_chain(f"/proc/self/fd/{fd}")
            finally:
                os.close(fd)

    @classmethod
    def from_config(
        cls, config: dict[str, Any], host: str, port: int, cas: str | None = None
    ) -> CasRest | None:
        """A client with the identity and pinned chain of a CLI config (None: not attested)."""
        entries = config.get("cas_db") or {}
        entry = entries.get(cas or config.get("default_cas") or "")
        if entry is None and len(entries) == 1:
            entry = next(iter(entries.values()))
        chain = entry.get("chain") if isinstance(entry, dict) else None
        if not isinstance(chain, str) or not chain.strip():
            return None
        identity = config.get("identity")
        return cls(host, port, chain, identity if isinstance(identity, str) else None)

    def get(self, path: str) -> tuple[int, Any]:
        """One GET; (status, decoded JSON body or None).

        Raises:
            RestError: no answer, or not JSON.
        """
        connection = _Connection(self.host, self.port, self.timeout, self._ctx)
        try:
            connection.request("GET", path, headers={"Accept": "application/json"})
            answer = connection.getresponse()
            raw = answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException) as err:
            raise RestError(f"CAS at {self.host}:{self.port}: {err}") from err
        finally:
            connection.close()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError as err:
            raise RestError(
                f"CAS at {self.host}:{self.port} answered {status} without JSON"
            ) from err

    def version(self, name: str, digest: str | None = None) -> Version | None:
        """The current (or the given) version of a session; None when it does not exist.

        Raises:
            Unreadable: the CAS refuses this client (an existing session it may not read,
                or a CAS that does not say whether it exists).
            RestError: the CAS could not be asked.
        """
        path = "/v1/sessions/" + quote(name, safe="/~")
        if digest:
            path += "?hash=" + quote(digest)
        status, body = self.get(path)
        if status == 404:
            return None
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("session"), str):
            if status >= 500:
                raise RestError(f"CAS answered {status} for {name}")
            raise Unreadable(f"CAS answered {status} for {name}")
        found = body.get("hash")
        return Version(body["session"], found if isinstance(found, str) and found else None)

    def public_values(self, name: str) -> dict[str, dict[str, Any]]:
        """The session's public values (``{secret: {"kind", "value"}}``); {} when none."""
        status, body = self.get("/v1/values/session=" + quote(name, safe="/~"))
        values = body.get("values") if status == 200 and isinstance(body, dict) else None
        return values if isinstance(values, dict) else {}


class _Connection(http.client.HTTPSConnection):
    """HTTPS to an address, checking the server under the CAS's TLS name, not the address."""

    def __init__(self, host: str, port: int, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=TLS_NAME)
