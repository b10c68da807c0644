"""Provides the course environment (architecture §4.2): what every script run sees.

The environment is explicit and minimal; nothing of the caller's environment leaks in
except ``LANG`` and ``TERM`` defaults.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["course_environment", "system_path"]


def system_path() -> str:
    """The PATH of a course shell: the course's Python first (python3 with PyYAML), then
    the system directories."""
    entries = [
        os.path.dirname(sys.executable),
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ]
    return os.pathsep.join(entries)


def course_environment(
    *,
    home: Path,
    tools: Path,
    cas_address: str,
    ledger: Path | None = None,
    term: str = "xterm-256color",
) -> dict[str, str]:
    """The variables of a course shell or grading run."""
    env = {
        "HOME": str(home),
        "PATH": system_path(),
        "LANG": "C.UTF-8",
        "TERM": term,
        "SCONE_CAS_ADDR": cas_address,
        "SCONE_CAS_PAGE": f"http://{cas_address}:8080/public-CAS/",
        "SCONE_COURSE_TOOLS": str(tools),
    }
    if ledger is not None:
        env["SCONE_COURSE_LEDGER"] = str(ledger)
    return env
