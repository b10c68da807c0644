"""End to end in a real terminal: `scone-course` under tmux, as a learner uses it.

It starts the app, opens the shell (the TUI hands the terminal over), runs a command there,
comes back, runs a Check, reads the verdict from the screen, checks again after the shell
(the shell must give the terminal back), and quits. tmux runs on a private socket, so the
test never touches another tmux server; everything it starts is stopped at the end.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.workspace import Workspace

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TUI_COURSE = ROOT / "tests" / "data" / "tui-course"
SCONE_COURSE = Path(sys.executable).with_name("scone-course")


class Terminal:
    """One tmux pane on a private server."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "course")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "course", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "course", "-l", text)
        self.keys("Enter")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Polls the screen until ``text`` shows (a condition, not a fixed sleep)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not show within {timeout:g} s; the screen:\n{screen}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Workspace]]:
    assert shutil.which("tmux"), "tmux is needed (CI installs it: apt-get install tmux)"
    assert SCONE_COURSE.is_file(), f"{SCONE_COURSE} is missing: run `make test` to install"
    workspace = Workspace(tmp_path / "ws")
    env = {
        "SCONE_COURSE_ROOT": str(TUI_COURSE),
        "SCONE_GRADER_TMP": str(tmp_path / "sandboxes"),
        "SCONE_GRADER_CACHE": str(tmp_path / "refcache"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        # An "editor" that appends a line to the file it is given, as a learner's would.
        "EDITOR": 'sh -c \'echo "# edited in EDITOR" >> "$1"\' editor',
        "VISUAL": "",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (
        f"env {exports} {shlex.quote(str(SCONE_COURSE))} --workspace"
        f" {shlex.quote(str(workspace.root))}; echo EXIT:$?; sleep 120"
    )
    term = Terminal(f"scone-course-e2e-{uuid.uuid4().hex[:8]}")
    term.tmux("new-session", "-d", "-s", "course", "-x", "100", "-y", "30", command)
    try:
        yield term, workspace
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True, check=False)
        workspace.stop_cas()


def test_shell_check_and_quit_in_a_real_terminal(terminal: tuple[Terminal, Workspace]) -> None:
    term, workspace = terminal
    term.wait_for("t0-attest")
    term.wait_for("CAS on 127.")  # the practice CAS came up in the background
    assert workspace.cas_running()

    # The shell: the TUI hands the terminal over, in the assignment's directory.
    term.keys("t")
    term.wait_for("(scone-course)")
    term.type('echo "from the shell: $((6 * 7))" | tee from-shell.txt; pwd')
    term.wait_for("from the shell: 42")
    assert (workspace.home / "course" / "t0-attest" / "from-shell.txt").is_file()
    # The learner writes the solution from the shell; the app picks the file up.
    reference = TUI_COURSE / "solutions" / "t0-attest" / "solution.sh"
    term.type(f"cp {shlex.quote(str(reference))} solution.sh")
    term.type("exit")
    term.wait_for("c Check")

    # A Check: the verdict is read from the screen.
    term.keys("c")
    screen = term.wait_for("PASSED", timeout=90)
    assert "run1-succeeds" in screen or "score" in screen
    assert workspace.cas_running(), "a Check must not stop the practice CAS"

    # $EDITOR through the same hand-over: the app shows what the editor wrote.
    script = workspace.script("t0-attest", "bash")
    term.keys("E")
    deadline = time.monotonic() + 20
    while not script.read_text().endswith("# edited in EDITOR\n"):
        assert time.monotonic() < deadline, f"$EDITOR did not run; the screen:\n{term.screen()}"
        time.sleep(0.2)
    term.keys("2")
    term.wait_for("# edited in EDITOR")

    # The shell again after a Check (probes must not have taken the terminal), then quit.
    term.keys("t")
    term.wait_for("exit returns to the course app")
    term.type("exit")
    term.wait_for("c Check")
    term.keys("C-q")
    term.wait_for("EXIT:0")
    assert workspace.progress()["t0-attest"]["passed"] is True
    # The practice CAS outlives the app (it is the learner's, for the next session).
    assert workspace.cas_running()
    assert os.path.isfile(workspace.cas_dir / "cas.pid")
