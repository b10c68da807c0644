"""Provides the replay view: the asciicast of any run of the last Check, played in the TUI,
with play/pause and jumps from one marker (one ``scone`` call) to the next."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.timer import Timer
from textual.widgets import Select, Static

from course.replay import Playback, Recording
from grader.report.terminal import run_outcome
from grader.results import RunRecord

__all__ = ["ReplayView"]

_TICK = 0.1
"""Seconds between two frames while playing."""
_MAX_GAP = 1.0
"""A pause longer than this in the recording is shortened to it (like asciinema -i)."""


class ReplayView(Vertical, can_focus=True):
    """Plays the casts of the runs it was given (:meth:`show_runs`)."""

    DEFAULT_CSS = """
    ReplayView { padding: 0 1; }
    ReplayView:focus { background-tint: $foreground 3%; }
    ReplayView Select { width: 1fr; margin: 0; }
    ReplayView #replay-status { height: 1; margin: 0 0 1 0; }
    ReplayView ScrollableContainer { height: 1fr; background: $surface; }
    ReplayView #replay-screen { width: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play_pause", "Play/pause", id="replay.play"),
        Binding("right_square_bracket", "next_marker", "Next marker", id="replay.next"),
        Binding("left_square_bracket", "previous_marker", "Prev marker", id="replay.previous"),
        Binding("home", "restart", "Start", show=False, id="replay.start"),
        Binding("end", "to_end", "End", show=False, id="replay.end"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.playback: Playback | None = None
        self._timer: Timer | None = None
        self._runs: list[RunRecord] | None = None
        self._screencasts: dict[str, str] = {}
        """Title → cast path of the screencasts offered besides the runs."""
        self._live = False

    def compose(self) -> ComposeResult:
        yield Select[str]([], prompt="Run of the last Check", id="replay-run", compact=True)
        yield Static("Run a Check (c): every run it makes is recorded here.", id="replay-status")
        with ScrollableContainer():
            yield Static(id="replay-screen")

    def on_mount(self) -> None:
        self._live = True
        self._timer = self.set_interval(_TICK, self._tick, pause=True)
        if self._runs is not None or self._screencasts:
            self.show_runs(self._runs or [])
            for title, path in self._screencasts.items():
                self.show_screencast(title, Path(path))

    def show_runs(self, runs: list[RunRecord]) -> None:
        """Offers the runs that have a cast, and opens the first one."""
        self._runs = runs
        if not self._live:
            return  # on_mount shows them
        options = self._options()
        select = self.query_one("#replay-run", Select)
        select.set_options(options)
        runs_offered = [value for _, value in options if value not in self._screencasts.values()]
        if runs_offered:
            select.value = runs_offered[0]
        elif not options:
            self._say("This Check recorded no runs.")

    def show_screencast(self, title: str, path: Path) -> None:
        """Offers a screencast (e.g. of the reference solution) beside the runs, and opens it."""
        self._screencasts[title] = str(path)
        if not self._live:
            return
        select = self.query_one("#replay-run", Select)
        select.set_options(self._options())
        select.value = str(path)

    def _options(self) -> list[tuple[str, str]]:
        runs = self._runs or []
        options = [(title, path) for title, path in self._screencasts.items()]
        return options + [(f"{r.label} ({run_outcome(r)})", r.cast) for r in runs if r.cast]

    def _say(self, text: str) -> None:
        self.playback = None
        self.query_one("#replay-status", Static).update(text)
        self.query_one("#replay-screen", Static).update("")

    @on(Select.Changed, "#replay-run")
    def _run_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.open_cast(Path(event.value))

    def open_cast(self, path: Path) -> None:
        """Loads the cast at ``path``, paused at its start."""
        try:
            self.playback = Playback(Recording.load(path))
        except (OSError, ValueError) as err:
            self._say(f"Cannot play this run: {err}")
            return
        self._draw()

    def _draw(self) -> None:
        if self.playback is None:
            return
        rows = self.playback.recording.height
        self.query_one("#replay-status", Static).update(Text(self.playback.status()))
        screen = Text(self.playback.screen(rows), no_wrap=True, overflow="crop")
        self.query_one("#replay-screen", Static).update(screen)
        if self._timer is not None:
            if self.playback.playing:
                self._timer.resume()
            else:
                self._timer.pause()

    def _tick(self) -> None:
        playback = self.playback
        if playback is None:
            return
        # Skip long idle stretches: jump to just before the next event.
        upcoming = [t for t, _ in playback.recording.outputs if t > playback.position]
        if upcoming and upcoming[0] - playback.position > _MAX_GAP:
            playback.seek(upcoming[0] - _MAX_GAP)
        playback.advance(_TICK)
        self._draw()

    def action_play_pause(self) -> None:
        """Plays or pauses (at the end, plays again from the start)."""
        if self.playback is not None:
            self.playback.toggle()
            self._draw()

    def action_next_marker(self) -> None:
        """Jumps to the next marker (the next scone call)."""
        if self.playback is not None:
            if self.playback.next_marker() is None:
                self.notify("No marker after this point.", timeout=2)
            self._draw()

    def action_previous_marker(self) -> None:
        """Jumps to the previous marker (or the start)."""
        if self.playback is not None:
            self.playback.previous_marker()
            self._draw()

    def action_restart(self) -> None:
        """Back to the start."""
        if self.playback is not None:
            self.playback.seek(0.0)
            self._draw()

    def action_to_end(self) -> None:
        """To the end: the whole output of the run."""
        if self.playback is not None:
            self.playback.seek(self.playback.recording.duration)
            self.playback.playing = False
            self._draw()
