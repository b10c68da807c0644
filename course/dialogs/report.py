"""Provides :class:`ReportDialog`: tells the learner what an action did, line by line."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

__all__ = ["ReportDialog"]


class ReportDialog(ModalScreen[None]):
    """A title, a list of lines, and OK (enter or escape closes it)."""

    DEFAULT_CSS = """
    ReportDialog { align: center middle; }
    ReportDialog > Vertical {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ReportDialog.problem > Vertical { border: thick $error; }
    ReportDialog #report-title { text-style: bold; margin: 1 0; }
    /* 45vh: the OK button stays in view at 24 rows. */
    ReportDialog VerticalScroll { height: auto; max-height: 45vh; }
    ReportDialog Button { margin: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="report.close")]

    def __init__(self, title: str, lines: list[str], *, problem: bool = False) -> None:
        """Creates the dialog; with ``problem`` it is drawn as an error."""
        super().__init__(classes="problem" if problem else None)
        self._title, self._lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title, id="report-title", markup=False)
            with VerticalScroll():
                for line in self._lines:
                    yield Static(f"• {line}", markup=False)
            yield Button("OK", id="report-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#report-ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """OK closes the dialog."""
        self.dismiss(None)

    def action_close(self) -> None:
        """Escape closes the dialog."""
        self.dismiss(None)
