"""Pieces of the black-box backend on their own: the fault proxy over real sockets, the
reading of `scone` command lines, and the backend options."""

from __future__ import annotations

import argparse
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.backend.argv import parse_call
from grader.backend.options import add_backend_options, backend_spec
from grader.backend.proxy import Fault, FaultProxy
from grader.backend.rest import Version, fingerprint
from grader.backend.snapshot import touched_sessions
from grader.errors import UsageError
from localcas.cli.masking import mask_argv as mask
from localcas.instance import free_loopback_address

# -- the proxy ----------------------------------------------------------------------------


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    """A TCP server that answers every chunk with ``ok:<chunk>``."""
    server = socket.create_server((free_loopback_address(), 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(b"ok:" + data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[:2]
    stop.set()
    thread.join(timeout=5)
    server.close()


@pytest.fixture
def proxy(echo: tuple[str, int]) -> Iterator[FaultProxy]:
    with socket.socket() as probe:  # a free port for the proxy's "API" side
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = FaultProxy(free_loopback_address(), {port: echo}, api_port=port).start()
    yield running
    running.stop()


def _ask(proxy: FaultProxy, text: bytes) -> bytes:
    """One connection through the proxy: send, half-close, read everything (a reset,
    which may come at any step, ends the exchange)."""
    port = next(iter(proxy.routes))
    chunks = []
    try:
        with socket.create_connection((proxy.address, port), timeout=5) as conn:
            conn.sendall(text)
            conn.shutdown(socket.SHUT_WR)
            while chunk := conn.recv(1024):
                chunks.append(chunk)
    except TimeoutError:
        raise  # a proxy that neither answers nor closes is a failure
    except ConnectionRefusedError:
        raise  # nothing listens: not what these tests are about
    except OSError:
        pass  # reset (or not connected any more): the connection was cut
    return b"".join(chunks)


def test_proxy_passes_traffic_through_when_not_armed(proxy: FaultProxy) -> None:
    assert _ask(proxy, b"hello") == b"ok:hello"
    assert _ask(proxy, b"again") == b"ok:again"


def test_proxy_drops_the_answer_after_the_kth_commit(proxy: FaultProxy) -> None:
    commits = iter([False, True, True])  # the CAS commits from the second request on
    proxy.arm(Fault("drop", 2, committed=lambda: next(commits), in_flight=lambda: True))
    assert _ask(proxy, b"read") == b"ok:read"  # not committed: passed through
    assert _ask(proxy, b"first") == b"ok:first"  # commit 1 of 2
    assert _ask(proxy, b"second") == b""  # commit 2: the answer never arrives
    assert _ask(proxy, b"after") == b"ok:after"  # fired once


def test_proxy_refuses_the_kth_connection_of_an_upload(proxy: FaultProxy) -> None:
    uploading = threading.Event()
    proxy.arm(Fault("refuse", 1, committed=lambda: False, in_flight=uploading.is_set))
    assert _ask(proxy, b"idle") == b"ok:idle"  # no upload in flight: not counted
    uploading.set()
    assert _ask(proxy, b"upload") == b""
    assert _ask(proxy, b"retry") == b"ok:retry"


# -- command lines ------------------------------------------------------------------------


def test_upload_names_the_session_in_its_file_after_substitution(tmp_path: Path) -> None:
    (tmp_path / "s.yml").write_text('name: $NS/values\nversion: "0.3"\n', encoding="utf-8")
    call = parse_call(["session", "create", "-e", "NS=ns-1", "s.yml"], tmp_path, {})
    assert call.verb == "session create" and call.may_mutate
    assert call.sessions == ["ns-1/values"]
    env = {"NS": "from-env", "HOME": "/h"}
    call = parse_call(["session", "update", "--use-env", "s.yml"], tmp_path, env)
    assert call.sessions == ["from-env/values"] and call.may_mutate
    assert call.config_path(env) == Path("/h/.cas/config.json")
    call = parse_call(["session", "create", "-n", "other", "s.yml"], tmp_path, {})
    assert call.sessions == ["other"]
    missing = parse_call(["session", "create", "s.yml"], tmp_path, {})
    assert missing.sessions == [] and not missing.named  # $NS has no value


def test_reads_and_other_commands(tmp_path: Path) -> None:
    env = {"SCONE_CLI_CONFIG": "/c/config.json"}
    call = parse_call(["-c", "/x.json", "session", "read", "--cas", "c1", "ns"], tmp_path, env)
    assert (call.sessions, call.may_mutate, call.cas) == (["ns"], False, "c1")
    assert call.config_path(env) == Path("/x.json")
    attest = parse_call(["cas", "attest", "-G", "127.0.0.1"], tmp_path, env)
    assert (attest.verb, attest.sessions, attest.may_mutate) == ("cas attest", [], False)
    assert attest.config_path(env) == Path("/c/config.json")


def test_snapshots_cover_the_sessions_uploads_named() -> None:
    records = [
        {"sessions": ["example_session"], "upload": False, "mutated": False},
        {"sessions": ["ns-b/child"], "upload": True, "mutated": True},
        {"sessions": ["ns-a"], "upload": True, "mutated": False},  # e.g. "already exists"
        {"sessions": ["ns-b/child", "ns-c"], "mutated": True},
        {"sessions": ["ns-d"]},
    ]
    assert touched_sessions(records) == ["ns-b/child", "ns-a", "ns-c"]


def test_secret_looking_variables_are_masked() -> None:
    argv = ["session", "create", "-e", "NS=a", "-e", "API_TOKEN=xyz", "s.yml"]
    assert mask(argv) == ["session", "create", "-e", "NS=a", "-e", "API_TOKEN=***", "s.yml"]


def test_a_version_without_hash_is_identified_by_its_text() -> None:
    assert fingerprint(Version("name: a\n", "ab" * 32)) == "ab" * 32
    text = fingerprint(Version("name: a\n", None))
    assert text and text.startswith("text:") and text != fingerprint(Version("name: b\n", None))
    assert fingerprint(None) is None


# -- options ------------------------------------------------------------------------------


def _options(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_backend_options(parser)
    return parser.parse_args(list(argv))


def test_backend_options() -> None:
    assert backend_spec(_options()) is None
    spec = backend_spec(_options("--backend", "scone", "--cas-address", "10.0.0.5"))
    assert spec == {"address": "10.0.0.5", "scone_cmd": None, "page": None}
    with pytest.raises(UsageError, match="needs --cas-address"):
        backend_spec(_options("--backend", "scone"))
    with pytest.raises(UsageError, match="--scone-cmd needs --backend scone"):
        backend_spec(_options("--scone-cmd", "scone"))
