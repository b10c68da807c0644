"""Provides the JSON report (docs/results-schema.md) and atomic writing of report files.

The document is exactly :meth:`GradeResult.to_dict`, in its key order, so the schema has
one source; this module only serialises it and puts it on disk safely.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from grader.results import GradeResult

__all__ = ["to_json", "write_json", "write_text_atomic"]


def to_json(result: GradeResult) -> str:
    """Serialises ``result`` as indented JSON, keys in the order of ``to_dict``.

    Non-ASCII text is kept readable; only when the result holds something UTF-8 cannot
    encode (a lone surrogate from undecodable output) is everything written as escapes,
    so the file always decodes to the same document.

    Returns:
        The document, ending in a newline.
    """
    document = result.to_dict()
    text = json.dumps(document, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, indent=2, ensure_ascii=True)
    return text + "\n"


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Writes ``text`` (UTF-8) to ``path`` so that readers see the old file or the new one.

    The text goes to a temporary file beside the target, is synced, then renamed over it;
    a CI job that picks up the file while the grader is still writing never sees half a
    report. The parent directory must exist.

    Returns:
        The path written.
    """
    target = Path(path)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp creates 0600; a report is an ordinary file for whoever collects it.
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def write_json(result: GradeResult, path: str | Path) -> Path:
    """Writes :func:`to_json` of ``result`` to ``path`` atomically; returns the path."""
    return write_text_atomic(path, to_json(result))
