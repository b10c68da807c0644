"""Provides the two diff renderings of the solution screen: side by side and unified.

Pure functions from two texts to Rich renderables (difflib does the matching)."""

from __future__ import annotations

import difflib

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

__all__ = ["side_by_side", "unified"]


def _cell(line: str | None, sign: str, style: str) -> Text:
    if line is None:
        return Text("")
    return Text(f"{sign} {line}", style=style)


def side_by_side(mine: str, reference: str) -> RenderableType:
    """The learner's script (left) next to the reference (right), differences coloured.

    Lines only the learner has are red with ``-``, lines only the reference has are green
    with ``+``; a changed block pairs its lines row by row.
    """
    left, right = mine.splitlines(), reference.splitlines()
    table = Table(expand=True, box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("Your script", ratio=1, overflow="fold")
    table.add_column("Reference", ratio=1, overflow="fold")
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(left[a0:a1], right[b0:b1], strict=True):
                table.add_row(_cell(a, " ", ""), _cell(b, " ", ""))
            continue
        theirs, ours = left[a0:a1], right[b0:b1]
        for row in range(max(len(theirs), len(ours))):
            table.add_row(
                _cell(theirs[row] if row < len(theirs) else None, "-", "red"),
                _cell(ours[row] if row < len(ours) else None, "+", "green"),
            )
    return table


def unified(mine: str, reference: str) -> RenderableType:
    """A unified diff from the learner's script to the reference."""
    lines = difflib.unified_diff(
        mine.splitlines(), reference.splitlines(), "your script", "reference", lineterm=""
    )
    text = "\n".join(lines)
    if not text:
        return Text("Your script and the reference are the same.", style="green")
    return Syntax(text, "diff", theme="ansi_dark", word_wrap=True)
