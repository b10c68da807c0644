"""Provides the Rich renderables of the results view: check lines, a failure expanded, the
verdict. Pure functions of grader results (no Textual), so they are easy to test."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from grader.report.terminal import SYMBOLS, failure_body, plain_text, run_outcome, spaced
from grader.results import CheckResult, GradeResult, RunRecord

__all__ = ["STYLES", "check_details", "check_line", "run_line", "verdict_line"]

STYLES = {"passed": "green", "failed": "red", "error": "yellow", "skipped": "dim"}
"""The colour of each check status and verdict."""


def check_line(check: CheckResult) -> Text:
    """``✓ id  title`` (skipped checks dim, with their reason)."""
    line = Text.assemble(
        (SYMBOLS[check.status], STYLES[check.status]),
        " ",
        (check.id, "bold"),
        "  ",
        plain_text(check.title),
    )
    if check.status == "skipped":
        line.stylize("dim")
        if check.message:
            line.append(f" ({plain_text(check.message)})", style="dim italic")
    return line


def run_line(run: RunRecord) -> Text:
    """How one script run ended, on one line."""
    calls = f"{len(run.calls)} scone calls ({len(run.mutating_calls)} mutating)"
    text = Text(f"  {run.label}: {run_outcome(run)} in {run.duration_s:.1f} s, {calls}")
    text.stylize("dim")
    return text


def check_details(
    check: CheckResult, runs: dict[str, RunRecord], *, hints_left: int = 0
) -> RenderableType:
    """A failed (or errored) check expanded: message, expected and actual, diff, the
    transcript excerpt, the check's hint, and where to look next."""
    parts = failure_body(check, runs)
    pointers = []
    if check.run and runs.get(check.run) is not None and runs[check.run].cast:
        pointers.append(f"replay {check.run} in the Replay tab (4)")
    if hints_left:
        pointers.append(f"press h for a lesson hint ({hints_left} left)")
    if pointers:
        parts.append(Text("Next: " + "; ".join(pointers), style="italic"))
    return Group(*spaced(parts))


def verdict_line(result: GradeResult) -> Text:
    """``✗ FAILED  score 60% (6 of 10 checks passed)``, or what an error means."""
    verdict = result.verdict
    head = Text(f"{SYMBOLS[verdict]} {verdict.upper()}", style=f"bold {STYLES[verdict]}")
    statuses = [c.status for c in result.checks]
    if verdict == "error":
        head.append("  the grader failed, not your script: nothing was judged")
        if result.error:
            head.append(f"\n{plain_text(result.error)}", style="yellow")
        return head
    counted = statuses.count("passed") + statuses.count("failed")
    head.append(
        f"  score {result.score:.0%} ({statuses.count('passed')} of {counted} checks passed)"
    )
    if verdict == "passed":
        head.append("\nEvery check passed: the script is idempotent and restartable.")
        head.append(" The reference solution is unlocked (s).", style="italic")
    return head
