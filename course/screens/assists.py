"""Provides :class:`AssistedScreen`: the hint ladder, the solution and the reset, the
actions that help a learner who is stuck. :class:`~course.screens.course.CourseScreen`
builds on it; this base keeps that screen's module small."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen
from textual.widgets import TabbedContent

from course.dialogs.confirm import ConfirmDialog
from course.dialogs.report import ReportDialog
from course.lessons import Lesson
from course.widgets.lesson import LessonView
from course.widgets.replay import ReplayView
from course.widgets.results import ResultsView
from course.widgets.script import ScriptEditor
from course.widgets.sidebar import Sidebar
from course.workspace import Workspace
from grader.catalog import Assignment, Catalog

if TYPE_CHECKING:
    from course.reset import ResetReport

__all__ = ["AssistedScreen"]


class AssistedScreen(Screen[None]):
    """Hints, solution and reset for the open assignment (``current`` in ``shell``)."""

    workspace: Workspace
    catalog: Catalog
    current: Assignment
    shell: str
    lesson: Lesson

    # -- the parts of the screen, by id ---------------------------------------------------

    @property
    def sidebar(self) -> Sidebar:
        """The course outline."""
        return self.query_one("#sidebar", Sidebar)

    @property
    def tabs(self) -> TabbedContent:
        """Lesson, Script, Results, Replay."""
        return self.query_one("#tabs", TabbedContent)

    @property
    def lesson_view(self) -> LessonView:
        """The lesson and its hints."""
        return self.query_one("#lesson-view", LessonView)

    editor: ScriptEditor
    """The built-in editor of the learner's script."""
    results: ResultsView
    """The streamed Check."""
    replay: ReplayView
    """Plays the runs of the last Check, and screencasts."""

    def _entry(self) -> dict[str, object]:
        entry = self.workspace.progress().get(self.current.id, {})
        return entry if isinstance(entry, dict) else {}

    def hints_seen(self) -> int:
        """How many hints of the open assignment the learner has revealed."""
        return min(int(str(self._entry().get("hints", 0))), len(self.lesson.hints))

    # -- hints ------------------------------------------------------------------------------

    async def action_hint(self) -> None:
        """Reveals the next hint of the ladder (and records that it was used)."""
        seen, total = self.hints_seen(), len(self.lesson.hints)
        self.tabs.active = "lesson"
        if total == 0:
            self.notify("This lesson has no hints.", timeout=3)
            return
        if seen >= total:
            self.notify(f"All {total} hints are shown already.", timeout=3)
            return
        self.workspace.record_hint(self.current.id, seen + 1)
        await self.lesson_view.show_hints(self.lesson, seen + 1, scroll=True)
        self.results.hints_left = total - seen - 1
        self.sidebar.show_statuses()

    # -- the solution -------------------------------------------------------------------------

    def action_solution(self) -> None:
        """Shows the reference: at once after passing, else after a recorded confirmation."""
        self._reveal(self._show_solution, "the solution")

    def action_screencast(self) -> None:
        """Plays the screencast of the reference solution in the Replay tab (recorded on
        first use). It shows the solution, so the same rule as for the solution holds."""
        self._reveal(self._show_screencast, "the reference screencast")

    def _reveal(self, show: Callable[..., None], what: str) -> None:
        reference = self.current.reference(self.shell)
        if not reference.is_file():
            self.notify(f"{self.current.id} has no reference solution in {self.shell}.")
            return
        entry = self._entry()
        if entry.get("passed") or entry.get("solution"):
            show(before_passing=not entry.get("passed"))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                show(before_passing=True)

        self.app.push_screen(
            ConfirmDialog(
                f"See {what} before you pass?",
                "You have not passed this assignment yet. Working it out yourself is how the"
                " lesson sticks: the hints (**h**) lead there step by step.\n\n"
                "If you look now, that is **recorded** in your progress, as a look at the"
                " solution.",
                yes="Show it",
                no="Not yet",
            ),
            answered,
        )

    def _show_screencast(self, *, before_passing: bool) -> None:
        self.workspace.record_solution_view(self.current.id, before_passing=before_passing)
        self.sidebar.show_statuses()
        self.notify(
            f"Recording the reference screencast of {self.current.id} ({self.shell}): the"
            " first time takes a little while; it opens in the Replay tab."
        )
        self._record_screencast(self.current.id, self.shell)

    @work(thread=True, group="screencast", exit_on_error=False)
    def _record_screencast(self, assignment_id: str, shell: str) -> None:
        from course.recording import RecordError, reference_cast

        try:
            cast = reference_cast(
                self.catalog, assignment_id, shell, cache_dir=self.workspace.root / "screencasts"
            )
        except RecordError as err:
            self._from_thread(self._screencast_failed, str(err))
        else:
            self._from_thread(self._screencast_ready, f"{assignment_id} reference ({shell})", cast)

    def _from_thread(self, callback: Callable[..., None], *arguments: object) -> None:
        with contextlib.suppress(RuntimeError):  # the app quit meanwhile
            self.app.call_from_thread(callback, *arguments)

    def _screencast_ready(self, title: str, cast: Path) -> None:
        self.replay.show_screencast(f"screencast: {title}", cast)
        self.tabs.active = "replay"
        self.replay.focus()  # space plays, [ and ] jump between the steps

    def _screencast_failed(self, reason: str) -> None:
        self.app.push_screen(
            ReportDialog("The screencast could not be recorded", [reason], problem=True)
        )

    def _show_solution(self, *, before_passing: bool) -> None:
        self.save_editor()
        self.workspace.record_solution_view(self.current.id, before_passing=before_passing)
        self.sidebar.show_statuses()
        from course.screens.solution import SolutionScreen  # Rich's Syntax: load on demand

        mine = self.workspace.script(self.current.id, self.shell)
        reference = self.current.reference(self.shell)
        self.app.push_screen(SolutionScreen(self.current.id, self.shell, mine, reference))

    def save_editor(self) -> None:
        """Saves unsaved edits of the built-in editor (before anything reads the file)."""
        if self.editor.dirty:
            self.editor.save_script()

    # -- reset ----------------------------------------------------------------------------------

    def action_reset(self) -> None:
        """Asks, then restores the starter and resets the practice CAS (in a worker)."""
        if self.results.running:
            self.notify("Wait for the Check to finish before you reset.", severity="warning")
            return
        prerequisites = ", ".join(self.current.prerequisites) or "none"
        body = (
            f"- your `solution{'.xsh' if self.shell == 'xonsh' else '.sh'}` is kept as a"
            " `.bak-<time>` copy, and the **starter** is copied in;\n"
            "- the practice CAS is **stopped**, its database moved aside (kept), and a fresh"
            " CAS started;\n"
            f"- the reference solutions of the prerequisites ({prerequisites}) run against it,"
            " so the CAS is in the state this assignment starts from."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.save_editor()
                self._set_cas_state("CAS resetting …")
                self._reset(self.current.id, self.shell)

        self.app.push_screen(
            ConfirmDialog(f"Reset {self.current.id}?", body, yes="Reset"), answered
        )

    @work(thread=True, group="reset", exit_on_error=False)
    def _reset(self, assignment_id: str, shell: str) -> None:
        from course.reset import Reset

        report = Reset(self.workspace, self.catalog, assignment_id, shell).run()
        running = self.workspace.cas_running()
        with contextlib.suppress(RuntimeError):  # the app quit meanwhile
            self.app.call_from_thread(self._reset_done, report, running)

    def _reset_done(self, report: ResetReport, running: bool) -> None:
        self.reopen_script()
        self.sidebar.show_statuses()
        self._set_cas_state(f"CAS on {self.workspace.cas_address}" if running else "CAS down")
        title = "Reset done" if report.ok else "Reset only partly done"
        self.app.push_screen(ReportDialog(title, list(report.lines), problem=not report.ok))

    # -- provided by the course screen ----------------------------------------------------

    def reopen_script(self) -> None:
        """Loads the open assignment's script into the editor again."""
        raise NotImplementedError

    def _set_cas_state(self, state: str) -> None:
        raise NotImplementedError
