"""Provides :func:`mask_argv`: a command line as the ledger may keep it.

The ledger (``SCONE_COURSE_LEDGER``) records every `scone` call, and graders show those
calls to learners and instructors. Values passed as ``-e NAME=VALUE`` whose NAME looks
secret must not appear there. The CLI stand-in and the grader's shim around a real
`scone` both write ledger lines, so both mask with this one rule.
"""

from __future__ import annotations

import re

__all__ = ["mask_argv"]

_SECRETISH = re.compile(r"(?i)(secret|pass|token|key|otp|private)")


def mask_argv(argv: list[str]) -> list[str]:
    """``argv`` with the values of secret-looking ``-e NAME=VALUE`` replaced by ``***``."""
    out: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            name, sep, _ = arg.partition("=")
            arg = f"{name}=***" if sep and _SECRETISH.search(name) else arg
            mask_next = False
        elif arg in ("-e", "--env"):
            mask_next = True
        out.append(arg)
    return out
