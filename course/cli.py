"""Provides `scone-course`: the learner's entry point.

Until the TUI lands, `scone-course` (and `make course`) starts the workspace CAS and opens
a course shell. Subcommands: ``shell``, ``cas status|start|stop``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from course.errors import CourseError
from course.workspace import Workspace, default_workspace

__all__ = ["main"]

_RC = """# scone-course practice shell
PS1='(scone-course) \\w \\$ '
[ -f ~/.bashrc ] && . ~/.bashrc
echo "SCONE course shell. CAS at $SCONE_CAS_ADDR (page: $SCONE_CAS_PAGE)."
echo "The scone launcher is $SCONE_COURSE_TOOLS/scone; exit returns to your terminal."
"""


def _shell(ws: Workspace) -> int:
    ws.start_cas()
    rc = ws.root / "shell.rc"
    rc.write_text(_RC, encoding="utf-8")
    env = ws.environment()
    cwd = ws.home / "course"
    if not sys.stdin.isatty():
        print(
            "scone-course: a course shell needs a terminal (stdin is not a TTY).", file=sys.stderr
        )
        return 2
    return subprocess.call(["bash", "--rcfile", str(rc), "-i"], cwd=cwd, env=env)


def main(argv: list[str] | None = None) -> int:
    """Runs `scone-course`."""
    parser = argparse.ArgumentParser(prog="scone-course", description="The SCONE tutorial course")
    parser.add_argument(
        "--workspace", type=Path, help="workspace directory (default ~/scone-course)"
    )
    verbs = parser.add_subparsers(dest="verb")
    verbs.add_parser("shell", help="open a course shell (the default for now)")
    cas = verbs.add_parser("cas", help="control the workspace CAS")
    cas.add_argument("action", choices=["status", "start", "stop"])
    args = parser.parse_args(argv)
    ws = Workspace((args.workspace or default_workspace()).expanduser()).ensure()
    try:
        if args.verb == "cas":
            if args.action == "status":
                running = ws.cas_running()
                state = "running" if running else "not running"
                print(
                    f"workspace CAS on {ws.cas_address}: {state} (database {ws.cas_dir / 'cas.db'})"
                )
                return 0 if running else 3
            if args.action == "start":
                print(f"workspace CAS running on {ws.start_cas()}")
                return 0
            print("workspace CAS stopped" if ws.stop_cas() else "workspace CAS was not running")
            return 0
        return _shell(ws)
    except CourseError as err:
        print(f"scone-course: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
