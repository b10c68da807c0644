"""Provides :func:`write_docker_launcher`: the course's ``docker`` in the tools directory.

The OTP section's command lines are ``docker run … otpqr:scone /bin/otpqr``. The course
puts a ``docker`` launcher beside its ``scone`` launcher (never on PATH by itself); it runs
the emulated SCONE runtime and refuses every other docker command.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

__all__ = ["write_docker_launcher"]


def write_docker_launcher(tools: Path, python: str = sys.executable) -> Path:
    """Writes ``tools/docker`` (executable) and returns its path; rewrites it atomically."""
    tools.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent.parent
    script = (
        "#!/bin/sh\n"
        "# docker: runs course images on the emulated SCONE runtime (written by scone-course).\n"
        f"PYTHONPATH={shlex.quote(str(root))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {shlex.quote(python)} -m localcas.runtime "$@"\n'
    )
    target = tools / "docker"
    tmp = tools / ".docker.tmp"
    tmp.write_text(script, encoding="utf-8")
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
    return target
