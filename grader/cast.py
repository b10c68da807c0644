"""Provides an asciicast v2 writer that redacts secrets, and a reader for tests and replay.

A cast file is one JSON header line followed by one ``[seconds, code, data]`` JSON line per
event (``"o"`` output, ``"i"`` input, ``"m"`` marker); ``asciinema play`` and
``asciinema cat`` read it. Every string written passes through the same redaction as
:func:`redact_text`: each registered secret, and any PEM private-key block whether or not
it was registered, becomes ``[REDACTED]``.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

__all__ = ["REDACTED", "CastWriter", "read_cast", "redact_text", "redaction_forms"]

REDACTED = "[REDACTED]"
"""What a secret is replaced with, in casts, transcripts and reports."""

_BEGIN = "-----BEGIN "
# A private-key block, or (second branch) one whose END line never came: the key is still
# on screen, so everything from its header on is redacted.
_PEM = (
    r"(?P<key>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
    r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?P<closed>-----)|.*\Z))"
)
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_HEADER_CHARS = re.compile(r"[A-Z0-9 -]*")
_HEADER_MAX = 80
"""Longest text after which an unfinished ``-----BEGIN …`` can no longer become a header."""


def redaction_forms(secrets: Iterable[str]) -> set[str]:
    """The secrets, and every other form in which each of them reaches a screen.

    Generated ASCII values may hold ``"`` or ``\\``; the CAS's REST answers are JSON, so
    such a value shows up escaped. A generated binary value is known as hex, but policies
    export it as Base32 (an OTP secret: ``$$SCONE::otp_secret:base32nopad$$``) or Base64,
    so those forms are secrets too. Derived forms shorter than 6 characters are left out:
    they would redact ordinary text and hide nothing worth hiding.
    """
    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue  # an empty string would match everywhere, and leaks nothing
        found.add(secret)
        derived = {json.dumps(secret, ensure_ascii=False)[1:-1]}
        if len(secret) % 2 == 0 and all(c in "0123456789abcdef" for c in secret):
            raw = bytes.fromhex(secret)
            for encoded in (base64.b32encode(raw), base64.b64encode(raw)):
                text = encoded.decode()
                derived.update((text, text.rstrip("=")))
        found.update(form for form in derived if len(form) >= 6)
    return found


class _Secrets:
    """A set of secret strings (in all their forms, see :func:`redaction_forms`) and the one
    regular expression that finds them all."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self.pattern = re.compile(_PEM, re.DOTALL)
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        self._values.update(redaction_forms(secrets))
        # Longest first, so that a secret containing another is replaced whole.
        ordered = sorted(self._values, key=lambda s: (-len(s), s))
        alternatives = [_PEM, *(re.escape(s) for s in ordered)]
        self.pattern = re.compile("|".join(alternatives), re.DOTALL)

    def partial_tail(self, text: str) -> int:
        """The length of the longest suffix of ``text`` that may grow into a secret or key."""
        longest = max((len(s) for s in self._values), default=0)
        firsts = {s[0] for s in self._values} | {_BEGIN[0]}
        for start in range(max(0, len(text) - max(longest, _HEADER_MAX)), len(text)):
            if text[start] not in firsts:
                continue
            tail = text[start:]
            if any(len(s) > len(tail) and s.startswith(tail) for s in self._values):
                return len(tail)
            if _BEGIN.startswith(tail) or (
                tail.startswith(_BEGIN) and _HEADER_CHARS.fullmatch(tail, len(_BEGIN))
            ):
                return len(tail)
        return 0


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Replaces each secret, and every PEM private-key block, in ``text`` by ``[REDACTED]``.

    Args:
        text: A transcript, a report field, anything about to be shown or stored.
        secrets: The values to hide; empty strings are ignored.

    Returns:
        The text with every occurrence replaced. A private-key block without its END line
        is redacted up to the end of the text.
    """
    return _Secrets(secrets).pattern.sub(REDACTED, text)


class _Stream:
    """Redacts a stream that arrives in chunks, holding back what may be half a secret.

    The result equals :func:`redact_text` over the whole stream. Once a private-key header
    has gone by, ``[REDACTED]`` is written at once and the key's lines are dropped until
    its END line: the same text, sooner, and without keeping a flood of output in memory.
    """

    def __init__(self, secrets: _Secrets) -> None:
        self._secrets = secrets
        self._pending = ""
        self._in_key = False

    def feed(self, text: str) -> str:
        """Takes a chunk; returns the redacted text that is now safe to write."""
        raw = self._pending + text
        if self._in_key:
            end = _PEM_END.search(raw)
            if end is None:
                # Keep just enough to recognise an END line split across chunks.
                self._pending = raw[-_HEADER_MAX:]
                return ""
            self._in_key = False
            raw = raw[end.end() :]
        limit = len(raw) - self._secrets.partial_tail(raw)
        pieces: list[str] = []
        pos = 0
        for match in self._secrets.pattern.finditer(raw):
            if match.start() >= limit:
                break
            pieces += [raw[pos : match.start()], REDACTED]
            pos = match.end()
            if match.group("key") is not None and match.group("closed") is None:
                # The block ran to the end of what we have: it is still being printed.
                # Look for its END line only after its header, never in earlier text.
                header = _PEM_BEGIN.match(raw, match.start())
                assert header is not None
                self._in_key = True
                self._pending = raw[max(header.end(), len(raw) - _HEADER_MAX) :]
                return "".join(pieces)
        # A match that starts before the limit is complete (the partial tail is the
        # longest suffix that could still grow), even when it reaches past the limit.
        cut = max(limit, pos)
        pieces.append(raw[pos:cut])
        self._pending = raw[cut:]
        return "".join(pieces)

    def flush(self) -> str:
        """Everything still held back, redacted as a finished text."""
        rest, self._pending = self._pending, ""
        if self._in_key:
            self._in_key = False
            return ""
        return self._secrets.pattern.sub(REDACTED, rest)


def _clean(text: str) -> str:
    # Lone surrogates (undecodable bytes) cannot be written as UTF-8; players would choke.
    return text.encode("utf-8", "replace").decode("utf-8")


class CastWriter:
    """Writes one asciicast v2 file as a run goes; usable as a context manager.

    Times are seconds since the writer was created (or the ``at`` passed in) and never go
    backwards: an earlier time is clamped to the last one written. Output is redacted as a
    stream, so a secret split across two chunks is still caught; the few characters that
    may start a secret are held back until the next chunk or :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        width: int = 80,
        height: int = 24,
        title: str | None = None,
        env: Mapping[str, str] | None = None,
        idle_time_limit: float | None = None,
        redact: Iterable[str] = (),
        timestamp: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Creates (or replaces) the file at ``path`` and writes the header.

        Args:
            path: Where the cast goes.
            width: Terminal columns of the recorded session.
            height: Terminal rows.
            title: Shown by players; omitted when None.
            env: Usually ``SHELL`` and ``TERM`` of the run; defaults to bash and xterm.
            idle_time_limit: Players shorten pauses longer than this (seconds).
            redact: Secret values to replace by ``[REDACTED]``.
            timestamp: Unix time of the start; now when None.
            clock: Monotonic seconds, for times not given explicitly (tests pass a fake).
        """
        self.path = Path(path)
        self._clock = clock
        self._start = clock()
        self._last = 0.0
        self._secrets = _Secrets(redact)
        self._out = _Stream(self._secrets)
        self._in = _Stream(self._secrets)
        header: dict[str, Any] = {
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": int(time.time()) if timestamp is None else timestamp,
            "env": dict(env) if env is not None else {"SHELL": "/bin/bash", "TERM": "xterm"},
        }
        if title is not None:
            header["title"] = redact_text(title)
        if idle_time_limit is not None:
            header["idle_time_limit"] = idle_time_limit
        self._file: TextIO | None = self.path.open("w", encoding="utf-8")
        self._write_line(header)

    def add_redaction(self, secret: str) -> None:
        """Hides ``secret`` from now on, including in text that is still held back."""
        self._secrets.add(secret)

    def output(self, text: str, at: float | None = None) -> None:
        """Records terminal output (raw, ANSI sequences kept) at ``at`` seconds."""
        self._event(at, "o", self._out.feed(text))

    def input(self, text: str, at: float | None = None) -> None:
        """Records keyboard input sent to the program."""
        self._event(at, "i", self._in.feed(text))

    def marker(self, label: str, at: float | None = None) -> None:
        """Records a marker (e.g. one per ``scone`` call) that players can jump to."""
        # A label arrives whole, so it is redacted at once rather than as a stream.
        self._event(at, "m", self._secrets.pattern.sub(REDACTED, label), always=True)

    def close(self) -> None:
        """Writes what was held back and closes the file; calling it again does nothing."""
        if self._file is None:
            return
        # Held-back text belongs to the last chunk, so it keeps the last time written.
        self._event(self._last, "o", self._out.flush())
        self._event(self._last, "i", self._in.flush())
        self._file.close()
        self._file = None

    def __enter__(self) -> CastWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _event(self, at: float | None, code: str, data: str, *, always: bool = False) -> None:
        if self._file is None:
            raise ValueError(f"cast {self.path} is closed")
        when = self._clock() - self._start if at is None else at
        self._last = max(self._last, when)
        if data or always:
            self._write_line([round(self._last, 6), code, _clean(data)])

    def _write_line(self, value: object) -> None:
        assert self._file is not None
        self._file.write(json.dumps(value, ensure_ascii=False) + "\n")
        # A killed grader still leaves a playable cast up to the last event.
        self._file.flush()


def read_cast(path: str | Path) -> tuple[dict[str, Any], list[tuple[float, str, str]]]:
    """Reads an asciicast v2 file.

    Returns:
        The header and the events as ``(seconds, code, data)`` tuples.

    Raises:
        ValueError: The file is not asciicast v2 (the message names the line).
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError(f"{path}: empty file, no asciicast header")
    header = json.loads(lines[0])
    if not isinstance(header, dict) or header.get("version") != 2:
        raise ValueError(f"{path}:1: not an asciicast v2 header")
    events: list[tuple[float, str, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        event = json.loads(line)
        if not (
            isinstance(event, list)
            and len(event) == 3
            and isinstance(event[0], int | float)
            and isinstance(event[1], str)
            and isinstance(event[2], str)
        ):
            raise ValueError(f"{path}:{number}: not a [time, code, data] event")
        events.append((float(event[0]), event[1], event[2]))
    return header, events
