"""Provides :func:`write_docker_launcher`: the course's ``docker`` in the tools directory.

The OTP section's command lines are ``docker run … otpqr:scone /bin/otpqr``. The course
puts a ``docker`` launcher beside its ``scone`` launcher (never on PATH by itself); it runs
the emulated SCONE runtime and refuses every other docker command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from localcas.launcher import write_module_launcher

__all__ = ["write_docker_launcher"]


def write_docker_launcher(tools: Path, python: str = sys.executable) -> Path:
    """Writes ``tools/docker`` (executable) and returns its path; rewrites it atomically."""
    return write_module_launcher(
        tools,
        "docker",
        "localcas.runtime",
        "runs course images on the emulated SCONE runtime",
        python,
    )
