"""Provides :class:`CasInstance`: a CAS subprocess on its own loopback address.

Used by the tests, the grader (one CAS per sandbox) and the course (the workspace CAS).
Every address in 127.0.0.0/8 reaches the loopback interface on Linux without any set-up,
so each instance can listen on the standard ports of an address of its own.
"""

from __future__ import annotations

import os
import random
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from localcas.errors import LocalCasError

__all__ = ["CasInstance", "CasStartError", "free_loopback_address", "live_cas_pids"]

READY_PREFIX = "localcas ready on "
_LIVE: set[int] = set()


def live_cas_pids() -> set[int]:
    """Process ids of the CAS instances this process started and has not stopped."""
    return set(_LIVE)


class CasStartError(LocalCasError):
    """The CAS process did not come up; the message carries its stderr."""


def _port_free(address: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def free_loopback_address(ports: tuple[int, ...] = (8081, 18765, 8080)) -> str:
    """A random 127.x.y.z address whose CAS ports are free right now."""
    rng = random.SystemRandom()
    for _ in range(200):
        address = f"127.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
        if all(_port_free(address, p) for p in ports):
            return address
    raise CasStartError("no free loopback address found for a CAS")


class CasInstance:
    """A ``python -m localcas serve`` child process.

    Args:
        db: the database file (its directory is created).
        address: the loopback address; a free random one when None.
        request_log: where the CAS appends one JSON line per request.
        log: where its stderr goes (default: next to the database, ``.log``).
        fault_plan: a fault to inject (localcas.faults); events: where fault events go.
    """

    def __init__(
        self,
        db: Path,
        address: str | None = None,
        *,
        request_log: Path | None = None,
        log: Path | None = None,
        fault_plan: Path | None = None,
        events: Path | None = None,
        python: str = sys.executable,
    ) -> None:
        self.db = db
        self.address = address or free_loopback_address()
        self.request_log = request_log
        self.fault_plan = fault_plan
        self.events = events
        self.python = python
        self.log = log or db.with_suffix(".log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The client API URL, ``https://ADDRESS:8081/``."""
        return f"https://{self.address}:8081/"

    @property
    def page_url(self) -> str:
        """The MRENCLAVE page (the course's ``SCONE_CAS_PAGE``)."""
        return f"http://{self.address}:8080/public-CAS/"

    def start(self, timeout: float = 30.0) -> CasInstance:
        """Starts the process and waits for its ready line.

        Raises:
            CasStartError: it exited or stayed silent; the message includes its stderr.
        """
        command = [
            self.python,
            "-m",
            "localcas",
            "serve",
            "--address",
            self.address,
            "--db",
            str(self.db),
        ]
        for flag, value in (
            ("--request-log", self.request_log),
            ("--fault-plan", self.fault_plan),
            ("--events", self.events),
        ):
            if value is not None:
                command += [flag, str(value)]
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self.db.parent.mkdir(parents=True, exist_ok=True)
        # stderr goes to a file: a pipe nobody reads would block the CAS once it fills.
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, env=env, stdin=subprocess.DEVNULL
            )
        _LIVE.add(self.process.pid)
        assert self.process.stdout is not None
        ready = f"{READY_PREFIX}{self.address}".encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if readable:
                line = self.process.stdout.readline()
                if line.strip() == ready:
                    return self
                if not line:
                    break
            elif self.process.poll() is not None:
                break
        self.stop()
        self.process.stdout.close()
        problem = self.log.read_text(errors="replace").strip().splitlines()[-1:]
        raise CasStartError(
            f"CAS on {self.address} did not start: "
            + (problem[0] if problem else "no ready line in time")
        )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; safe to call twice."""
        process = self.process
        if process is None:
            return
        _LIVE.discard(process.pid)
        if process.stdout is not None:
            process.stdout.close()
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL at once (crash tests)."""
        if self.process is not None and self.process.poll() is None:
            _LIVE.discard(self.process.pid)
            self.process.kill()
            self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> CasInstance:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
