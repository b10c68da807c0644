"""Provides the learner's workspace: a course HOME, the tools, and the workspace CAS.

Layout (default ``~/scone-course``; ``--workspace`` or ``$SCONE_COURSE_WORKSPACE``)::

    home/            the course HOME (Assignment 0 edits its .bashrc, never the real one)
    home/course/     the learner's scripts, one directory per assignment
    tools/scone      the `scone` launcher (not on PATH: Assignment 0 aliases it)
    cas/cas.db       the workspace CAS database; cas/cas.pid, cas/cas.log

The workspace CAS runs in the background, detached from the terminal, so it survives the
TUI and shells; its address is derived from the workspace path, so it stays the same.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from course.errors import WorkspaceCasError
from localcas.launcher import write_launcher

__all__ = ["Workspace", "default_workspace"]


def default_workspace() -> Path:
    """``$SCONE_COURSE_WORKSPACE``, else ``~/scone-course``."""
    env = os.environ.get("SCONE_COURSE_WORKSPACE")
    return Path(env).expanduser() if env else Path.home() / "scone-course"


@dataclass(frozen=True)
class Workspace:
    """One learner workspace rooted at ``root``."""

    root: Path

    @property
    def home(self) -> Path:
        """The course HOME."""
        return self.root / "home"

    @property
    def tools(self) -> Path:
        """Where the `scone` launcher lives."""
        return self.root / "tools"

    @property
    def cas_dir(self) -> Path:
        """The workspace CAS's database, pid file and log."""
        return self.root / "cas"

    @property
    def cas_address(self) -> str:
        """A loopback address of this workspace's own (stable across restarts)."""
        digest = hashlib.sha256(str(self.root.resolve()).encode()).digest()
        return f"127.{100 + digest[0] % 100}.{digest[1]}.{1 + digest[2] % 250}"

    def ensure(self) -> Workspace:
        """Creates the directories and (re)writes the launcher; never touches learner files."""
        for path in (self.home / "course", self.tools, self.cas_dir):
            path.mkdir(parents=True, exist_ok=True)
        write_launcher(self.tools)
        return self

    def environment(self) -> dict[str, str]:
        """The course environment every practice shell gets (architecture §4.2)."""
        return {
            "HOME": str(self.home),
            "PATH": os.pathsep.join(
                [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
            ),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "TERM": os.environ.get("TERM", "xterm-256color"),
            "SCONE_CAS_ADDR": self.cas_address,
            "SCONE_CAS_PAGE": f"http://{self.cas_address}:8080/public-CAS/",
            "SCONE_COURSE_TOOLS": str(self.tools),
        }

    # -- the workspace CAS ------------------------------------------------------------

    def _pid(self) -> int | None:
        try:
            pid = int((self.cas_dir / "cas.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"localcas" not in cmdline.read_bytes():
            return None  # a stale pid file naming somebody else's process
        return pid

    def cas_running(self) -> bool:
        """True when the workspace CAS process is alive and its page answers."""
        if self._pid() is None:
            return False
        try:
            with urllib.request.urlopen(self.environment()["SCONE_CAS_PAGE"], timeout=2):
                return True
        except OSError:
            return False

    def start_cas(self, timeout: float = 30.0) -> str:
        """Starts the workspace CAS unless it runs; returns its address.

        Raises:
            WorkspaceCasError: it did not come up; the message names the log and a fix.
        """
        self.ensure()
        if self.cas_running():
            return self.cas_address
        log = self.cas_dir / "cas.log"
        with open(log, "ab") as out:
            offset = out.tell()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "localcas",
                    "serve",
                    "--address",
                    self.cas_address,
                    "--db",
                    str(self.cas_dir / "cas.db"),
                ],
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        (self.cas_dir / "cas.pid").write_text(f"{process.pid}\n")
        # Success is this process's own ready line: another program answering on the
        # address (a squatter) must not pass for the workspace CAS.
        ready = f"localcas ready on {self.cas_address}".encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            with open(log, "rb") as src:
                src.seek(offset)
                if ready in src.read():
                    return self.cas_address
            time.sleep(0.05)
        with open(log, "rb") as src:
            src.seek(offset)
            tail = src.read().decode(errors="replace").strip().splitlines()[-1:]
        if process.poll() is None:
            process.terminate()
            process.wait()
        (self.cas_dir / "cas.pid").unlink(missing_ok=True)
        raise WorkspaceCasError(
            f"the workspace CAS did not start on {self.cas_address}"
            + (f": {tail[0]}" if tail else "")
            + f". See {log}; if another program uses those ports, stop it and retry."
        )

    def stop_cas(self) -> bool:
        """Stops the workspace CAS; returns whether one was running."""
        pid = self._pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        (self.cas_dir / "cas.pid").unlink(missing_ok=True)
        return True
