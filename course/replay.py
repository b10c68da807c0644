"""Provides the playback model of an asciicast: position, markers, and the screen so far.

Pure (no Textual): the TUI's replay view owns a :class:`Playback`, moves it with a timer
and draws :meth:`Playback.screen`. The grader writes one marker per ``scone`` call, so
"next marker" jumps from one call of the script to the next.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.cast import read_cast
from grader.report.terminal import plain_text

__all__ = ["Marker", "Playback", "Recording"]

_EPSILON = 1e-6


@dataclass(frozen=True)
class Marker:
    """A point of a recording a player can jump to."""

    time: float
    label: str


@dataclass(frozen=True)
class Recording:
    """The parts of an asciicast a player needs."""

    width: int
    height: int
    title: str
    outputs: tuple[tuple[float, str], ...]
    """``(seconds, text)`` of every output event, in time order."""
    markers: tuple[Marker, ...]

    @property
    def duration(self) -> float:
        """Seconds from the start to the last event."""
        times = [t for t, _ in self.outputs] + [m.time for m in self.markers]
        return max(times, default=0.0)

    @classmethod
    def from_events(cls, header: dict[str, Any], events: list[tuple[float, str, str]]) -> Recording:
        """Builds a recording from what :func:`grader.cast.read_cast` returns."""
        ordered = sorted(events, key=lambda e: e[0])
        return cls(
            width=int(header.get("width", 80)),
            height=int(header.get("height", 24)),
            title=str(header.get("title", "")),
            outputs=tuple((t, data) for t, code, data in ordered if code == "o"),
            markers=tuple(Marker(t, data) for t, code, data in ordered if code == "m"),
        )

    @classmethod
    def load(cls, path: Path) -> Recording:
        """Reads the asciicast v2 file at ``path``.

        Raises:
            OSError: it cannot be read.
            ValueError: it is not asciicast v2.
        """
        header, events = read_cast(path)
        return cls.from_events(header, events)


class Playback:
    """A position in a :class:`Recording`, and whether it is playing."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.position = 0.0
        self.playing = False
        self._times = [t for t, _ in recording.outputs]

    @property
    def at_end(self) -> bool:
        """True when the position is at (or past) the last event."""
        return self.position >= self.recording.duration - _EPSILON

    def seek(self, seconds: float) -> None:
        """Moves to ``seconds``, clamped to the recording."""
        self.position = min(max(seconds, 0.0), self.recording.duration)

    def toggle(self) -> None:
        """Plays or pauses; playing at the end starts again from the beginning."""
        if not self.playing and self.at_end:
            self.seek(0.0)
        self.playing = not self.playing

    def advance(self, seconds: float) -> None:
        """Moves on by ``seconds`` when playing; stops at the end."""
        if self.playing:
            self.seek(self.position + seconds)
            if self.at_end:
                self.playing = False

    def next_marker(self) -> Marker | None:
        """Jumps to the first marker after the position (None: there is none)."""
        for marker in self.recording.markers:
            if marker.time > self.position + _EPSILON:
                self.seek(marker.time)
                return marker
        return None

    def previous_marker(self) -> Marker | None:
        """Jumps to the last marker before the position; before the first one, to 0."""
        earlier = [m for m in self.recording.markers if m.time < self.position - _EPSILON]
        if earlier:
            self.seek(earlier[-1].time)
            return earlier[-1]
        self.seek(0.0)
        return None

    def current_marker(self) -> tuple[int, Marker] | None:
        """The 1-based number and the marker last passed, if any."""
        passed = [m for m in self.recording.markers if m.time <= self.position + _EPSILON]
        return (len(passed), passed[-1]) if passed else None

    def screen(self, rows: int | None = None) -> str:
        """What the terminal showed at the position, as plain text (last ``rows`` lines).

        Output is folded the way :func:`grader.report.terminal.plain_text` does it: escape
        sequences go, a line redrawn with ``\\r`` keeps its last drawing.
        """
        shown = bisect.bisect_right(self._times, self.position + _EPSILON)
        text = plain_text("".join(data for _, data in self.recording.outputs[:shown]))
        lines = text.split("\n")
        if rows is not None:
            lines = lines[-rows:]
        return "\n".join(lines)

    def status(self) -> str:
        """One line: play state, position and duration, and the marker last passed."""
        state = "▶ playing" if self.playing else "⏸ paused"
        line = f"{state}  {self.position:5.1f} / {self.recording.duration:.1f} s"
        count = len(self.recording.markers)
        current = self.current_marker()
        if current is not None:
            line += f"  marker {current[0]}/{count}: {current[1].label}"
        elif count:
            line += f"  {count} markers"
        return line
