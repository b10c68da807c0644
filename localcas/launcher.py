"""Provides the course's `scone` launcher: a tiny script that runs the CLI stand-in.

Learners never type ``python -m``: the course puts this launcher in its tools directory,
and Assignment 0 teaches them to alias it, as the real course aliases a ``docker run``.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

__all__ = ["write_launcher"]


def write_launcher(tools: Path, python: str = sys.executable) -> Path:
    """Writes ``tools/scone`` (executable) and returns its path; rewrites it atomically."""
    tools.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    script = (
        "#!/bin/sh\n"
        "# scone: the localcas stand-in for the SCONE CLI (written by scone-course).\n"
        f"PYTHONPATH={shlex.quote(str(root))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {shlex.quote(python)} -m localcas.cli "$@"\n'
    )
    target = tools / "scone"
    tmp = tools / ".scone.tmp"
    tmp.write_text(script, encoding="utf-8")
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
    return target
