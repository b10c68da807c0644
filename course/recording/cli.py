"""Provides the ``scone-course record`` subcommand: its arguments and what it does.

Kept apart from ``course/cli.py`` so that the course CLI only wires it in; nothing heavy
is imported until the subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from course.recording.errors import RecordError

if TYPE_CHECKING:  # the modules themselves load only when `record` runs
    from course.recording.recorder import RecordOptions
    from grader.catalog import Catalog

__all__ = ["add_record_parser", "golden_path", "run_record"]


def golden_path(assignment_dir: Path, shell: str) -> Path:
    """Where the transcript golden of an assignment lives: ``transcript.<shell>.txt``."""
    return assignment_dir / f"transcript.{shell}.txt"


def add_record_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``record`` to the subcommands of ``scone-course``."""
    rec = verbs.add_parser(
        "record",
        help="record a screencast of a solution (or --all, or a --live course shell)",
        description="Records an asciicast v2 screencast. Secrets are redacted.",
    )
    rec.add_argument("assignment", nargs="?", help="assignment id, e.g. a2-namespace")
    mode = rec.add_mutually_exclusive_group()
    mode.add_argument("--all", action="store_true", help="every assignment; -o is a directory")
    mode.add_argument("--live", action="store_true", help="a free-form course shell")
    rec.add_argument("-o", "--output", type=Path, required=True, help="FILE.cast (DIR with --all)")
    rec.add_argument(
        "--solution", default="reference", help="'reference' (default) or a script PATH"
    )
    rec.add_argument(
        "--shell", choices=["bash", "xonsh"], help="default: from --solution's extension, else bash"
    )
    rec.add_argument("--transcript", type=Path, help="also write the normalised plain text")
    rec.add_argument(
        "--goldens",
        action="store_true",
        help="write each transcript to assignments/<id>/transcript.<shell>.txt (refresh goldens)",
    )
    rec.add_argument("--cols", type=int, help="terminal columns (default 100)")
    rec.add_argument("--rows", type=int, help="terminal rows (default 30)")
    rec.add_argument("--idle-limit", type=float, default=2.0, help="seconds (default 2)")
    rec.add_argument("--seed", default="scone-course", help="seed of the typing rhythm")
    rec.add_argument("--force", action="store_true", help="replace existing files")


def _positive(value: int | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not 20 <= value <= 1000:
        raise RecordError(f"--{name} must be between 20 and 1000, not {value}")
    return value


def run_record(args: argparse.Namespace, course_root: Path, workspace: Path) -> int:
    """Runs ``scone-course record``; returns the exit code.

    Raises:
        RecordError: bad arguments or a failed recording (one line for the user).
    """
    from grader.catalog import Catalog

    if args.shell is None:
        args.shell = "xonsh" if str(args.solution).endswith(".xsh") else "bash"
    cols = _positive(args.cols, "cols", 100)
    rows = _positive(args.rows, "rows", 30)
    if args.idle_limit <= 0:
        raise RecordError(f"--idle-limit must be positive, not {args.idle_limit:g}")
    if args.live:
        if args.assignment or args.solution != "reference" or args.transcript or args.goldens:
            raise RecordError("--live records a free-form shell: no id, --solution or transcript")
        return _live(args, workspace, cols if args.cols else None, rows if args.rows else None)
    catalog = Catalog.load(course_root)
    if args.all:
        if args.assignment or args.solution != "reference" or args.transcript:
            raise RecordError(
                "--all records every reference solution: no id, --solution or --transcript"
            )
        return _all(args, catalog, cols, rows)
    if not args.assignment:
        raise RecordError("give an assignment id, --all or --live")
    return _one(args, catalog, cols, rows)


def _options(
    args: argparse.Namespace, cols: int, rows: int, solution: Path | None
) -> RecordOptions:
    from course.recording.recorder import RecordOptions

    return RecordOptions(
        shell=args.shell,
        solution=solution,
        cols=cols,
        rows=rows,
        idle_limit=args.idle_limit,
        seed=args.seed,
    )


def _one(args: argparse.Namespace, catalog: Catalog, cols: int, rows: int) -> int:
    from course.recording.recorder import record, write_text_atomic

    solution = None if args.solution == "reference" else Path(args.solution)
    if args.output.suffix != ".cast":
        raise RecordError(f"{args.output}: the output should be a FILE.cast")
    transcript = args.transcript
    golden = None
    if args.goldens:
        if solution is not None or transcript is not None:
            raise RecordError(
                "--goldens records the reference solution; no --solution, --transcript"
            )
        golden = golden_path(catalog.get(args.assignment).directory, args.shell)
    done = record(
        catalog,
        args.assignment,
        args.output,
        options=_options(args, cols, rows, solution),
        transcript=transcript,
        force=args.force,
    )
    if golden is not None:  # a golden is there to be replaced: no --force needed for it
        write_text_atomic(golden, done.transcript)
        transcript = golden
    print(
        f"recorded {args.assignment} ({args.shell}): {done.cast}, {done.steps} steps,"
        f" {done.duration:.0f} s" + (f"; transcript {transcript}" if transcript else ""),
        file=sys.stderr,
    )
    return 0


def _all(args: argparse.Namespace, catalog: Catalog, cols: int, rows: int) -> int:
    from course.recording.recorder import check_output, record, write_text_atomic

    options = _options(args, cols, rows, None)
    directory: Path = args.output
    if directory.exists() and not directory.is_dir():
        raise RecordError(f"{directory} is not a directory (--all writes one cast per assignment)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RecordError(f"cannot create {directory}: {err.strerror}") from None
    chosen = [a for a in catalog.assignments.values() if args.shell in a.shells]
    jobs = []
    for assignment in chosen:  # refuse before recording anything
        cast = directory / f"{assignment.id}.{args.shell}.cast"
        text = directory / f"{assignment.id}.{args.shell}.txt"
        check_output(cast, force=args.force)
        check_output(text, force=args.force)
        jobs.append((assignment, cast, text))
    failed = []
    for assignment, cast, text in jobs:
        try:
            done = record(
                catalog, assignment.id, cast, options=options, transcript=text, force=args.force
            )
        except RecordError as err:
            failed.append(assignment.id)
            print(f"✗ {assignment.id}: {err}", file=sys.stderr, flush=True)
            continue
        if args.goldens:
            write_text_atomic(golden_path(assignment.directory, args.shell), done.transcript)
        print(
            f"✓ {assignment.id}: {cast} ({done.steps} steps, {done.duration:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    if failed:
        raise RecordError(f"{len(failed)} of {len(jobs)} recordings failed: {', '.join(failed)}")
    return 0


def _live(args: argparse.Namespace, workspace: Path, cols: int | None, rows: int | None) -> int:
    from course.recording.live import record_live
    from course.shell import shell_command
    from course.workspace import Workspace

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise RecordError("--live needs a terminal (stdin or stdout is not a TTY)")
    if args.output.suffix != ".cast":
        raise RecordError(f"{args.output}: the output should be a FILE.cast")
    ws = Workspace(workspace).ensure()
    ws.start_cas()
    argv, env = shell_command(ws, shell=args.shell, back="the recorder, which saves the cast")
    # asciinema keeps its own config (an install id) here, not in the course HOME.
    env["ASCIINEMA_CONFIG_HOME"] = str(ws.root / "asciinema")
    record_live(
        argv,
        env,
        ws.home / "course",
        args.output,
        secrets_db=ws.cas_dir / "cas.db",
        cols=cols,
        rows=rows,
        idle_limit=args.idle_limit,
        force=args.force,
    )
    print(f"recorded the course shell: {args.output} (secrets redacted)", file=sys.stderr)
    return 0
