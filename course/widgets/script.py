"""Provides the script view: the learner's script in a built-in editor that saves to the
workspace (ctrl+s)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TextArea

__all__ = ["LANGUAGES", "ScriptEditor"]

LANGUAGES = {"bash": "bash", "xonsh": "python"}
"""The TextArea language of each shell: xonsh is a superset of Python."""


class ScriptEditor(Vertical):
    """A TextArea bound to one script file; posts :class:`Saved` after writing it."""

    DEFAULT_CSS = """
    ScriptEditor #script-path { height: 1; padding: 0 1; background: $panel; }
    ScriptEditor TextArea { height: 1fr; border: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Save", id="save")]

    class Saved(Message):
        """The script was written to disk."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.path: Path | None = None
        self.shown_path = ""
        self.shell = "bash"
        self._saved = ""
        self._live = False
        """True from on_mount on (``is_mounted`` turns True only after it)."""

    def compose(self) -> ComposeResult:
        yield Static(id="script-path")
        yield TextArea.code_editor("", id="script-text", soft_wrap=False)

    @property
    def text_area(self) -> TextArea:
        """The editor itself."""
        return self.query_one("#script-text", TextArea)

    def on_mount(self) -> None:
        # The view may be mounted lazily, after the screen told it what to open.
        self._live = True
        if self.path is not None:
            self.open_script(self.path, self.shell, self.shown_path)

    @property
    def dirty(self) -> bool:
        """True when the editor holds changes that are not saved."""
        return self._live and self.path is not None and self.text_area.text != self._saved

    def _read(self) -> str:
        assert self.path is not None
        try:
            return self.path.read_text(encoding="utf-8")
        except OSError:
            return ""

    def open_script(self, path: Path, shell: str, shown_path: str) -> None:
        """Loads ``path`` (written in ``shell``) into the editor, replacing what it held."""
        self.path, self.shell, self.shown_path = path, shell, shown_path
        if not self._live:
            return  # on_mount loads it
        self._saved = self._read()
        area = self.text_area
        area.language = LANGUAGES.get(shell)
        area.load_text(self._saved)
        self._label()

    def _label(self) -> None:
        if self.path is None:
            said = "no script"
        elif not self.path.exists():
            said = f"{self.shown_path} (not created yet: ctrl+s creates it)"
        else:
            said = f"{self.shown_path}{'  ● modified (ctrl+s saves)' if self.dirty else ''}"
        self.query_one("#script-path", Static).update(said)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Marks the label as modified while the editor differs from the file."""
        self._label()

    def save_script(self) -> bool:
        """Writes the editor's text to the file; returns False when there was no file."""
        if self.path is None or not self._live:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = self.text_area.text
        self.path.write_text(text, encoding="utf-8")
        self._saved = text
        self._label()
        self.post_message(self.Saved(self.path))
        return True

    def action_save(self) -> None:
        """Saves (ctrl+s) and says so."""
        if self.save_script():
            self.notify(f"Saved {self.shown_path}", timeout=2)

    def reload_from_disk(self) -> bool:
        """Takes the file's new content (after a shell or another editor changed it).

        Returns:
            True when the editor now shows different text. Unsaved edits are never
            thrown away: then nothing is loaded and the learner is told.
        """
        if self.path is None or not self._live:
            return False
        on_disk = self._read()
        if on_disk == self._saved:
            return False
        if self.dirty:
            self.notify(
                "The script changed on disk, but the editor has unsaved edits: ctrl+s keeps"
                " the editor's version.",
                severity="warning",
            )
            return False
        self._saved = on_disk
        self.text_area.load_text(on_disk)
        self._label()
        return True
