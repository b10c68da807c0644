"""Provides the results view: a Check graded in a thread worker, each phase, run and check
shown as it happens, the first failure expanded.

The grader blocks, so it runs in a thread; its events come back to the UI thread through
``call_from_thread``. Output chunks stay in the grader (they are many, and the casts keep
them for the Replay tab).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Collapsible, Static

from course.widgets.failure import STYLES, check_details, check_line, run_line, verdict_line
from grader.catalog import Catalog
from grader.errors import GraderError
from grader.events import (
    CheckFinished,
    Event,
    GradingFinished,
    OutputChunk,
    PhaseStarted,
    RunFinished,
    RunStarted,
)
from grader.report.terminal import SYMBOLS, plain_text
from grader.results import CheckResult, GradeResult, RunRecord

__all__ = ["ResultsView"]

_log = logging.getLogger(__name__)


class ResultsView(VerticalScroll):
    """Streams one Check at a time; posts :class:`Graded` or :class:`GradingFailed`."""

    DEFAULT_CSS = """
    ResultsView { padding: 0 1; }
    ResultsView #verdict { margin: 0 0 1 0; }
    ResultsView #stream { height: auto; }
    ResultsView .phase { text-style: bold; }
    ResultsView Collapsible { padding: 0; margin: 0; border: none; }
    ResultsView CollapsibleTitle { width: 1fr; padding: 0; }
    """

    class Graded(Message):
        """A Check finished with a result (of any verdict)."""

        def __init__(self, result: GradeResult) -> None:
            super().__init__()
            self.result = result

    class GradingFailed(Message):
        """A Check could not be graded at all (the message says why)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.running = False
        self.hints_left = 0
        self._runs: dict[str, RunRecord] = {}
        self._details: dict[str, Collapsible] = {}
        self._note = "No Check yet. Press c to check your script."
        self._live = False

    def compose(self) -> ComposeResult:
        yield Static(self._note, id="verdict")
        yield Vertical(id="stream")

    def on_mount(self) -> None:
        self._live = True
        self.verdict.update(self._note)

    @property
    def verdict(self) -> Static:
        """The line at the top: what is running, or the verdict."""
        return self.query_one("#verdict", Static)

    def show_note(self, text: str) -> None:
        """Clears the view and shows ``text`` (e.g. the last verdict of an earlier session)."""
        self._note = text
        if not self._live:
            return  # compose shows it
        self.query_one("#stream", Vertical).remove_children()
        self.verdict.update(text)

    def start_check(
        self, catalog: Catalog, assignment_id: str, script: Path, shell: str, casts: Path
    ) -> bool:
        """Starts grading ``script``; False (and nothing started) while a Check runs, or
        while the view is not mounted yet (in the first moments of the app)."""
        if self.running or not self._live:
            return False
        self.running = True
        self._runs.clear()
        self._details.clear()
        self.show_note(f"Checking {assignment_id} ({shell}) …")
        self._grade(catalog, assignment_id, script, shell, casts)
        return True

    @work(thread=True, group="check", exit_on_error=False)
    def _grade(
        self, catalog: Catalog, assignment_id: str, script: Path, shell: str, casts: Path
    ) -> None:
        from grader.plan import GradeOptions, grade  # the grader's imports cost ~0.2 s

        def sink(event: Event) -> None:
            if not isinstance(event, OutputChunk):
                self._to_ui(self.add_event, event)

        try:
            grade(catalog, assignment_id, script, GradeOptions(shell=shell, sink=sink, casts=casts))
        except GraderError as err:
            self._to_ui(self._failed, str(err))
        except Exception as err:
            # The TUI boundary: a grader bug must reach the learner as a message, not
            # crash the app with a traceback (which goes to the log instead).
            _log.exception("grading crashed")
            self._to_ui(self._failed, f"the grader crashed ({type(err).__name__}: {err})")

    def _to_ui(self, callback: Callable[[Any], None], argument: object) -> None:
        with contextlib.suppress(RuntimeError):  # the app quit: nobody is left to tell
            self.app.call_from_thread(callback, argument)

    def _failed(self, reason: str) -> None:
        self.running = False
        self.verdict.update(Text(f"! The Check did not run: {reason}", style="bold yellow"))
        self.post_message(self.GradingFailed(reason))

    def _mount(self, widget: Static | Collapsible) -> None:
        self.query_one("#stream", Vertical).mount(widget)

    def add_event(self, event: Event) -> None:
        """Shows one grading event (called on the UI thread, in the order they happen)."""
        if isinstance(event, PhaseStarted):
            detail = f": {plain_text(event.detail)}" if event.detail else ""
            self._mount(Static(Text(f"▸ {event.phase}{detail}"), classes="phase"))
        elif isinstance(event, RunStarted):
            self.verdict.update(f"Checking … running {event.label}")
        elif isinstance(event, RunFinished):
            self._runs[event.run.label] = event.run
            self._mount(Static(run_line(event.run)))
        elif isinstance(event, CheckFinished):
            self._add_check(event.check)
        elif isinstance(event, GradingFinished):
            self._finish(event.result)

    def _add_check(self, check: CheckResult) -> None:
        if check.status not in ("failed", "error"):
            self._mount(Static(check_line(check)))
            return
        title = (
            f"[{STYLES[check.status]}]{SYMBOLS[check.status]}[/] [b]{escape(check.id)}[/b]"
            f"  {escape(plain_text(check.title))}"
        )
        details = Static(check_details(check, self._runs, hints_left=self.hints_left))
        first = not any(not c.collapsed for c in self._details.values())
        box = Collapsible(details, title=title, collapsed=not first, id=f"check-{check.id}")
        self._details[check.id] = box
        self._mount(box)

    def _finish(self, result: GradeResult) -> None:
        self.running = False
        first = result.first_failure
        for check_id, box in self._details.items():
            box.collapsed = first is None or check_id != first.id
        self.verdict.update(verdict_line(result))
        for note in result.notes:
            self._mount(Static(Text(plain_text(note), style="dim")))
        stream = self.query_one("#stream", Vertical)
        if first is not None and first.id in self._details and len(stream.children) > 1:
            # What the learner has to act on goes right under the verdict.
            stream.move_child(self._details[first.id], before=0)
        self.scroll_home(animate=False)
        self.post_message(self.Graded(result))
