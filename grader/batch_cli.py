"""Provides the `scone-grader batch` and `scone-grader ci` commands."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from grader.backend.options import add_backend_options, backend_spec
from grader.batch import Outcome, Submission, find_submissions, grade_class
from grader.catalog import Catalog
from grader.gradebook import write_reports

__all__ = ["add_parsers", "run_batch", "run_ci"]

_SYMBOL = {"passed": "✓", "failed": "✗", "error": "!"}


def add_parsers(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds ``batch`` and ``ci`` to the grader's command line."""
    batch = verbs.add_parser("batch", help="grade a whole class in parallel")
    batch.add_argument("class_dir", type=Path, help="CLASS_DIR/<student>/<assignment>/solution.sh")
    batch.add_argument("-o", "--out", type=Path, required=True, help="output directory")
    batch.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    batch.add_argument("--assignments", nargs="+", help="only these assignment ids")
    batch.add_argument("--force", action="store_true", help="re-grade unchanged submissions")
    batch.add_argument("--course", type=Path, help="course directory (default: this repository)")
    add_backend_options(batch)
    ci = verbs.add_parser("ci", help="grade the repository this runs in (a learner's repo)")
    ci.add_argument(
        "--path",
        type=Path,
        default=Path("."),
        help="the repository (default: the current directory)",
    )
    ci.add_argument("--junit", type=Path, default=Path("scone-grader-junit.xml"))
    ci.add_argument("--course", type=Path, help="course directory (default: this repository)")


class _Progress:
    """Live counts (rich on a terminal, one plain line per submission elsewhere)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.running = 0
        self.counts = {"passed": 0, "failed": 0, "error": 0}
        self.started = time.monotonic()
        self.live = sys.stderr.isatty()

    def start(self, submission: Submission) -> None:
        self.running += 1

    def finish(self, outcome: Outcome) -> None:
        self.done += 1
        self.running = max(0, self.running - 1) if not outcome.cached else self.running
        self.counts[outcome.verdict] += 1
        elapsed = time.monotonic() - self.started
        graded = max(1, self.done)
        eta = elapsed / graded * (self.total - self.done)
        state = "unchanged" if outcome.cached else f"{outcome.duration_s:.1f} s"
        line = (
            f"[{self.done}/{self.total}] {_SYMBOL[outcome.verdict]} {outcome.submission.label}"
            f" {outcome.verdict} {outcome.score:.0%} ({state})"
        )
        if outcome.first_failure and outcome.verdict != "passed":
            line += f" — {outcome.first_failure.splitlines()[0][:90]}"
        summary = (
            f"done {self.done}/{self.total}, running {self.running},"
            f" failed {self.counts['failed']}, errors {self.counts['error']},"
            f" ETA {eta:.0f} s"
        )
        if self.live:
            print(f"\r\033[K{line}\n{summary}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def run_batch(args: argparse.Namespace, catalog: Catalog) -> int:
    """Grades a class; writes per-submission results and the class reports."""
    backend = backend_spec(args)
    submissions = find_submissions(args.class_dir, catalog, args.assignments)
    if not submissions:
        print(
            f"scone-grader: no submissions found in {args.class_dir}"
            " (expected <student>/<assignment>/solution.sh)",
            file=sys.stderr,
        )
        return 2
    progress = _Progress(len(submissions))
    outcomes = grade_class(
        catalog,
        submissions,
        args.out,
        jobs=args.jobs,
        force=args.force,
        backend=backend,
        on_start=progress.start,
        on_done=progress.finish,
    )
    if progress.live:
        print(file=sys.stderr)
    paths = write_reports(outcomes, args.out)
    errors = sum(o.verdict == "error" for o in outcomes)
    print(
        f"graded {len(outcomes)} submissions: gradebook {paths['gradebook']},"
        f" summary {paths['summary_md']}"
    )
    return 2 if errors else 0


def run_ci(args: argparse.Namespace, catalog: Catalog) -> int:
    """Grades every ``<assignment>/solution.sh|.xsh`` of the repository at ``args.path``."""
    import xml.etree.ElementTree as ET

    from grader.plan import GradeOptions, grade
    from grader.report import render_terminal, to_junit

    root = args.path.resolve()
    found = [
        (a, root / a / name)
        for a in catalog.assignments
        for name in ("solution.sh", "solution.xsh")
        if (root / a / name).is_file()
    ]
    if not found:
        print(f"scone-grader: no <assignment>/solution.sh in {root}", file=sys.stderr)
        return 2
    suites = ET.Element("testsuites", name="scone-course")
    worst = 0
    for assignment_id, script in found:
        result = grade(catalog, assignment_id, script, GradeOptions())
        sys.stdout.write(render_terminal(result, color=sys.stdout.isatty()))
        for suite in ET.fromstring(to_junit(result)).iter("testsuite"):
            suites.append(suite)
        worst = max(worst, {"passed": 0, "failed": 1, "error": 2}[result.verdict])
    args.junit.write_text(ET.tostring(suites, encoding="unicode") + "\n", encoding="utf-8")
    print(f"JUnit report: {args.junit}")
    return worst
