"""Provides :func:`parse_lesson`: a lesson's Markdown split into its body and its hints.

A lesson keeps its hint ladder in a ``## Hints`` section with one ``### Hint N``
subsection per step (docs/authoring.md). The TUI shows the body at once and reveals the
hints one at a time, so they must not appear in the body. Headings inside fenced code
blocks are text, not structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Hint", "Lesson", "load_lesson", "parse_lesson"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
NO_LESSON = "*This assignment has no lesson yet.*"
"""The body shown when an assignment has no ``lesson.md``."""


@dataclass(frozen=True)
class Hint:
    """One step of the hint ladder."""

    title: str
    """The subsection's heading, e.g. ``Hint 1``."""
    text: str
    """The hint itself (Markdown)."""


@dataclass(frozen=True)
class Lesson:
    """A lesson with its hints taken out."""

    body: str
    """The lesson's Markdown without the ``## Hints`` section."""
    hints: tuple[Hint, ...] = ()
    """The ladder, in the order the lesson gives it."""


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of every heading outside fenced code blocks."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if opened:
            if fence is None:
                fence = opened.group(1)
            elif opened.group(1) == fence:
                fence = None
            continue
        if fence is None and (heading := _HEADING.match(line)):
            found.append((index, len(heading.group(1)), heading.group(2)))
    return found


def parse_lesson(text: str) -> Lesson:
    """Splits ``text`` into the body and the hints of its ``## Hints`` section.

    Args:
        text: A lesson in Markdown.

    Returns:
        The lesson; without a ``## Hints`` section the body is the whole text and there
        are no hints. Each ``###`` subsection of that section is one hint.
    """
    lines = text.splitlines()
    headings = _headings(lines)
    start = next(
        (i for i, (_, level, title) in enumerate(headings) if level == 2 and title == "Hints"),
        None,
    )
    if start is None:
        return Lesson(text.strip() + "\n")
    first = headings[start][0]
    end = next((h[0] for h in headings[start + 1 :] if h[1] <= 2), len(lines))
    subsections = [h for h in headings[start + 1 :] if first < h[0] < end and h[1] == 3]
    hints = []
    for number, (index, _, title) in enumerate(subsections):
        stop = subsections[number + 1][0] if number + 1 < len(subsections) else end
        hints.append(Hint(title, "\n".join(lines[index + 1 : stop]).strip()))
    body = "\n".join(lines[:first] + lines[end:]).strip() + "\n"
    return Lesson(body, tuple(hints))


def load_lesson(path: Path) -> Lesson:
    """Reads and parses the lesson at ``path``; a missing file gives a placeholder."""
    try:
        return parse_lesson(path.read_text(encoding="utf-8"))
    except OSError:
        return Lesson(NO_LESSON + "\n")
