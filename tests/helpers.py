"""Helpers for tests: course shells around a CAS, the documented attest snippet."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from localcas.instance import CasInstance
from localcas.launcher import write_launcher


@dataclass
class Shell:
    """A course environment: its own HOME, the `scone` launcher, the CAS variables."""

    home: Path
    env: dict[str, str]

    def run(
        self, script: str, *, check: bool = True, cwd: Path | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Runs ``script`` with ``bash -euo pipefail``; returns the finished process."""
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", script],
            cwd=cwd or self.home,
            env=self.env,
            text=True,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"script failed ({done.returncode}):\n{script}\n--- stdout\n{done.stdout}"
                f"\n--- stderr\n{done.stderr}"
            )
        return done


def make_shell(home: Path, cas: CasInstance) -> Shell:
    """A fresh course environment for ``cas`` with HOME at ``home``."""
    tools = home / ".course-tools"
    write_launcher(tools, sys.executable)
    env = {
        "HOME": str(home),
        "PATH": f"{tools}:{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "SCONE_CAS_ADDR": cas.address,
        "SCONE_CAS_PAGE": cas.page_url,
        "SCONE_COURSE_TOOLS": str(tools),
    }
    return Shell(home, env)


ATTEST = (
    'M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE "\\b[0-9a-f]{64}\\b" | head -n1)\n'
    'scone cas attest -G --mrenclave "$M" --only_for_testing-ignore-signer'
    ' --only_for_testing-debug "$SCONE_CAS_ADDR" >/dev/null\n'
)
"""Bash that attests the course CAS the documented way."""
