"""Provides :class:`Typist`: the human-like rhythm of a recording, from a seeded RNG.

Nothing here sleeps. The recorder sends each line to the shell at once and waits for the
shell's prompt; the rhythm only decides the *times written into the cast*, so a
recording takes as long as its commands take, and the same seed gives the same rhythm.
"""

from __future__ import annotations

import random

__all__ = ["Typist"]

_AFTER_WORD = " /|;&=-"


class Typist:
    """Keystroke delays and pauses for one recording.

    Args:
        seed: Any string or number; the same seed gives the same delays.
    """

    def __init__(self, seed: str | int) -> None:
        self._rng = random.Random(str(seed))

    def keystrokes(self, text: str) -> list[float]:
        """The delay before each character of ``text`` (seconds)."""
        delays = []
        previous = ""
        for char in text:
            delay = self._rng.uniform(0.025, 0.06)
            if previous and previous in _AFTER_WORD:
                delay += self._rng.uniform(0.0, 0.08)  # a word boundary: a short hesitation
            if self._rng.random() < 0.02:
                delay += self._rng.uniform(0.2, 0.5)  # now and then the typist looks up
            delays.append(delay)
            previous = char
        return delays

    def think(self) -> float:
        """The pause before a new step (reading the last output)."""
        return self._rng.uniform(0.6, 1.2)

    def enter(self) -> float:
        """The pause between the last character of a line and Enter."""
        return self._rng.uniform(0.08, 0.25)

    def read(self, text: str) -> float:
        """The pause after a comment appears at once: time to read it."""
        return min(3.0, 0.3 + len(text) / 45.0) + self._rng.uniform(0.0, 0.2)
