"""Provides the CAS client API (HTTPS, port 8081): routes and error translation.

Endpoints (SCONE's documented ones, plus our own upload endpoint, whose real shape SCONE
does not document):

- ``GET /v1/sessions/<name>[?hash=H]`` → ``{"session": <read-form YAML>, "hash": H}``
- ``POST /v1/sessions`` with ``{"session": {...}, "mode": "create"|"update"}``
  → ``{"hash": H, "action": "created"|"updated", "name": N}``
- ``GET /v1/values/session=<name>[,secret=<s>]`` → public values only; ``HEAD`` → 405
- ``GET /v1/attest`` → the emulated attestation report; ``GET /v1/version``

Errors are ``{"msg": [..]}`` with a meaningful status.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from localcas import __version__, policy
from localcas.access import Client
from localcas.attestation import report
from localcas.cas import Cas
from localcas.errors import CasRequestError, PolicyError, RequestTooLarge
from localcas.faults import FaultPlan
from localcas.keyhash import key_hash_of_cert_der

__all__ = ["MAX_BODY", "ApiContext", "make_handler"]

MAX_BODY = 1024 * 1024
"""Largest request body accepted; larger ones get 413."""
_DRAIN_LIMIT = 16 * MAX_BODY
"""An unread body up to this size is read and dropped before answering, so the client
sees the answer (not a reset) and the connection stays usable; a larger one closes it."""


@dataclass
class ApiContext:
    """What every connection of one CAS shares."""

    cas: Cas
    chain: str
    request_log: Callable[[dict[str, Any]], None] | None = None
    """Called with one record per request (the grader's view of what the CAS did)."""
    faults: FaultPlan | None = None
    events: Callable[[dict[str, Any]], None] | None = None
    """Called with fault events (``crash-point``) for the grader."""
    enclave: bool = False
    """True for the enclave API (port 18765): the runtime's configuration requests."""
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Withhold(Exception):
    """Raised by a route to leave the request unanswered (fault injection)."""

    def __init__(self, action: str, record: dict[str, Any]) -> None:
        super().__init__(action)
        self.action = action
        self.record = record


class _Writer:
    """The ``wfile`` of a handler: writes straight to the TLS stream."""

    def __init__(self, write: Callable[[bytes], int]) -> None:
        self.write = write

    def flush(self) -> None:
        """Nothing to flush: every write goes out at once."""


def make_handler(ctx: ApiContext) -> type[BaseHTTPRequestHandler]:
    """A request-handler class bound to ``ctx`` (http.server wants a class)."""

    class Handler(_ApiHandler):
        context = ctx

    return Handler


class _ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"localcas/{__version__}"
    context: ApiContext
    client: Client
    _body_consumed: bool = False

    def setup(self) -> None:
        # ``request`` is a (TlsStream, peer certificate DER or None) pair set up by the
        # listener; http.server's default setup would call socket.makefile instead.
        import io

        stream, peer_der = self.request
        self.connection = stream
        self.rfile = io.BufferedReader(stream, 65536)
        self.wfile = _Writer(stream.write)  # type: ignore[assignment]
        if peer_der is None:
            self.client = Client()
        else:
            import base64

            from localcas.keyhash import cert_pem_blocks

            pem = "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(peer_der).decode()
            pem = cert_pem_blocks(pem + "-----END CERTIFICATE-----\n")[0]
            self.client = Client(pem, key_hash_of_cert_der(peer_der))

    def finish(self) -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a CAS serving a course should not chatter on stderr."""

    # -- plumbing ---------------------------------------------------------------------

    def handle_one_request(self) -> None:
        self._body_consumed = False
        super().handle_one_request()

    def _settle_body(self) -> None:
        """Consumes a request body the route did not read (or gives up the connection)."""
        if self._body_consumed or self.command == "HEAD":
            return
        self._body_consumed = True
        try:
            remaining = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            remaining = -1
        if remaining < 0 or remaining > _DRAIN_LIMIT:
            self.close_connection = True
            return
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                self.close_connection = True
                return
            remaining -= len(chunk)

    def _send(self, status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        self._settle_body()
        data = json.dumps(body).encode()
        head = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        head += [f"{k}: {v}" for k, v in (extra or {}).items()]
        if self.close_connection:
            head.append("Connection: close")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode()
        self.wfile.write(payload if self.command == "HEAD" else payload + data)

    def _error(self, status: int, *messages: str, extra: dict[str, str] | None = None) -> None:
        self._send(status, {"msg": list(messages)}, extra)

    def _dispatch(self, route: Callable[[], tuple[int, dict[str, Any]]]) -> None:
        started = time.perf_counter()
        status = 500
        self._log_extra: dict[str, Any] = {}
        try:
            status, body = route()
            self._send(status, body)
        except _Withhold as held:
            status = 0
            self.close_connection = True
            self._log_extra.update(held.record)
            if held.action == "hold" and self.context.events is not None:
                self.context.events({"event": "crash-point", **held.record})
                self._wait_for_client_to_leave()
        except CasRequestError as err:
            status = err.status
            if isinstance(err, RequestTooLarge):
                self.close_connection = True
            self._error(status, *err.messages)
        except PolicyError as err:
            status = 400
            self._error(status, f"Invalid session description: {err.describe()}")
        except (OSError, TimeoutError):
            self.close_connection = True
            raise
        except Exception as err:  # the CAS must answer even when it has a bug
            status = 500
            self._error(status, f"Internal CAS error: {type(err).__name__}: {err}")
        finally:
            if self.context.request_log is not None:
                self.context.request_log(
                    {
                        "method": self.command,
                        "path": self.path,
                        "status": status,
                        "client": self.client.key_hash,
                        "duration_s": round(time.perf_counter() - started, 6),
                        "mutated": False,
                        **self._log_extra,
                    }
                )

    def _wait_for_client_to_leave(self, limit: float = 120.0) -> None:
        """Holds the connection open, unanswered, until the client closes it."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                if not self.rfile.read1(1):
                    return
            except (OSError, TimeoutError):
                return

    def _body(self) -> Any:
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise CasRequestError("A request body with Content-Length is required")
        try:
            length = int(length_text)
        except ValueError as err:
            raise CasRequestError("Content-Length is not a number") from err
        if length > MAX_BODY:
            self._settle_body()
            raise RequestTooLarge(
                f"Request body of {length} bytes exceeds the limit of {MAX_BODY} bytes"
            )
        self._body_consumed = True
        try:
            return json.loads(self.rfile.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise CasRequestError(f"Request body is not valid JSON: {err}") from err

    # -- methods ----------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch(self._route_get)

    def do_HEAD(self) -> None:
        # The course's Assignment 5 probes private values with `curl -I` and expects 405.
        self._error(405, "Method HEAD is not allowed", extra={"Allow": "GET"})

    def do_POST(self) -> None:
        self._dispatch(self._route_post)

    def do_PUT(self) -> None:
        self._error(405, "Method PUT is not allowed")

    def do_DELETE(self) -> None:
        self._error(405, "Sessions are never deleted")

    def _route_get(self) -> tuple[int, dict[str, Any]]:
        url = urlsplit(self.path)
        path = unquote(url.path)
        cas = self.context.cas
        if path.startswith("/v1/sessions/"):
            name = path[len("/v1/sessions/") :]
            digest = parse_qs(url.query).get("hash", [None])[0]
            version = cas.read(self.client, name, digest)
            # No final newline, so `jq -r .session > f` writes exactly what `session read` prints.
            text = policy.read_form(version.description).rstrip("\n")
            return 200, {"session": text, "hash": version.hash}
        if path.startswith("/v1/values/"):
            session, secret = _value_selector(path[len("/v1/values/") :])
            return 200, cas.public_values(session, secret)
        if path == "/v1/attest":
            return 200, report(self.context.chain)
        if path == "/v1/version":
            return 200, {"version": f"localcas {__version__}"}
        raise _not_found(path)

    def _route_enclave(self, path: str) -> tuple[int, dict[str, Any]]:
        from localcas.enclave import AttestationFailed, service_config

        body = self._body()
        if not isinstance(body, dict):
            raise CasRequestError("Expected a JSON object")
        cas = self.context.cas
        if path == "/v1/enclave/config":
            try:
                with self.context.lock:
                    config = service_config(
                        cas, str(body.get("config_id", "")), str(body.get("mrenclave", ""))
                    )
            except AttestationFailed as err:
                return 403, {"msg": err.causes}
            return 200, config
        if path == "/v1/enclave/volume-tag":
            swapped = cas.store.swap_volume_tag(
                str(body.get("session")),
                str(body.get("volume")),
                body.get("old"),
                str(body.get("new")),
            )
            if not swapped:
                return 409, {"msg": ["the supplied tag is not fresh - suspected replay attack"]}
            return 200, {"tag": body.get("new")}
        raise _not_found(path)

    def _route_post(self) -> tuple[int, dict[str, Any]]:
        path = urlsplit(self.path).path
        if self.context.enclave:
            return self._route_enclave(path)
        if path != "/v1/sessions":
            raise _not_found(path)
        body = self._body()
        if not isinstance(body, dict) or not isinstance(body.get("session"), dict):
            raise CasRequestError('Expected a JSON object {"session": {...}, "mode": ...}')
        mode = body.get("mode", "create")
        if mode not in ("create", "update"):
            raise CasRequestError("mode must be 'create' or 'update'")
        faults = self.context.faults
        if faults is not None and faults.before_upload() == "reject":
            return 503, {"msg": ["CAS is temporarily unavailable (injected fault)"]}
        with self.context.lock:
            result = self.context.cas.upload(self.client, body["session"], mode)
        self._log_extra = {"mutated": True, "session": result.name, "action": result.action}
        if faults is not None:
            action = faults.after_commit()
            if action != "none":
                raise _Withhold(
                    action, {**self._log_extra, "fault": action, "mutation": faults.commits}
                )
        return 201 if result.action == "created" else 200, {
            "hash": result.hash,
            "action": result.action,
            "name": result.name,
        }


def _not_found(path: str) -> CasRequestError:
    from localcas.errors import NotFound

    return NotFound(f"No such endpoint: {path}")


def _value_selector(selector: str) -> tuple[str, str | None]:
    """Parses ``session=<name>[,secret=<s>]`` (names contain '/', never ',')."""
    fields: dict[str, str] = {}
    for part in selector.split(","):
        key, sep, value = part.partition("=")
        if not sep or key not in ("session", "secret") or key in fields:
            raise CasRequestError(
                f"Malformed value selector '{selector}'", "Expected session=<name>[,secret=<name>]"
            )
        fields[key] = value
    if "session" not in fields:
        raise CasRequestError(f"Malformed value selector '{selector}': session= is missing")
    return fields["session"], fields.get("secret")


def plain_http_refusal(sock: socket.socket) -> None:
    """Answers a plain-HTTP request on the TLS port with a readable 400 and closes."""
    body = b"This is the CAS client API; it speaks HTTPS only. Use https:// (port 8081).\n"
    sock.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
