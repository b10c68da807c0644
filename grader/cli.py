"""Provides `scone-grader` (``python -m grader``): grade one script from the command line.

Exit codes: 0 passed, 1 failed, 2 error (the grader, its sandbox, or the way it was
called). Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from grader.backend.options import add_backend_options, backend_from_args
from grader.batch_cli import add_parsers as add_batch_parsers
from grader.batch_cli import run_batch, run_ci
from grader.catalog import Catalog
from grader.errors import GraderError
from grader.events import Event
from grader.isolation import probe
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from grader.report import progress_line, render_terminal, write_json, write_junit
from grader.shells import become_subreaper

__all__ = ["default_course", "main"]

EXIT = {"passed": 0, "failed": 1, "error": 2}


def default_course() -> Path:
    """``$SCONE_COURSE_ROOT``, else the repository this grader belongs to."""
    env = os.environ.get("SCONE_COURSE_ROOT")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Unwind like Ctrl-C, so every sandbox's `with` block stops its CAS and removes its tree.
    raise KeyboardInterrupt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scone-grader", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    g = verbs.add_parser("grade", help="grade one script")
    g.add_argument("--assignment", required=True, help="assignment id, e.g. a2-namespace")
    g.add_argument("--shell", choices=["bash", "xonsh"], help="default: from the extension")
    g.add_argument("--json", type=Path, help="write the result as JSON")
    g.add_argument("--junit", type=Path, help="write the result as JUnit XML")
    g.add_argument("--casts", type=Path, help="keep an asciicast of every run here")
    g.add_argument("--course", type=Path, help="course directory (default: this repository)")
    g.add_argument("--no-crash-runs", action="store_true", help="skip the crash runs")
    g.add_argument("--no-fault-runs", action="store_true", help="skip the fault run")
    g.add_argument("--no-cache", action="store_true", help="always re-run the reference")
    g.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    g.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    add_backend_options(g)
    g.add_argument("script", type=Path, help="the learner's script (.sh or .xsh)")
    add_batch_parsers(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the grader CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    if not probe().available:
        # Without PID namespaces, escaped background processes re-parent to the grader
        # (a child subreaper) and are swept after each run.
        become_subreaper()
    quiet = getattr(args, "quiet", False)

    def progress(event: Event) -> None:
        line = None if quiet else progress_line(event)
        if line:
            print(line, file=sys.stderr, flush=True)

    try:
        catalog = Catalog.load(args.course or default_course())
        if args.verb == "batch":
            return run_batch(args, catalog)
        if args.verb == "ci":
            return run_ci(args, catalog)
        if args.casts is not None:
            args.casts.mkdir(parents=True, exist_ok=True)
        options = GradeOptions(
            shell=args.shell,
            casts=args.casts,
            sink=progress,
            cache=ReferenceCache(None) if args.no_cache else None,
            crash_runs=not args.no_crash_runs,
            fault_runs=not args.no_fault_runs,
            backend=backend_from_args(args),
        )
        result = grade(catalog, args.assignment, args.script, options)
    except GraderError as err:
        print(f"scone-grader: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("scone-grader: interrupted; the sandbox was removed", file=sys.stderr)
        return 130
    color = {"always": True, "never": False}.get(args.color, sys.stdout.isatty())
    sys.stdout.write(render_terminal(result, color=color))
    if args.json is not None:
        write_json(result, args.json)
    if args.junit is not None:
        write_junit(result, args.junit)
    return EXIT[result.verdict]
