"""Provides the course's `scone` launcher: a tiny script that runs the CLI stand-in.

Learners never type ``python -m``: the course puts this launcher in its tools directory,
and Assignment 0 teaches them to alias it, as the real course aliases a ``docker run``.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

__all__ = ["write_executable", "write_launcher", "write_module_launcher"]

_ROOT = Path(__file__).resolve().parent.parent
"""The directory holding the ``localcas`` package (what the launchers put on PYTHONPATH)."""


def write_executable(path: Path, text: str) -> Path:
    """Writes ``text`` to ``path`` with mode 0755, atomically (a temp file, then rename):
    a script that runs while it is rewritten sees the old or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path


def write_module_launcher(
    tools: Path, name: str, module: str, comment: str, python: str = sys.executable
) -> Path:
    """Writes ``tools/name``: a shell script that runs ``python -m module "$@"``.

    Args:
        tools: The course's tools directory.
        name: The command's name (``scone``, ``docker``).
        module: The module it runs.
        comment: One line saying what the command is, for a learner who reads the script.
        python: The interpreter (the course's own, with its packages).
    """
    script = (
        "#!/bin/sh\n"
        f"# {name}: {comment} (written by scone-course).\n"
        f"PYTHONPATH={shlex.quote(str(_ROOT))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {shlex.quote(python)} -m {module} "$@"\n'
    )
    return write_executable(tools / name, script)


def write_launcher(tools: Path, python: str = sys.executable) -> Path:
    """Writes ``tools/scone`` (executable) and returns its path; rewrites it atomically."""
    return write_module_launcher(
        tools, "scone", "localcas.cli", "the localcas stand-in for the SCONE CLI", python
    )
