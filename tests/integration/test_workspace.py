"""The learner workspace: its background CAS survives the command that started it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil

from course.workspace import Workspace
from grader.shells import sweep_orphans
from localcas.instance import CasInstance


def _course(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "course.cli", "--workspace", str(ws), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_cas_start_status_stop(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    try:
        assert _course(ws.root, "cas", "status").returncode == 3
        started = _course(ws.root, "cas", "start")
        assert started.returncode == 0, started.stderr
        assert ws.cas_address in started.stdout
        status = _course(ws.root, "cas", "status")
        assert status.returncode == 0 and "running" in status.stdout
        # The CAS serves the course environment's commands.
        env = ws.environment()
        done = subprocess.run(
            ["bash", "-c", '"$SCONE_COURSE_TOOLS/scone" session check <(echo "name: x")'],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert (ws.tools / "scone").stat().st_mode & 0o111
        assert _course(ws.root, "cas", "start").returncode == 0  # already running: reused
    finally:
        stopped = _course(ws.root, "cas", "stop")
    assert stopped.stdout.strip() == "workspace CAS stopped"
    assert _course(ws.root, "cas", "status").returncode == 3


def test_cas_that_cannot_start_is_one_clear_line(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    with CasInstance(tmp_path / "squatter.db", ws.cas_address):
        # Another CAS holds the workspace address but is not the workspace's own.
        (ws.root / "cas").mkdir(parents=True)
        done = _course(ws.root, "cas", "start")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scone-course: the workspace CAS did not start")
    assert "cannot listen" in lines[0] and "Traceback" not in done.stderr


def test_shell_needs_a_terminal(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    try:
        done = _course(ws.root, "shell")
        assert done.returncode == 2 and "needs a terminal" in done.stderr
    finally:
        _course(ws.root, "cas", "stop")


def test_practice_cas_is_no_child_of_the_app_so_the_grader_never_sweeps_it(
    tmp_path: Path,
) -> None:
    # The TUI runs the grader in its own process; without PID namespaces the grader ends
    # every descendant that escaped a graded run. The practice CAS must not be one.
    ws = Workspace(tmp_path / "ws").ensure()
    try:
        ws.start_cas()
        pid = int((ws.cas_dir / "cas.pid").read_text())
        assert pid not in {p.pid for p in psutil.Process().children(recursive=True)}
        assert sweep_orphans(set()) == []
        assert ws.cas_running()
    finally:
        ws.stop_cas()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
