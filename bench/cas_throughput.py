"""CAS throughput benchmark: session reads and creates over keep-alive HTTPS, 2 threads.

Set-up as in ``cli_startup``: a CAS, a fresh HOME whose CLI attested it and created one
session. Each client thread opens one ``http.client.HTTPSConnection`` (TLS context pinned
to the chain ``scone cas show-certificate`` prints, client certificate = the CLI identity
from the config file) and keeps it open for the whole phase; handshakes happen before
timing starts. A phase ends after ``duration`` seconds or ``count`` requests in total,
whichever comes first.

- phase ``read``: ``GET /v1/sessions/<name>`` (expects 200 and the session's read form)
- phase ``create``: ``POST /v1/sessions`` with a new ``bench-<uuid>`` 0.3 session (201)

Run alone: ``.venv/bin/python bench/cas_throughput.py [--duration S] [--count N]``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import ssl
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cli_startup import AttestedCli, percentile  # noqa: E402

__all__ = ["run"]

TARGET_READS_PER_S = 300.0
TARGET_READ_P99_MS = 20.0

# One request: (method, path, body); its check gets (status, decoded JSON body).
Request = tuple[str, str, bytes | None]


def _ssl_context(chain: str, identity: str, scratch: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the IP SAN
    ctx.load_verify_locations(cadata=chain)
    key_file = scratch / "identity.pem"
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(identity)
    try:
        ctx.load_cert_chain(key_file)
    finally:
        key_file.unlink()
    return ctx


class _Worker(threading.Thread):
    def __init__(
        self,
        host: str,
        ctx: ssl.SSLContext,
        make: Callable[[], Request],
        check: Callable[[int, Any], bool],
        start: threading.Barrier,
        budget: _Budget,
    ) -> None:
        super().__init__(daemon=True)
        self.host, self.ctx, self.make, self.check = host, ctx, make, check
        self.start_line, self.budget = start, budget
        self.latencies: list[float] = []
        self.errors = 0
        self.reconnects = 0
        self.failure: BaseException | None = None
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPSConnection:
        conn = http.client.HTTPSConnection(self.host, 8081, context=self.ctx, timeout=30)
        conn.connect()
        return conn

    def run(self) -> None:
        try:
            self.start_line.wait()
            while self.budget.take():
                method, path, body = self.make()
                headers = {"Content-Type": "application/json"} if body is not None else {}
                started = time.perf_counter()
                try:
                    self.conn.request(method, path, body=body, headers=headers)
                    answer = self.conn.getresponse()
                    raw = answer.read()
                except (OSError, http.client.HTTPException):
                    self.latencies.append(time.perf_counter() - started)
                    self.errors += 1
                    self.conn.close()
                    self.reconnects += 1
                    self.conn = self._connect()
                    continue
                self.latencies.append(time.perf_counter() - started)
                try:
                    ok = self.check(answer.status, json.loads(raw))
                except ValueError:
                    ok = False
                if not ok:
                    self.errors += 1
                if answer.will_close:
                    self.conn.close()
                    self.reconnects += 1
                    self.conn = self._connect()
        except BaseException as err:  # reported by the main thread
            self.failure = err
        finally:
            self.conn.close()


class _Budget:
    """Hands out request slots until ``count`` are taken or ``duration`` has passed."""

    def __init__(self, duration: float, count: int) -> None:
        self.duration, self.count = duration, count
        self.deadline = float("inf")
        self.taken = 0
        self.stopped = threading.Event()
        self._lock = threading.Lock()

    def begin(self) -> None:
        self.deadline = time.perf_counter() + self.duration

    def take(self) -> bool:
        with self._lock:
            if self.stopped.is_set() or self.taken >= self.count:
                return False
            if time.perf_counter() >= self.deadline:
                return False
            self.taken += 1
            return True


def _phase(
    host: str,
    ctx: ssl.SSLContext,
    make: Callable[[], Request],
    check: Callable[[int, Any], bool],
    threads: int,
    duration: float,
    count: int,
) -> dict[str, Any]:
    budget = _Budget(duration, count)
    start = threading.Barrier(threads + 1)
    workers: list[_Worker] = []
    try:
        for _ in range(threads):
            workers.append(_Worker(host, ctx, make, check, start, budget))
        for w in workers:
            w.start()
        budget.begin()
        started = time.perf_counter()
        start.wait()
        for w in workers:
            while w.is_alive():
                w.join(0.2)  # short joins: Ctrl-C stays responsive
        elapsed = time.perf_counter() - started
    finally:
        budget.stopped.set()
        start.abort()
        for w in workers:
            if w.ident is not None:
                w.join(5)
            with contextlib.suppress(Exception):
                w.conn.close()
    for w in workers:
        if w.failure is not None:
            raise RuntimeError(f"client thread failed: {w.failure!r}") from w.failure
    latencies = [v * 1000 for w in workers for v in w.latencies]
    requests = len(latencies)
    errors = sum(w.errors for w in workers)
    return {
        "requests": requests,
        "errors": errors,
        "reconnects": sum(w.reconnects for w in workers),
        "elapsed_s": round(elapsed, 3),
        "req_per_s": round(requests / elapsed, 1) if elapsed > 0 else 0.0,
        "ok_per_s": round((requests - errors) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2) if latencies else float("nan"),
    }


def run(duration: float = 5.0, count: int = 2000, threads: int = 2) -> dict[str, Any]:
    """Runs both phases; returns ``{"parameters", "results", "targets"}``."""
    with AttestedCli() as setup, tempfile.TemporaryDirectory(prefix="bench-tls-") as scratch:
        chain = setup.cli("cas", "show-certificate").stdout
        config = json.loads((setup.home / ".cas" / "config.json").read_text(encoding="utf-8"))
        ctx = _ssl_context(chain, str(config["identity"]), Path(scratch))
        host, name = setup.cas.address, setup.session
        read_path = "/v1/sessions/" + name

        def read() -> Request:
            return "GET", read_path, None

        def read_ok(status: int, body: Any) -> bool:
            return status == 200 and f"name: {name}" in str(body.get("session"))

        def create() -> Request:
            session = {"name": f"bench-{uuid.uuid4().hex}", "version": "0.3"}
            body = json.dumps({"session": session, "mode": "create"}).encode()
            return "POST", "/v1/sessions", body

        def create_ok(status: int, body: Any) -> bool:
            return status == 201 and isinstance(body.get("hash"), str)

        results = {
            "read": _phase(host, ctx, read, read_ok, threads, duration, count),
            "create": _phase(host, ctx, create, create_ok, threads, duration, count),
        }
    r = results["read"]
    return {
        "parameters": {
            "threads": threads,
            "duration_s": duration,
            "max_requests": count,
            "read": "GET /v1/sessions/<own session>",
            "create": "POST /v1/sessions (new bench-<uuid>, version 0.3)",
        },
        "results": results,
        "targets": {
            "read.req_per_s": {
                "target": TARGET_READS_PER_S,
                "value": r["ok_per_s"],
                "op": ">=",
                "met": r["errors"] == 0 and r["ok_per_s"] >= TARGET_READS_PER_S,
            },
            "read.p99_ms": {
                "target": TARGET_READ_P99_MS,
                "value": r["p99_ms"],
                "op": "<",
                "met": r["p99_ms"] < TARGET_READ_P99_MS,
            },
        },
    }


def main(argv: list[str] | None = None) -> int:
    """``python bench/cas_throughput.py [--duration S] [--count N]``: prints JSON."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per phase")
    parser.add_argument("--count", type=int, default=2000, help="max requests per phase")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.duration, args.count), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
