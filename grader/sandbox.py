"""Provides :class:`Sandbox`: one isolated tree, CAS and environment for grading runs.

Layout (``base`` is shared by all gradings of this user on the machine)::

    base/boxes/<id>/             the sandbox root (the only sandbox a script can see)
        home/                    HOME of the course; home/course/<assignment>/ is the cwd
        tools/scone              the `scone` launcher
        ledger/ledger.jsonl      one line per `scone` call (SCONE_COURSE_LEDGER)
        private/                 the CAS database, its request log, fault plan, events,
                                 checkpoints — hidden from scripts
    base/stash/<id>/             an empty directory the isolation needs

The sandbox owns its CAS (own loopback address, standard ports) and stops it, and removes
the tree, when it is closed — also on Ctrl-C or SIGTERM (the CLI turns SIGTERM into an
exception so that ``with`` blocks unwind).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.catalog import Catalog
from grader.environment import course_environment
from grader.errors import InfrastructureError
from grader.isolation import Isolation, probe, wrap
from localcas.instance import CasInstance, CasStartError, free_loopback_address
from localcas.launcher import write_launcher
from localcas.runtime.tools import write_docker_launcher

__all__ = ["Checkpoint", "Sandbox", "default_base"]


def default_base() -> Path:
    """``$SCONE_GRADER_TMP``, else ``<tmp>/scone-grader-<uid>``."""
    env = os.environ.get("SCONE_GRADER_TMP")
    if env:
        return Path(env)
    return Path(tempfile.gettempdir()) / f"scone-grader-{os.getuid()}"


@dataclass(frozen=True)
class Checkpoint:
    """A saved CAS database and HOME tree, to restart runs from the same state."""

    db: Path
    home: Path


class Sandbox:
    """A fresh grading tree with its own CAS.

    Args:
        catalog: the course (its solutions are hidden from scripts).
        base: where sandboxes live (default :func:`default_base`).
        isolation: how to isolate runs (default: what :func:`probe` finds).
    """

    def __init__(
        self, catalog: Catalog, *, base: Path | None = None, isolation: Isolation | None = None
    ) -> None:
        self.catalog = catalog
        self.base = (base or default_base()).resolve()
        self.isolation = isolation or probe()
        self.id = uuid.uuid4().hex[:12]
        self.root = self.base / "boxes" / self.id
        self.stash = self.base / "stash" / self.id
        self.address = free_loopback_address()
        self.cas: CasInstance | None = None
        self._checkpoints = 0

    # -- paths ------------------------------------------------------------------------

    @property
    def home(self) -> Path:
        """The course HOME."""
        return self.root / "home"

    @property
    def course_dir(self) -> Path:
        """``~/course``: one directory per assignment."""
        return self.home / "course"

    @property
    def tools(self) -> Path:
        """Where the `scone` launcher lives."""
        return self.root / "tools"

    @property
    def ledger(self) -> Path:
        """The `scone` call ledger."""
        return self.root / "ledger" / "ledger.jsonl"

    @property
    def private(self) -> Path:
        """The directory scripts cannot see."""
        return self.root / "private"

    @property
    def db(self) -> Path:
        """The CAS database."""
        return self.private / "cas.db"

    @property
    def request_log(self) -> Path:
        """One JSON line per CAS request (what the CAS did)."""
        return self.private / "requests.jsonl"

    @property
    def events(self) -> Path:
        """Fault events of the CAS (crash points)."""
        return self.private / "events.jsonl"

    def workdir(self, assignment_id: str) -> Path:
        """``~/course/<assignment_id>``, created when missing."""
        path = self.course_dir / assignment_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- life cycle -------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        for path in (self.home, self.tools, self.ledger.parent, self.private, self.stash, self.tmp):
            path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o700)
        write_launcher(self.tools)
        write_docker_launcher(self.tools)
        self.start_cas()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stops the CAS and removes the tree (safe to call twice)."""
        self.stop_cas()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.stash, ignore_errors=True)

    def start_cas(self, fault: dict[str, Any] | None = None) -> None:
        """Starts (or restarts) the sandbox CAS, optionally with a fault plan.

        Raises:
            InfrastructureError: the CAS did not start.
        """
        self.stop_cas()
        plan = None
        if fault is not None:
            plan = self.private / "fault-plan.json"
            plan.write_text(json.dumps(fault), encoding="utf-8")
        self.events.unlink(missing_ok=True)
        cas = CasInstance(
            self.db,
            self.address,
            request_log=self.request_log,
            log=self.private / "cas.log",
            fault_plan=plan,
            events=self.events,
        )
        try:
            self.cas = cas.start()
        except CasStartError as err:
            raise InfrastructureError(f"the sandbox CAS did not start: {err}") from err

    def stop_cas(self) -> None:
        """Stops the CAS if it runs."""
        if self.cas is not None:
            self.cas.stop()
            self.cas = None

    # -- running ----------------------------------------------------------------------

    @property
    def tmp(self) -> Path:
        """``TMPDIR`` of every run: inside the sandbox, so it goes with it."""
        return self.root / "tmp"

    def env(self) -> dict[str, str]:
        """The explicit, minimal environment of every run."""
        env = course_environment(
            home=self.home, tools=self.tools, cas_address=self.address, ledger=self.ledger
        )
        # mktemp and friends write here, not to the machine's /tmp: nothing a run writes
        # (copies of keys included) outlives the sandbox.
        env["TMPDIR"] = str(self.tmp)
        return env

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped so that it runs isolated (when the machine allows)."""
        hide = [self.private, self.catalog.solutions_dir, self.catalog.root / "tests"]
        return wrap(
            argv,
            isolation=self.isolation,
            root=self.root,
            parent=self.base / "boxes",
            stash=self.stash,
            hide=hide,
        )

    # -- checkpoints ------------------------------------------------------------------

    def checkpoint(self) -> Checkpoint:
        """Saves the CAS database (online, with SQLite's backup API) and HOME."""
        self._checkpoints += 1
        target = self.private / "checkpoints" / str(self._checkpoints)
        target.mkdir(parents=True)
        db = target / "cas.db"
        with sqlite3.connect(self.db) as source, sqlite3.connect(db) as copy:
            source.backup(copy)
        copy.close()
        home = target / "home"
        shutil.copytree(self.home, home, symlinks=True)
        return Checkpoint(db, home)

    def restore(self, checkpoint: Checkpoint, fault: dict[str, Any] | None = None) -> None:
        """Puts the CAS and HOME back to ``checkpoint`` and restarts the CAS."""
        self.stop_cas()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(checkpoint.db, self.db)
        shutil.rmtree(self.home)
        shutil.copytree(checkpoint.home, self.home, symlinks=True)
        self.request_log.unlink(missing_ok=True)
        self.start_cas(fault)

    def requests(self) -> list[dict[str, Any]]:
        """The CAS request log so far."""
        if not self.request_log.exists():
            return []
        lines = self.request_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
