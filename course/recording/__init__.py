"""Screencasts: scripted recordings of solutions, live recordings, transcripts.

- :func:`course.recording.recorder.record` types a solution into an interactive shell in
  a fresh sandbox and writes an asciicast v2 file (a marker per step, secrets redacted,
  written atomically);
- :func:`course.recording.recorder.reference_cast` records an assignment's reference
  solution on demand into a cache and returns the path (the TUI's "watch the reference
  screencast");
- :func:`course.recording.live.record_live` records a free-form course shell with
  ``asciinema rec`` and redacts it afterwards;
- :func:`course.recording.transcript.transcript_of` gives the normalised plain text of a
  cast (the goldens ``assignments/<id>/transcript.<shell>.txt``).

The names above can be imported from here, but each is loaded on first use:
``scone-course`` imports :mod:`course.recording.cli` for its argument parser at every
start, and that must stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from course.recording.errors import RecordError
    from course.recording.live import record_live, redact_cast
    from course.recording.recorder import Recording, RecordOptions, record, reference_cast
    from course.recording.transcript import normalise_transcript, transcript_of

__all__ = [
    "RecordError",
    "RecordOptions",
    "Recording",
    "normalise_transcript",
    "record",
    "record_live",
    "redact_cast",
    "reference_cast",
    "transcript_of",
]

_HOME = {
    "RecordError": "errors",
    "RecordOptions": "recorder",
    "Recording": "recorder",
    "record": "recorder",
    "reference_cast": "recorder",
    "record_live": "live",
    "redact_cast": "live",
    "normalise_transcript": "transcript",
    "transcript_of": "transcript",
}


def __getattr__(name: str) -> Any:
    """Loads a public name from its module on first use (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module 'course.recording' has no attribute {name!r}")
    return getattr(importlib.import_module(f"course.recording.{_HOME[name]}"), name)
