"""Provides the terminal report a learner reads, and one-line progress messages.

The report leads with the first failing check, expanded (expected and actual, diff, end of
the transcript, hint): the one thing the learner has to act on. All checks and the runs
follow. It is a pure function: the same result, width and colour give the same text.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from grader.events import (
    CheckFinished,
    Event,
    GradingFinished,
    PhaseStarted,
    RunFinished,
    RunStarted,
)
from grader.results import CheckResult, GradeResult, RunRecord

__all__ = [
    "EXCERPT_LINES",
    "SYMBOLS",
    "failure_body",
    "plain_text",
    "progress_line",
    "render_terminal",
    "run_outcome",
    "spaced",
]

EXCERPT_LINES = 20
"""How many transcript lines the expanded failure shows (the end of the output)."""

SYMBOLS = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "–"}
"""The mark of each check status and verdict."""
_STYLES = {"passed": "green", "failed": "red", "error": "yellow", "skipped": "dim"}

# CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, two-byte escapes, 8-bit CSI.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]|\x9b[0-?]*[ -/]*[@-~]"
)
# Every other control character but tab and newline (C0, DEL, C1).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain_text(text: str) -> str:
    """Returns ``text`` with ANSI sequences and control characters removed.

    ``\\r\\n`` becomes ``\\n``; a line a program redrew with ``\\r`` (a progress counter)
    keeps only its last drawing, as the terminal showed it.
    """
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    if "\r" in text:
        lines = []
        for line in text.split("\n"):
            drawn = [part for part in line.split("\r") if part]
            lines.append(drawn[-1] if drawn else "")
        text = "\n".join(lines)
    return _CONTROL.sub("", text)


def _first_line(text: str, limit: int = 100) -> str:
    line = plain_text(text).strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _symbol(status: str) -> Text:
    return Text(SYMBOLS[status], style=_STYLES[status])


def _header(result: GradeResult) -> Text:
    verdict, statuses = result.verdict, [c.status for c in result.checks]
    counted = statuses.count("passed") + statuses.count("failed")
    score = f"score {result.score:.0%} ({statuses.count('passed')} of {counted} checks passed)"
    if verdict == "error":
        score = "not scored"
    return Text.assemble(
        (f"{SYMBOLS[verdict]} {verdict.upper()}", f"bold {_STYLES[verdict]}"),
        "  ",
        (plain_text(result.assignment), "bold"),
        f" ({plain_text(result.shell)})  ",
        score,
    )


def _excerpt(check: CheckResult, runs: dict[str, RunRecord]) -> Panel | None:
    # The check's own excerpt is the part that shows the problem; without one, the end of
    # its run's transcript is the next best thing (where a script stops is where it broke).
    source, where = check.excerpt, "excerpt"
    run = runs.get(check.run) if check.run else None
    if not source and run is not None and run.transcript:
        source, where = run.transcript, f"output of {run.label}"
    if not source:
        return None
    lines = plain_text(source).rstrip("\n").split("\n")
    if len(lines) > EXCERPT_LINES:
        where += f", last {EXCERPT_LINES} of {len(lines)} lines"
    elif check.excerpt and check.run:
        where += f" from {check.run}"
    shown = Text("\n".join(lines[-EXCERPT_LINES:]))
    return Panel(shown, title=Text(where), title_align="left", border_style="dim")


def failure_body(check: CheckResult, runs: dict[str, RunRecord]) -> list[RenderableType]:
    """What a failed (or errored) check shows: message, expected and actual, the diff, the
    transcript excerpt and the hint, in that order (the TUI shows the same parts)."""
    body: list[RenderableType] = []
    if check.message:
        body.append(Text(plain_text(check.message)))
    if check.expected is not None or check.actual is not None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in (("Expected", check.expected), ("Actual", check.actual)):
            if value is not None:
                grid.add_row(label, Text(plain_text(value)))
        body.append(grid)
    if check.diff:
        # ansi_dark uses the terminal's own colours and no background, so it stays
        # readable on light and dark themes alike.
        diff = plain_text(check.diff).rstrip("\n")
        code = Syntax(diff, "diff", theme="ansi_dark", word_wrap=True)
        body.append(Group(Text("Diff", style="bold"), code))
    excerpt = _excerpt(check, runs)
    if excerpt is not None:
        body.append(excerpt)
    if check.hint:
        body.append(Text.assemble(("Hint: ", "bold cyan"), plain_text(check.hint)))
    return body


def _failure(check: CheckResult, runs: dict[str, RunRecord]) -> RenderableType:
    """The expanded view of one failed (or errored) check."""
    head = Text.assemble(
        _symbol(check.status), " ", (check.id, "bold"), ": ", plain_text(check.title)
    )
    body = failure_body(check, runs)
    return Group(head, Padding(Group(*spaced(body)), (0, 0, 0, 2)))


def spaced(items: list[RenderableType]) -> list[RenderableType]:
    """``items`` with an empty line between each two."""
    out: list[RenderableType] = []
    for item in items:
        if out:
            out.append(Text(""))
        out.append(item)
    return out


def _error_panel(result: GradeResult) -> Panel:
    said = "This is not your fault: the grader or its sandbox failed; your script was not judged."
    lines: list[RenderableType] = [Text(said, style="bold")]
    if result.error:
        lines.append(Text(plain_text(result.error)))
    for check in result.checks:
        if check.status == "error":
            lines.append(Text(f"{check.id}: {plain_text(check.message or check.title)}"))
    return Panel(Group(*spaced(lines)), title="grading error", border_style="yellow")


def _checks_table(result: GradeResult) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(overflow="fold")
    for check in result.checks:
        what = Text(plain_text(check.title))
        if check.status == "skipped":
            what.stylize("dim")
            if check.message:
                what.append(f"\nskipped: {plain_text(check.message)}", style="dim italic")
        table.add_row(_symbol(check.status), check.id, what)
    return table


def run_outcome(run: RunRecord) -> str:
    """How a run ended, in two or three words (``exit 1``, ``timed out``, …)."""
    if run.timed_out:
        return "timed out"
    if run.exit_code is None:
        if run.killed_at_call is not None:
            return f"killed after call {run.killed_at_call}"
        return "killed"
    return f"exit {run.exit_code}"


def _cast_names(runs: list[RunRecord]) -> tuple[dict[str, str], str | None]:
    """Cast column entries, and the directory they share (named once, not per row)."""
    paths = {run.label: PurePath(run.cast) for run in runs if run.cast}
    parents = {path.parent for path in paths.values()}
    if len(parents) == 1:
        return {label: path.name for label, path in paths.items()}, str(parents.pop())
    return {label: str(path) for label, path in paths.items()}, None


def _runs(runs: list[RunRecord]) -> Group:
    table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    for name in ("run", "result", "time", "scone calls"):
        table.add_column(name, no_wrap=True)
    table.add_column("cast", overflow="fold")
    casts, shared = _cast_names(runs)
    for run in runs:
        calls = f"{len(run.calls)} ({len(run.mutating_calls)} mutating)"
        cast = casts.get(run.label, "–")
        table.add_row(run.label, run_outcome(run), f"{run.duration_s:.1f} s", calls, cast)
    lines: list[RenderableType] = [Text("Runs", style="bold underline"), table]
    if shared is not None:
        lines.append(Text(f"casts in {shared} (replay: asciinema play FILE)", style="dim"))
    for run in runs:
        said = [plain_text(run.note)] if run.note else []
        if run.truncated:
            said.append("its output exceeded the cap and was cut")
        if said:
            lines.append(Text(f"{run.label}: {'; '.join(said)}", style="dim"))
    return Group(*lines)


def render_terminal(result: GradeResult, *, width: int | None = None, color: bool = True) -> str:
    """Renders the learner's report as text for a terminal.

    Args:
        result: The grading to show.
        width: Columns to lay the report out in; 80 when None (the caller, which knows
            the terminal, passes its width).
        color: Emit ANSI styles; with False the text holds no escape sequence at all.

    Returns:
        The report, lines ending in ``\\n``.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 80,
        force_terminal=color,
        force_jupyter=False,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
    )
    runs = {run.label: run for run in result.runs}
    sections: list[RenderableType] = [_header(result)]
    if result.verdict == "error":
        sections.append(_error_panel(result))
    elif (first := result.first_failure) is not None:
        sections.append(_failure(first, runs))
    else:
        sections.append(Text("Every check passed: the script is idempotent and restartable."))
    if result.checks:
        sections.append(Group(Text("Checks", style="bold underline"), _checks_table(result)))
    if result.runs:
        sections.append(_runs(result.runs))
    footer = [Text(plain_text(note), style="dim") for note in result.notes]
    if result.duration_s:
        timing = (
            f"graded in {result.duration_s:.1f} s, "
            f"of which the script ran {result.script_time_s:.1f} s"
        )
        footer.append(Text(timing, style="dim"))
    if footer:
        sections.append(Group(*footer))
    for section in spaced(sections):
        console.print(section)
    if color:
        return buffer.getvalue()
    # Rich pads lines to the full width; in plain text that is only noise (and diffs).
    return "".join(line.rstrip(" ") + "\n" for line in buffer.getvalue().splitlines())


def progress_line(event: Event) -> str | None:
    """One plain line for live progress on stderr, or None for events not worth a line.

    Output chunks give None: the live transcript is the TUI's business, not a log's.
    """
    if isinstance(event, PhaseStarted):
        detail = f": {_first_line(event.detail)}" if event.detail else ""
        return f"▸ {event.phase}{detail}"
    if isinstance(event, RunStarted):
        return f"  {event.label} …"
    if isinstance(event, RunFinished):
        run = event.run
        return (
            f"  {run.label}: {run_outcome(run)} in {run.duration_s:.1f} s, "
            f"{len(run.calls)} scone calls ({len(run.mutating_calls)} mutating)"
        )
    if isinstance(event, CheckFinished):
        check = event.check
        said = f": {_first_line(check.message)}" if check.message else ""
        return f"  {SYMBOLS[check.status]} {check.id}{said}"
    if isinstance(event, GradingFinished):
        result = event.result
        score = "" if result.verdict == "error" else f", score {result.score:.0%}"
        return f"{SYMBOLS[result.verdict]} {result.verdict}{score}"
    return None
