"""Provides :func:`record_live` (a free-form course shell under ``asciinema rec``) and
:func:`redact_cast` (the redaction it applies afterwards, usable on any cast).

``asciinema rec`` 2.4 records into a temporary file beside the target; when the shell
ends, every value the workspace CAS generated and every PEM private key is replaced by
``[REDACTED]`` and the result is renamed into place. asciinema's pitfalls (see the
project's stack notes) are handled here: it always exits 0, so the file itself is
checked; it refuses an existing file, so it always gets a fresh name; and it is always
given a path, so it never offers to upload.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from course.recording.errors import RecordError
from course.recording.recorder import _atomic, check_output
from grader.cast import CastWriter, read_cast

__all__ = ["asciinema_command", "record_live", "redact_cast"]


def asciinema_command() -> str:
    """The ``asciinema`` beside the course's Python, else the one on PATH.

    Raises:
        RecordError: there is none.
    """
    beside = Path(sys.executable).with_name("asciinema")
    if beside.exists():
        return str(beside)
    found = shutil.which("asciinema")
    if found is None:
        raise RecordError("asciinema is not installed; run 'make course' to set up the venv")
    return found


def redact_cast(source: Path, target: Path, secrets: Iterable[str]) -> int:
    """Writes ``source`` to ``target`` with ``secrets`` and private keys redacted.

    The header keeps size, title, idle-time limit, timestamp and environment; output,
    input and marker events keep their times. Other event kinds (resize) are dropped.

    Returns:
        How many events were written.

    Raises:
        RecordError: ``source`` is not an asciicast v2 file.
    """
    try:
        header, events = read_cast(source)
    except (OSError, ValueError) as err:
        raise RecordError(f"cannot redact {source}: {err}") from None
    env = header.get("env")
    limit = header.get("idle_time_limit")
    written = 0
    with CastWriter(
        target,
        width=int(header.get("width", 80)),
        height=int(header.get("height", 24)),
        title=header.get("title"),
        env=env if isinstance(env, dict) else None,
        idle_time_limit=float(limit) if isinstance(limit, int | float) else None,
        redact=secrets,
        timestamp=header.get("timestamp"),
    ) as writer:
        for at, code, data in events:
            if code == "o":
                writer.output(data, at=at)
            elif code == "i":
                writer.input(data, at=at)
            elif code == "m":
                writer.marker(data, at=at)
            else:
                continue
            written += 1
    return written


def record_live(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    output: Path,
    *,
    secrets: Iterable[str] | None = None,
    secrets_db: Path | None = None,
    title: str = "scone-course practice shell",
    cols: int | None = None,
    rows: int | None = None,
    idle_limit: float = 2.0,
    force: bool = False,
) -> Path:
    """Records the interactive command ``argv`` with ``asciinema rec`` into ``output``.

    Args:
        secrets: values to redact; with ``secrets_db``, the generated values of that CAS
            database are added *after* the session, so values created during it are
            hidden as well.
        cols, rows: the recorded size; the terminal's own when None.

    Raises:
        RecordError: the output cannot be written, or asciinema recorded nothing.
    """
    check_output(output, force=force)
    raw = output.with_name(f".{output.name}.{os.getpid()}.raw")
    raw.unlink(missing_ok=True)
    command = [
        asciinema_command(),
        "rec",
        "--quiet",
        "--title",
        title,
        "--idle-time-limit",
        f"{idle_limit:g}",
        "--command",
        shlex.join(argv),
    ]
    if cols is not None:
        command += ["--cols", str(cols)]
    if rows is not None:
        command += ["--rows", str(rows)]
    try:
        subprocess.call([*command, str(raw)], cwd=cwd, env=env)
        if not raw.is_file():
            raise RecordError("asciinema recorded nothing (see its messages above)")
        values = set(secrets or ())
        if secrets_db is not None:
            from grader.world import secrets_in_db

            values.update(secrets_in_db(secrets_db))
        with _atomic(output) as temporary:
            redact_cast(raw, temporary, values)  # CastWriter hides every form of each
    finally:
        raw.unlink(missing_ok=True)
    return output
