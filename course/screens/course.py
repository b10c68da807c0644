"""Provides :class:`CourseScreen`: the outline, the four tabs and the learner's actions.

Keyboard first, every action in the footer or under f1: c Check, w Watch, h Hint,
s Solution, v reference screencast, r Reset, t Shell, e Edit (E: $EDITOR), x bash/xonsh,
a authenticator, n/p next/previous assignment, 1–4 tabs, b sidebar.
Slow work (the Check, the reset, starting the CAS) runs in thread workers.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.lazy import Lazy
from textual.widgets import Footer, Header, TabbedContent, TabPane

from course.dialogs.report import ReportDialog
from course.errors import CourseError
from course.lessons import load_lesson
from course.screens.assists import AssistedScreen
from course.widgets.lesson import LessonView
from course.widgets.replay import ReplayView
from course.widgets.results import ResultsView
from course.widgets.script import ScriptEditor
from course.widgets.sidebar import Sidebar
from course.workspace import Workspace
from grader.catalog import Catalog

__all__ = ["CourseScreen"]

_WATCH_POLL = 0.5
"""Seconds between two looks at the script's modification time in watch mode."""


def _take_terminal_back() -> None:
    """Makes this app's process group the terminal's foreground group again.

    An interactive shell or editor takes the foreground when it starts and should hand it
    back when it ends; one that does not (killed, or misbehaving) would leave the app
    reading a terminal it no longer owns, and the read fails with EIO.
    """
    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
        if not os.isatty(fd) or os.tcgetpgrp(fd) == os.getpgrp():
            return
        previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # we are in the background
        try:
            os.tcsetpgrp(fd, os.getpgrp())
        finally:
            signal.signal(signal.SIGTTOU, previous)
    except (OSError, ValueError):
        pass  # not our terminal to take: Textual reports what it cannot read


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]"}
    return names.get(key, key)


class CourseScreen(AssistedScreen):
    """The one screen a learner works in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c,ctrl+r", "check", "Check", id="check"),
        Binding("w", "toggle_watch", "Watch", id="watch"),
        Binding("h", "hint", "Hint", id="hint"),
        Binding("s", "solution", "Solution", id="solution"),
        Binding("v", "screencast", "Screencast", show=False, id="screencast"),
        Binding("r", "reset", "Reset", id="reset"),
        Binding("t", "shell", "Shell", id="shell"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("E", "external_editor", "$EDITOR", show=False, id="external-editor"),
        Binding("x", "switch_shell", "bash/xonsh", show=False, id="switch-shell"),
        Binding("a", "authenticator", "Authenticator", show=False, id="authenticator"),
        Binding("n", "step(1)", "Next assignment", show=False, id="next"),
        Binding("p", "step(-1)", "Previous assignment", show=False, id="previous"),
        Binding("b", "toggle_sidebar", "Sidebar", show=False, id="sidebar"),
        Binding("1", "tab('lesson')", "Lesson", show=False, id="tab.lesson"),
        Binding("2", "tab('script')", "Script", show=False, id="tab.script"),
        Binding("3", "tab('results')", "Results", show=False, id="tab.results"),
        Binding("4", "tab('replay')", "Replay", show=False, id="tab.replay"),
        Binding("f1,question_mark", "keys", "Keys", id="keys"),
    ]

    def __init__(self, workspace: Workspace, catalog: Catalog, *, start_cas: bool = True) -> None:
        super().__init__()
        self.workspace, self.catalog, self.start_cas = workspace, catalog, start_cas
        self.order = list(catalog.assignments)
        self.watching = workspace.preference("watch") is True
        self.cas_state = "CAS starting …" if start_cas else "CAS not started"
        self._mtime: int | None = None
        # The hidden tabs mount lazily (after the first paint); the screen keeps them.
        self.editor = ScriptEditor(id="editor")
        self.results = ResultsView(id="results")
        self.replay = ReplayView(id="replay-view")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Sidebar(self.catalog, self.workspace, id="sidebar")
            with TabbedContent(id="tabs"):
                with TabPane("Lesson", id="lesson"):
                    yield LessonView(id="lesson-view")
                with TabPane("Script", id="script"):
                    yield Lazy(self.editor)
                with TabPane("Results", id="results-tab"):
                    yield Lazy(self.results)
                with TabPane("Replay", id="replay"):
                    yield Lazy(self.replay)
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        if not self.order:
            self.app.push_screen(ReportDialog("This course has no assignments", []))
            return
        last = self.workspace.preference("last_assignment")
        await self.open_assignment(last if last in self.catalog.assignments else self.order[0])
        self.set_interval(_WATCH_POLL, self._poll_script)
        self.sidebar.outline.focus()
        if self.start_cas:
            self._start_cas()

    # -- the open assignment ------------------------------------------------------------------

    async def open_assignment(self, assignment_id: str) -> None:
        """Shows ``assignment_id``: its lesson, hints so far, script and last verdict."""
        self.save_editor()
        self.current = self.catalog.get(assignment_id)
        preferred = self.workspace.preferred_shell()
        self.shell = preferred if preferred in self.current.shells else self.current.shells[0]
        self.lesson = load_lesson(self.current.lesson)
        await self.lesson_view.show_lesson(self.lesson, self.hints_seen())
        self.reopen_script()
        if not self.results.running:
            self.results.show_note(self._last_check())
        self.results.hints_left = len(self.lesson.hints) - self.hints_seen()
        self.workspace.set_preference("last_assignment", assignment_id)
        self.sidebar.highlight(assignment_id)
        self.tabs.active = "lesson"
        self.title = self.current.id
        self._show_state()

    def _last_check(self) -> str:
        entry = self._entry()
        attempts = int(str(entry.get("attempts", 0)))
        if not attempts:
            return "No Check yet. Press c to check your script."
        verdict, score = entry.get("last_verdict"), float(str(entry.get("last_score", 0)))
        checks = "Check" if attempts == 1 else "Checks"
        return f"Last Check: {verdict} (score {score:.0%}), {attempts} {checks} so far; c checks."

    def reopen_script(self) -> None:
        """Loads the open assignment's script into the editor again."""
        path = self.workspace.script(self.current.id, self.shell)
        self.editor.open_script(path, self.shell, f"~/course/{self.current.id}/{path.name}")
        self._mtime = self._script_mtime()

    def _script_mtime(self) -> int | None:
        try:
            return self.workspace.script(self.current.id, self.shell).stat().st_mtime_ns
        except OSError:
            return None

    @on(Sidebar.AssignmentChosen)
    async def _chosen(self, event: Sidebar.AssignmentChosen) -> None:
        await self.open_assignment(event.assignment_id)

    async def action_step(self, delta: int) -> None:
        """Opens the next (1) or previous (-1) assignment of the course."""
        index = self.order.index(self.current.id) + delta
        if 0 <= index < len(self.order):
            await self.open_assignment(self.order[index])

    def action_tab(self, tab: str) -> None:
        """Shows one of the four tabs."""
        self.tabs.active = "results-tab" if tab == "results" else tab
        if tab == "replay" and self.replay.is_mounted:
            self.replay.focus()

    def on_resize(self, event: events.Resize) -> None:
        """A narrower outline below 90 columns, so the tabs keep room at 80×24."""
        self.set_class(event.size.width < 90, "narrow")

    def action_toggle_sidebar(self) -> None:
        """Hides or shows the outline (more room for a cast at 80 columns)."""
        self.toggle_class("no-sidebar")

    def action_keys(self) -> None:
        """Lists every key of the course, from the bindings themselves (never out of date)."""
        from course.dialogs.report import ReportDialog as Keys

        groups = [("", self), ("Script tab: ", self.editor), ("Replay tab: ", self.replay)]
        lines = [
            f"{where}{' or '.join(_key_name(k) for k in binding.key.split(','))}"
            f" — {binding.description}"
            for where, owner in groups
            for binding in owner.BINDINGS
            if isinstance(binding, Binding) and binding.description
        ]
        lines.append("ctrl+q — Quit (unsaved edits of the editor are saved first)")
        self.app.push_screen(Keys("Keys of the course", lines))

    def action_authenticator(self) -> None:
        """Opens the virtual authenticator (scan a QR code, see the current codes)."""
        from course.authenticator import AccountStore
        from course.screens.authenticator import AuthenticatorScreen

        directory = self.workspace.home / "course" / self.current.id
        store = AccountStore(self.workspace.authenticator_path)
        self.app.push_screen(AuthenticatorScreen(store, directory, self.workspace.home))

    async def action_switch_shell(self) -> None:
        """Switches between the bash and the xonsh version of the course (remembered)."""
        others = [shell for shell in self.current.shells if shell != self.shell]
        if not others:
            self.notify(f"{self.current.id} is written in {self.shell} only.", timeout=3)
            return
        tab = self.tabs.active
        self.save_editor()
        self.workspace.set_preference("shell", others[0])
        await self.open_assignment(self.current.id)
        self.tabs.active = tab
        script = self.workspace.script(self.current.id, self.shell)
        self.notify(f"Now in {self.shell}: your script is {script.name}.")

    def action_edit(self) -> None:
        """Opens the built-in editor (ctrl+s saves, escape leaves it)."""
        self.tabs.active = "script"
        if self.editor.is_mounted:
            self.editor.text_area.focus()

    # -- status line ------------------------------------------------------------------------------

    def _set_cas_state(self, state: str) -> None:
        self.cas_state = state
        self._show_state()

    def _show_state(self) -> None:
        watch = "watch on" if self.watching else "watch off"
        self.sub_title = f"{self.cas_state} · {watch}"

    @work(thread=True, group="cas", exit_on_error=False)
    def _start_cas(self) -> None:
        try:
            address = self.workspace.start_cas()
        except (CourseError, OSError) as err:
            self._from_thread(self._cas_failed, str(err))
        else:
            self._from_thread(self._set_cas_state, f"CAS on {address}")

    def _cas_failed(self, reason: str) -> None:
        self._set_cas_state("CAS down")
        lines = [
            reason,
            "Checks still work (they use a CAS of their own), but your shell's scone"
            " commands have nothing to talk to.",
            "Fix the cause, then run `scone-course cas start` in a terminal, or reset (r).",
        ]
        self.app.push_screen(ReportDialog("The practice CAS did not start", lines, problem=True))

    # -- Check and Watch -------------------------------------------------------------------------

    def action_check(self) -> None:
        """Saves the editor and grades the script in a worker, streaming into Results."""
        self.save_editor()
        script = self.workspace.script(self.current.id, self.shell)
        if not script.is_file():
            self.notify("No script yet: write it in the Script tab (e) and save (ctrl+s).")
            return
        started = self.results.start_check(
            self.catalog, self.current.id, script, self.shell, self._casts_dir()
        )
        if not started:
            self.notify("A Check is running already.", timeout=3)
            return
        self._mtime = self._script_mtime()
        self.tabs.active = "results-tab"

    def _casts_dir(self) -> Path:
        """A fresh ``casts/<stamp>/`` in the workspace for the casts of one Check."""
        base = self.workspace.root / "casts" / time.strftime("%Y%m%d-%H%M%S")
        path, n = base, 1
        while path.exists():
            n += 1
            path = base.with_name(f"{base.name}-{n}")
        path.mkdir(parents=True)
        return path

    @on(ResultsView.Graded)
    def _graded(self, event: ResultsView.Graded) -> None:
        self.workspace.record_result(event.result)
        self.sidebar.show_statuses()
        self.replay.show_runs(event.result.runs)
        if event.result.verdict == "passed":
            self.notify(f"{event.result.assignment} passed. n opens the next assignment.")

    def action_toggle_watch(self) -> None:
        """Turns re-checking on every change of the script on or off (remembered)."""
        self.watching = not self.watching
        self.workspace.set_preference("watch", self.watching)
        self._mtime = self._script_mtime()
        self.notify("Watch on: every save re-checks." if self.watching else "Watch off.")
        self._show_state()

    def _poll_script(self) -> None:
        mtime = self._script_mtime()
        if mtime == self._mtime or self.results.running:
            return
        self._mtime = mtime
        self.editor.reload_from_disk()
        self.sidebar.show_statuses()
        if self.watching and mtime is not None:
            self.action_check()

    # -- Shell and $EDITOR (the terminal is handed over) ------------------------------------------

    def _hand_over(self, argv: list[str], env: dict[str, str] | None, what: str) -> None:
        self.save_editor()
        cwd = self.workspace.home / "course" / self.current.id
        cwd.mkdir(parents=True, exist_ok=True)
        try:
            with self.app.suspend():
                subprocess.call(argv, cwd=cwd, env=env)
                _take_terminal_back()
        except SuspendNotSupported:
            self.notify(f"{what} needs a real terminal.", severity="error")
        except OSError as err:
            self.notify(f"Cannot start {what}: {err}", severity="error")
        self.editor.reload_from_disk()
        self.sidebar.show_statuses()

    def action_shell(self) -> None:
        """Opens a course shell in ~/course/<id>/; exit comes back here."""
        from course.shell import shell_command

        argv, env = shell_command(self.workspace, shell=self.shell, back="the course app")
        self._hand_over(argv, env, f"The {self.shell} shell")

    def action_external_editor(self) -> None:
        """Edits the script in $VISUAL or $EDITOR (vi when neither is set)."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        script = self.workspace.script(self.current.id, self.shell)
        self._hand_over([*shlex.split(editor), str(script)], None, "The editor")
