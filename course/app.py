"""Provides the course TUI: :class:`CourseApp` and :func:`make_app`, its one factory.

The app is thin: global bindings, the stylesheet and the course screen. Everything a
learner does happens on :class:`course.screens.course.CourseScreen`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from course.screens.course import CourseScreen
from course.workspace import Workspace
from grader.catalog import Catalog

__all__ = ["CourseApp", "make_app"]


class CourseApp(App[None]):
    """The learner's app: one workspace, one course."""

    CSS_PATH = Path(__file__).with_name("course.tcss")
    TITLE = "SCONE course"
    # The palette would add little here, and its footer entry costs room at 80 columns.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    def __init__(self, workspace: Workspace, catalog: Catalog, *, start_cas: bool = True) -> None:
        """Creates the app.

        Args:
            workspace: The learner's workspace (scripts, progress, the practice CAS).
            catalog: The course.
            start_cas: Start the workspace CAS on mount (tests and snapshots turn it off).
        """
        super().__init__()
        self.workspace = workspace
        self.catalog = catalog
        self.start_cas = start_cas

    def on_mount(self) -> None:
        self.push_screen(CourseScreen(self.workspace, self.catalog, start_cas=self.start_cas))

    async def action_quit(self) -> None:
        """Saves the editor's unsaved edits, then quits."""
        for screen in self.screen_stack:
            if isinstance(screen, CourseScreen):
                screen.save_editor()
        self.exit()


def make_app(workspace: Workspace, catalog: Catalog, *, start_cas: bool = True) -> CourseApp:
    """The course app for ``workspace`` and ``catalog`` (the CLI and the tests use this)."""
    return CourseApp(workspace, catalog, start_cas=start_cas)
