"""Provides :func:`split_script`: a solution cut into the steps a recording types.

A step is one top-level complete statement (a command, an ``if … fi``, a function, a
heredoc with its body, a loop) together with the comment lines just above it. The
recorder types a step line by line into an interactive shell and puts one marker at its
start, so a player jumps from statement to statement.

How statements are found:

- **bash** decides itself: lines are added to a statement until ``bash -n`` accepts the
  text. Two cases ``bash -n`` accepts although an interactive shell would still wait for
  more are checked here: an open heredoc (bash warns "here-document … delimited by
  end-of-file") and a line ending in a backslash.
- **xonsh** (Python syntax) by indentation: a statement is a line at column 0 plus the
  indented lines, ``else``/``elif``/``except``/``finally`` lines and lines inside open
  brackets that follow it. Interactive xonsh ends a multi-line statement at an empty
  line, so blank lines *inside* one are dropped and one is added at its end.

The shebang line and blank lines between statements are not typed.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

__all__ = ["Step", "split_script"]

_DEDENT = re.compile(r"(else|elif|except|finally)\b")
_LABEL_MAX = 72


@dataclass(frozen=True)
class Step:
    """One top-level statement and the comments that explain it."""

    comments: tuple[str, ...]
    lines: tuple[str, ...]
    """The statement as typed, line by line (for xonsh, with the closing empty line)."""

    @property
    def label(self) -> str:
        """The marker label: the statement's first line, shortened."""
        first = self.lines[0].strip() if self.lines else ""
        return first if len(first) <= _LABEL_MAX else first[: _LABEL_MAX - 1] + "…"


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _bash_complete(text: str) -> bool:
    """Whether an interactive bash would run ``text`` now rather than ask for more."""
    last = text.rstrip("\n").split("\n")[-1]
    trailing = len(last) - len(last.rstrip("\\"))
    if trailing % 2 == 1:
        return False
    done = subprocess.run(
        ["bash", "-n"], input=text, capture_output=True, text=True, check=False, timeout=10
    )
    return done.returncode == 0 and "here-document" not in done.stderr


def _split_bash(lines: list[str]) -> list[Step]:
    steps: list[Step] = []
    comments: list[str] = []
    current: list[str] = []
    for line in lines:
        if not current:
            if not line.strip():
                continue
            if _is_comment(line):
                comments.append(line)
                continue
        current.append(line)
        if _bash_complete("\n".join(current) + "\n"):
            steps.append(Step(tuple(comments), tuple(current)))
            comments, current = [], []
    if current:  # an unfinished statement at the end: typed as it is, bash will complain
        steps.append(Step(tuple(comments), tuple(current)))
    elif comments:
        steps.append(Step(tuple(comments), ()))
    return steps


class _Scanner:
    """Follows brackets and strings (triple-quoted ones across lines) through xonsh code."""

    def __init__(self) -> None:
        self.depth = 0
        self.triple = ""
        """The delimiter of the triple-quoted string we are in, if any."""

    @property
    def open(self) -> bool:
        """True while a bracket or a triple-quoted string is still open."""
        return self.depth > 0 or bool(self.triple)

    def feed(self, line: str) -> None:
        """Takes the next line."""
        i = 0
        quote = ""
        while i < len(line):
            if self.triple:
                end = line.find(self.triple, i)
                if end < 0:
                    return
                i, self.triple = end + 3, ""
                continue
            char = line[i]
            if quote:
                if char == "\\":
                    i += 1
                elif char == quote:
                    quote = ""
            elif line.startswith(('"""', "'''"), i):
                self.triple = line[i : i + 3]
                i += 3
                continue
            elif char in "'\"":
                quote = char
            elif char == "#":
                return
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth -= 1
            i += 1


def _split_xonsh(lines: list[str]) -> list[Step]:
    steps: list[Step] = []
    comments: list[str] = []
    current: list[str] = []

    def finish() -> None:
        nonlocal comments, current
        if current:
            typed = [*current, ""] if len(current) > 1 else current
            steps.append(Step(tuple(comments), tuple(typed)))
            comments, current = [], []

    scanner = _Scanner()
    for line in lines:
        stripped = line.strip()
        if current and scanner.triple:  # inside a string: every line counts, blank or not
            current.append(line)
            scanner.feed(line)
            continue
        continues = bool(current) and (
            scanner.open
            or current[-1].rstrip().endswith("\\")
            or line[:1] in (" ", "\t")
            or bool(_DEDENT.match(stripped))
            or not stripped
        )
        if continues:
            if stripped:  # an empty line would end the statement in interactive xonsh
                current.append(line)
                scanner.feed(line)
            continue
        finish()
        if not stripped:
            continue
        if _is_comment(line):
            comments.append(line)
            continue
        current = [line]
        scanner = _Scanner()
        scanner.feed(line)
    finish()
    if comments:
        steps.append(Step(tuple(comments), ()))
    return steps


def split_script(text: str, shell: str) -> list[Step]:
    """Cuts a bash or xonsh script into the steps a recording types.

    Args:
        text: The script.
        shell: ``bash`` or ``xonsh``.

    Returns:
        The steps in order; a last step without lines holds trailing comments.
    """
    lines = text.splitlines()
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    return _split_xonsh(lines) if shell == "xonsh" else _split_bash(lines)
