"""Provides :func:`type_steps`: steps typed into an interactive bash or xonsh under pexpect.

The shell runs with terminal echo off and without line editing of its own (bash
``--noediting``; xonsh's readline shell, whose echo follows the terminal's), so what it
prints is prompts and command output only; the keystrokes are written into the cast by
the recorder at the times the :class:`~course.recording.typist.Typist` gives. After each
line the recorder waits for the shell's next prompt (primary or continuation), never for
a fixed time. Prompts carry a colour sequence that command output does not use, so they
are recognised reliably; players show them as coloured prompts.

Times in the cast are virtual: typing follows the typist's rhythm, and a command's output
keeps the real delays with which it arrived.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pexpect

from course.recording.errors import RecordError
from course.recording.steps import Step
from course.recording.typist import Typist

__all__ = ["BASH_RC", "XONSH_RC", "Event", "ShellExited", "Terminal"]

Event = tuple[float, str, str]
"""``(seconds, code, data)`` as in asciicast v2."""

BASH_RC = r"""# scone-course recorder: prompts the recorder recognises, no history expansion
[ -f ~/.bashrc ] && . ~/.bashrc
PS1='\[\e[1;32m\]\w\[\e[0m\] $ '
PS2='\[\e[1;32m\]>\[\e[0m\] '
set +H
"""

XONSH_RC = r"""# scone-course recorder: prompts the recorder recognises, nothing else on screen
# Colour fields, not raw escapes: xonsh then knows the prompt's width for the dots.
$PROMPT = '{BOLD_GREEN}{cwd}{RESET} $ '
$MULTILINE_PROMPT = '.'
$XONSH_HISTORY_BACKEND = 'dummy'
$XONSH_SHOW_TRACEBACK = False
# A script does not print the values of bare expressions (write_text's character count,
# a Path); neither does the screencast, so it shows what the solution itself prints.
import sys as _sys
_sys.displayhook = lambda value: None
del _sys
"""

_PS1 = re.compile(r"\x1b\[1;32m[^\x1b\n]*\x1b\[0m \$ \Z")
_BASH_PS2 = re.compile(r"\x1b\[1;32m>\x1b\[0m \Z")
# xonsh repeats its continuation prompt (".") to the width of the primary one.
_XONSH_PS2 = re.compile(r"\r\.+\x1b\[0m \Z")
# What xonsh writes that a cast should not hold: window titles and the working directory
# (OSC, with the host name in them), cursor-position queries, bracketed-paste switches.
_XONSH_NOISE = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[6n|\x1b\[\?2004[hl]")
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_DSR = "\x1b[6n"
_EXIT = re.compile(r"(exit( 0)?|sys\.exit\((0)?\));?")
"""A statement that ends the shell successfully (a script ending with ``exit 0``)."""
_POLL = 0.05


def _unfinished(text: str) -> int:
    """Where an escape sequence that is not complete yet starts (``len(text)``: none)."""
    osc = text.rfind("\x1b]")
    if osc >= 0 and "\x07" not in text[osc:] and "\x1b\\" not in text[osc:]:
        return osc
    esc = text.rfind("\x1b")
    if esc >= 0 and (esc == len(text) - 1 or (text[esc + 1] == "[" and not _CSI.match(text, esc))):
        return esc
    return len(text)


class ShellExited(RecordError):
    """The shell ended before every step was typed (a failing command, ``exit``)."""


@dataclass
class Terminal:
    """One interactive shell under pexpect, and the cast events recorded from it."""

    child: pexpect.spawn[str]
    shell: str
    typist: Typist
    timeout: float
    events: list[Event] = field(default_factory=list)
    clock: float = 0.0
    """Virtual seconds since the start of the recording."""
    _pending: str = ""

    def wait_for_prompt(self) -> str:
        """Records output until the shell shows a prompt; returns ``ps1`` or ``ps2``.

        Raises:
            ShellExited: the shell ended.
            RecordError: no prompt within the timeout.
        """
        started = time.monotonic()
        base = self.clock
        seen = ""
        while True:
            try:
                text = self.child.read_nonblocking(65536, timeout=_POLL)
            except pexpect.TIMEOUT:
                text = ""
            except pexpect.EOF:
                raise ShellExited("the shell ended") from None
            elapsed = time.monotonic() - started
            if text:
                text = self._pending + text
                self._pending = ""
                if self.shell == "xonsh":
                    if _DSR in text:
                        # xonsh asks where the cursor is before each prompt and waits for
                        # the answer; a terminal would answer, so we do (column 1).
                        self.child.send("\x1b[1;1R")
                    # A sequence cut in two is kept until the rest arrives.
                    cut = _unfinished(text)
                    text, self._pending = text[:cut], text[cut:]
                    text = _XONSH_NOISE.sub("", text)
                if text:
                    self.clock = base + elapsed
                    self.events.append((self.clock, "o", text))
                    seen += text
            if _PS1.search(seen):
                return "ps1"
            if (_BASH_PS2 if self.shell == "bash" else _XONSH_PS2).search(seen):
                return "ps2"
            if elapsed > self.timeout:
                raise RecordError(
                    f"no prompt after {self.timeout:g} s (last output: {seen[-200:]!r})"
                )

    def type_line(self, line: str, *, comment: bool = False) -> str:
        """Types ``line`` and Enter; returns the prompt that followed (``ps1``/``ps2``)."""
        if comment:
            self.clock += 0.3
            self.events.append((self.clock, "o", line))  # as written, indentation kept
            self.clock += self.typist.read(line)
        else:
            for char, delay in zip(line, self.typist.keystrokes(line), strict=True):
                self.clock += delay
                self.events.append((self.clock, "o", char))
            self.clock += self.typist.enter()
        if self.shell == "bash":
            # bash without line editing echoes nothing; xonsh's readline writes the newline.
            self.events.append((self.clock, "o", "\r\n"))
            self.child.send(line + "\n")
        else:
            # xonsh's readline indents continuation lines by itself; Ctrl-U clears that
            # first, so the line is exactly what the solution says.
            self.child.send("\x15" + line + "\n")
        return self.wait_for_prompt()

    def type_steps(self, steps: Sequence[Step]) -> None:
        """Types every step, with a marker at the start of each statement.

        Raises:
            ShellExited: the shell ended during a step (the message names it).
        """
        for number, step in enumerate(steps, start=1):
            self.clock += self.typist.think()
            if step.lines:
                self.events.append((self.clock, "m", step.label))
            try:
                for comment in step.comments:
                    self.type_line(comment.strip(), comment=True)
                for line in step.lines:
                    # A comment inside a statement appears at once, like those above it.
                    self.type_line(line, comment=line.lstrip().startswith("#"))
            except ShellExited:
                if _EXIT.fullmatch(step.label):
                    return  # the solution ends itself, as a script would: done
                label = step.label or "a comment"
                raise ShellExited(
                    f"the shell ended during step {number} of {len(steps)} ({label})"
                ) from None
