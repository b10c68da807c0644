"""Provides :func:`shell_command`: an interactive course shell, bash or xonsh.

The shell has the course environment (course HOME, the workspace CAS, the tools), the
course CLI on its PATH, a prompt that says where the learner is, and a greeting that
says how to get back. The learner's own rc file (``~/.bashrc`` or ``~/.xonshrc`` of the
course HOME, which Assignment 0 edits) is loaded too, so the alias they wrote works there.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from course.workspace import Workspace

__all__ = ["shell_command"]

_BASH_RC = """# scone-course practice shell (bash)
PS1='(scone-course) \\w \\$ '
[ -f ~/.bashrc ] && . ~/.bashrc
echo "SCONE course shell (bash). CAS at $SCONE_CAS_ADDR (page: $SCONE_CAS_PAGE)."
echo "Your scripts: ~/course/<assignment>/solution.sh. Grade one: scone-course check <id>."
echo "The scone launcher is $SCONE_COURSE_TOOLS/scone; exit returns to {back}."
"""

_XONSH_RC = """# scone-course practice shell (xonsh)
from pathlib import Path as _Path
if (_Path.home() / ".xonshrc").is_file():
    source ~/.xonshrc
del _Path
$PROMPT = '(scone-course) {{cwd}} $ '
print(f"SCONE course shell (xonsh). CAS at {{$SCONE_CAS_ADDR}} (page: {{$SCONE_CAS_PAGE}}).")
print("Your scripts: ~/course/<assignment>/solution.xsh. Grade one: scone-course check <id>.")
print(f"The scone launcher is {{$SCONE_COURSE_TOOLS}}/scone; exit returns to {back}.")
"""


def _xonsh() -> str:
    beside = Path(sys.executable).with_name("xonsh")  # the venv's, pinned with the course
    return str(beside) if beside.is_file() else shutil.which("xonsh") or "xonsh"


def shell_command(
    ws: Workspace, *, shell: str = "bash", back: str = "your terminal"
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of an interactive course shell.

    Args:
        ws: The workspace whose HOME, tools and CAS the shell uses.
        shell: ``bash`` or ``xonsh``.
        back: Where ``exit`` returns to, for the shell's greeting.

    Returns:
        ``argv`` and ``env`` for :func:`subprocess.call`; the caller picks the directory.
    """
    env = ws.environment()
    # The course CLI itself must be reachable from the course shell, for this workspace
    # and course (HOME is the course HOME there, so the defaults would point elsewhere).
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env["PATH"]])
    env["SCONE_COURSE_WORKSPACE"] = str(ws.root)
    if "SCONE_COURSE_ROOT" in os.environ:
        env["SCONE_COURSE_ROOT"] = os.environ["SCONE_COURSE_ROOT"]
    if shell == "xonsh":
        rc = ws.root / "shell.xonshrc"
        rc.write_text(_XONSH_RC.format(back=back), encoding="utf-8")
        return [_xonsh(), "--rc", str(rc), "-i"], env
    rc = ws.root / "shell.rc"
    rc.write_text(_BASH_RC.replace("{back}", back), encoding="utf-8")
    return ["bash", "--rcfile", str(rc), "-i"], env
