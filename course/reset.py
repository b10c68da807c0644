"""Provides :class:`Reset`: an assignment back to where it starts, script and practice CAS.

Two parts, both told to the learner line by line:

1. the learner's script is kept as ``solution.sh.bak-<stamp>`` and the starter copied in;
2. the workspace CAS is stopped, its database moved aside (kept, not deleted), a fresh
   CAS started, and the reference solutions of the assignment's prerequisites replayed
   against it, each in its own ``~/course/<prerequisite>/`` with the course environment.
   A reference runs from a temporary copy outside the course HOME that is removed
   afterwards, so the learner's directories never hold a reference solution.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.workspace import Workspace
from grader.catalog import Assignment, Catalog
from grader.prerequisites import shell_for

__all__ = ["Reset", "ResetReport"]

_DB_FILES = ("cas.db", "cas.db-wal", "cas.db-shm")


@dataclass(frozen=True)
class ResetReport:
    """What a reset did, in the learner's words."""

    lines: tuple[str, ...]
    ok: bool
    """False when a step failed (the lines say which, and what to do)."""
    backup: Path | None = None
    """Where the learner's previous script was kept, if there was one."""


def _unique(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


class Reset:
    """Resets one assignment of a workspace for one shell."""

    def __init__(
        self, workspace: Workspace, catalog: Catalog, assignment_id: str, shell: str
    ) -> None:
        self.workspace = workspace
        self.catalog = catalog
        self.assignment: Assignment = catalog.get(assignment_id)
        self.shell = shell
        self.stamp = time.strftime("%Y%m%d-%H%M%S")

    def _shown(self, path: Path) -> str:
        """``path`` as the course shell sees it (``~`` is the course HOME)."""
        try:
            return "~/" + str(path.relative_to(self.workspace.home))
        except ValueError:
            return str(path)

    def restore_starter(self) -> tuple[list[str], Path | None]:
        """Backs the learner's script up and copies the starter in; returns what it said
        and the backup's path."""
        script = self.workspace.script(self.assignment.id, self.shell)
        starter = self.assignment.starter(self.shell)
        lines: list[str] = []
        backup = None
        if script.is_file():
            backup = _unique(script.with_name(f"{script.name}.bak-{self.stamp}"))
            shutil.copy2(script, backup)
            lines.append(f"Your script was kept as {self._shown(backup)}.")
        if starter.is_file():
            script.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(starter, script)
            lines.append(f"The starter is back in {self._shown(script)}.")
        else:
            lines.append("This assignment has no starter; your script stays as it is.")
        return lines, backup

    def reset_cas(self) -> list[str]:
        """Gives the workspace a fresh CAS in the state this assignment starts from.

        Raises:
            CourseError: the CAS would not start, or a prerequisite's reference failed
                (the message says what to do).
        """
        ws = self.workspace
        lines = []
        if ws.stop_cas():
            lines.append("The practice CAS was stopped.")
        moved = []
        for name in _DB_FILES:
            source = ws.cas_dir / name
            if source.exists():
                target = _unique(ws.cas_dir / f"cas.db.bak-{self.stamp}{name[len('cas.db') :]}")
                os.replace(source, target)
                moved.append(target.name)
        if moved:
            lines.append(f"Its database was moved aside to cas/{moved[0]} in the workspace.")
        address = ws.start_cas()
        lines.append(f"A fresh practice CAS runs on {address}.")
        for prerequisite_id in self.assignment.prerequisites:
            lines.append(self._replay(self.catalog.get(prerequisite_id)))
        if not self.assignment.prerequisites:
            lines.append("This assignment has no prerequisites: the CAS starts empty.")
        return lines

    def _replay(self, prerequisite: Assignment) -> str:
        from grader.shells import driver_for  # pexpect and the sandbox: only when needed

        shell = shell_for(prerequisite, self.shell)
        reference = prerequisite.reference(shell)
        workdir = self.workspace.home / "course" / prerequisite.id
        workdir.mkdir(parents=True, exist_ok=True)
        prefix = f"scone-reset-{prerequisite.id}-"
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=reference.suffix)
        copy = Path(name)
        try:
            os.close(handle)
            shutil.copyfile(reference, copy)
            try:
                done = subprocess.run(
                    driver_for(copy, shell).argv(copy),
                    cwd=workdir,
                    env=self.workspace.environment(),
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    errors="replace",
                    timeout=prerequisite.timeout,
                    # No controlling terminal: a reference that starts an interactive shell
                    # must not take the TUI's terminal.
                    start_new_session=True,
                )
            except subprocess.TimeoutExpired as err:
                raise CourseError(
                    f"the reference of {prerequisite.id} took longer than"
                    f" {prerequisite.timeout:g} s; reset again when the machine is less busy"
                ) from err
        finally:
            copy.unlink(missing_ok=True)
        if done.returncode != 0:
            tail = " / ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
            raise CourseError(
                f"the reference of {prerequisite.id} failed (exit {done.returncode}: {tail});"
                " this is not your fault: reset again, and tell the course authors if it stays"
            )
        return f"Replayed the reference of {prerequisite.id} in {self._shown(workdir)}."

    def run(self) -> ResetReport:
        """Does both parts and records the reset; never raises for a failed step."""
        lines, backup = self.restore_starter()
        ok = True
        try:
            lines += self.reset_cas()
        except (CourseError, OSError) as err:
            ok = False
            lines.append(f"The practice CAS could not be reset: {err}")
        self.workspace.record_reset(self.assignment.id, backup)
        return ResetReport(tuple(lines), ok, backup)
