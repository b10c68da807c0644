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
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.errors import WorkspaceCasError
from grader.catalog import Catalog
from grader.errors import CatalogError
from grader.results import GradeResult
from localcas.launcher import write_launcher
from localcas.runtime.tools import write_docker_launcher

__all__ = ["Workspace", "default_workspace"]


def _default_catalog() -> Catalog | None:
    root = Path(os.environ.get("SCONE_COURSE_ROOT") or Path(__file__).resolve().parent.parent)
    try:
        return Catalog.load(root)
    except CatalogError as err:
        print(
            f"scone-course: warning: the course content is broken ({err}); no starters were copied",
            file=sys.stderr,
        )
        return None


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _spawn_detached(argv: list[str], log: Path) -> int:
    """Starts ``argv`` as a daemon that is no descendant of ours; returns its pid.

    The workspace CAS outlives the app that starts it, and it must not be our child: the
    grader (running inside the TUI) ends every descendant that escaped a graded run, and a
    child that dies before we exit would linger as a zombie. A short-lived ``sh`` in a new
    session starts it in the background and exits, so the CAS is re-parented to init.
    """
    done = subprocess.run(
        ["/bin/sh", "-c", '"$@" </dev/null >>"$0" 2>&1 & echo $!', str(log), *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        start_new_session=True,
    )
    return int(done.stdout.strip())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    def authenticator_path(self) -> Path:
        """Where the virtual authenticator keeps the accounts it scanned (mode 0600)."""
        return self.root / "authenticator.json"

    @property
    def cas_address(self) -> str:
        """A loopback address of this workspace's own (stable across restarts)."""
        digest = hashlib.sha256(str(self.root.resolve()).encode()).digest()
        return f"127.{100 + digest[0] % 100}.{digest[1]}.{1 + digest[2] % 250}"

    def ensure(self, catalog: Catalog | None = None) -> Workspace:
        """Creates the directories, (re)writes the launcher and copies each starter once.

        A learner's script is never overwritten: a starter is copied only where no
        ``solution.sh`` / ``solution.xsh`` exists yet.
        """
        for path in (self.home / "course", self.tools, self.cas_dir):
            path.mkdir(parents=True, exist_ok=True)
        write_launcher(self.tools)
        write_docker_launcher(self.tools)
        if catalog is None:
            catalog = _default_catalog()
        for assignment in [] if catalog is None else catalog.assignments.values():
            for shell in assignment.shells:
                target = self.script(assignment.id, shell)
                starter = assignment.starter(shell)
                if not target.exists() and starter.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(starter, target)
        return self

    def script(self, assignment_id: str, shell: str) -> Path:
        """The learner's script for an assignment and shell."""
        extension = ".xsh" if shell == "xonsh" else ".sh"
        return self.home / "course" / assignment_id / f"solution{extension}"

    def preferred_shell(self) -> str:
        """The learner's shell: ``preferences.json`` ``shell``, else bash."""
        return "xonsh" if self.preference("shell") == "xonsh" else "bash"

    def record_result(self, result: GradeResult) -> Path:
        """Keeps a graded result in ``history/`` and updates ``progress.json``."""
        history = self.root / "history"
        history.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = history / f"{stamp}-{result.assignment}-{result.shell}.json"
        _write_json(path, result.to_dict())
        progress_path = self.root / "progress.json"
        try:
            progress = json.loads(progress_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            progress = {}
        entry = progress.setdefault(result.assignment, {"attempts": 0})
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["last_verdict"] = result.verdict
        entry["last_score"] = result.score
        entry["last_result"] = str(path)
        if result.verdict == "passed":
            entry["passed"] = True
        _write_json(progress_path, progress)
        return path

    # -- the TUI's records: hints, solutions, resets, preferences ------------------------

    def progress(self) -> dict[str, Any]:
        """``progress.json``: assignment id → its entry ({} when there is none yet)."""
        return _read_mapping(self.root / "progress.json")

    def _update_entry(self, assignment_id: str, change: Callable[[dict[str, Any]], None]) -> None:
        progress = self.progress()
        change(progress.setdefault(assignment_id, {"attempts": 0}))
        _write_json(self.root / "progress.json", progress)

    def record_hint(self, assignment_id: str, level: int) -> None:
        """Records that hint ``level`` (1-based) was revealed; ``hints`` never goes down."""

        def change(entry: dict[str, Any]) -> None:
            entry["hints"] = max(int(entry.get("hints", 0)), level)
            entry.setdefault("hint_log", []).append({"level": level, "at": _now()})

        self._update_entry(assignment_id, change)

    def record_solution_view(self, assignment_id: str, *, before_passing: bool) -> None:
        """Records a look at the reference solution; the first look, and whether it came
        before passing (after an explicit confirmation), is kept; later ones are counted."""

        def change(entry: dict[str, Any]) -> None:
            seen = entry.setdefault("solution", {"first": _now(), "before_passing": before_passing})
            seen["views"] = int(seen.get("views", 0)) + 1

        self._update_entry(assignment_id, change)

    def record_reset(self, assignment_id: str, backup: Path | None) -> None:
        """Records a reset of an assignment and where the learner's version was kept."""

        def change(entry: dict[str, Any]) -> None:
            kept = None if backup is None else str(backup)
            entry.setdefault("resets", []).append({"at": _now(), "backup": kept})

        self._update_entry(assignment_id, change)

    def preference(self, key: str) -> object:
        """One value of ``preferences.json`` (``shell``, ``last_assignment``, ``watch``)."""
        return _read_mapping(self.root / "preferences.json").get(key)

    def set_preference(self, key: str, value: object) -> None:
        """Stores one value in ``preferences.json``, keeping the others."""
        preferences = _read_mapping(self.root / "preferences.json")
        if preferences.get(key) != value:
            preferences[key] = value
            _write_json(self.root / "preferences.json", preferences)

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
        offset = log.stat().st_size if log.exists() else 0
        pid = _spawn_detached(
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
            log,
        )
        (self.cas_dir / "cas.pid").write_text(f"{pid}\n")
        # Success is this process's own ready line: another program answering on the
        # address (a squatter) must not pass for the workspace CAS.
        ready = f"localcas ready on {self.cas_address}".encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            with open(log, "rb") as src:
                src.seek(offset)
                if ready in src.read():
                    return self.cas_address
            time.sleep(0.05)
        with open(log, "rb") as src:
            src.seek(offset)
            tail = src.read().decode(errors="replace").strip().splitlines()[-1:]
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
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
