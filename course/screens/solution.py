"""Provides :class:`SolutionScreen`: the reference solution next to the learner's script."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from course.widgets.diffview import side_by_side, unified

__all__ = ["SolutionScreen"]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


class SolutionScreen(ModalScreen[None]):
    """Side by side (or, with u, unified) diff of the learner's script and the reference."""

    DEFAULT_CSS = """
    SolutionScreen { align: center middle; }
    SolutionScreen > Vertical { width: 100%; height: 100%; background: $surface; }
    SolutionScreen #solution-title { height: auto; padding: 0 1; background: $panel; }
    SolutionScreen VerticalScroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "toggle_layout", "Unified/side by side", id="solution.layout"),
        Binding("escape,q", "close", "Close", id="solution.close"),
    ]

    def __init__(self, assignment_id: str, shell: str, mine: Path, reference: Path) -> None:
        """Creates the screen for one assignment's reference in ``shell``."""
        super().__init__()
        self.assignment_id, self.shell = assignment_id, shell
        self.mine, self.reference = _read(mine), _read(reference)
        self.unified = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="solution-title", markup=False)
            with VerticalScroll():
                yield Static(id="solution-diff")
            yield Footer()

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        layout = "unified diff" if self.unified else "side by side"
        self.query_one("#solution-title", Static).update(
            f"Reference solution of {self.assignment_id} ({self.shell}), {layout} with your"
            " script. Read it, then write your own version."
        )
        diff = unified if self.unified else side_by_side
        self.query_one("#solution-diff", Static).update(diff(self.mine, self.reference))

    def action_toggle_layout(self) -> None:
        """Switches between side by side and unified."""
        self.unified = not self.unified
        self._draw()

    def action_close(self) -> None:
        """Back to the course."""
        self.dismiss(None)
