"""Provides the isolation of a script run: its own mount and PID namespaces.

A learner's script must not see reference solutions, other sandboxes (other students'
work in a batch), or the CAS's database and fault plan. File permissions cannot promise
that when grading runs as root, so each run starts under ``unshare``:

- a **PID namespace** (with its own /proc): the script sees no process outside it (not
  the CAS, whose command line and files /proc would otherwise expose), and when the
  namespace's first process ends the kernel ends every process left in it — background
  and ``setsid`` children included;
- a **mount namespace** in which tmpfs hides the directory of all sandboxes (except this
  run's own tree, moved back into place), the reference solutions and the private
  directory of the sandbox.

As root this needs no set-up; as another user it uses a user namespace
(``--map-root-user``). Where neither works (e.g. some containers), runs are not
isolated: :func:`probe` says so, and the grader reports it loudly in its result notes.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Isolation", "probe", "wrap"]

_SETUP = r"""
set -e
root=$1 parent=$2 stash=$3
shift 3
while [ "$1" != "--" ]; do
  [ -e "$1" ] && mount -t tmpfs -o ro,size=4k,mode=555 scone-hidden "$1"
  shift
done
shift
mount --rbind "$root" "$stash"
mount -t tmpfs -o mode=755 scone-sandboxes "$parent"
mkdir -p "$root"
mount --move "$stash" "$root"
cd "$PWD"
exec "$@"
"""


@dataclass(frozen=True)
class Isolation:
    """How runs can be isolated on this machine."""

    mode: str
    """``root``, ``userns`` or ``none``."""
    reason: str = ""
    """Why isolation is unavailable (mode ``none``)."""

    @property
    def available(self) -> bool:
        """True when runs get their own namespaces."""
        return self.mode != "none"

    def prefix(self) -> list[str]:
        """The ``unshare`` command line that starts a run in new namespaces."""
        flags = ["--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private"]
        if self.mode == "userns":
            flags = ["--user", "--map-root-user", *flags]
        return ["unshare", *flags, "--"]


@functools.cache
def probe() -> Isolation:
    """Tries the namespaces once per process and says what works."""
    if shutil.which("unshare") is None:
        return Isolation("none", "the unshare command (util-linux) is not installed")
    mode = "root" if os.geteuid() == 0 else "userns"
    command = [
        *Isolation(mode).prefix(),
        "/bin/sh",
        "-c",
        "mount -t tmpfs none /mnt 2>/dev/null || mount -t tmpfs none /tmp; echo ok",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return Isolation("none", f"unshare failed: {err}")
    if done.returncode != 0 or done.stdout.strip() != "ok":
        detail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return Isolation("none", f"unshare is not permitted here ({detail[0]})")
    return Isolation(mode)


def wrap(
    command: Sequence[str],
    *,
    isolation: Isolation,
    root: Path,
    parent: Path,
    stash: Path,
    hide: Sequence[Path],
) -> list[str]:
    """``command`` started inside new namespaces with ``hide`` and ``parent`` covered.

    Args:
        root: this run's sandbox tree (stays visible, at its own path).
        parent: the directory holding every sandbox (hidden, but for ``root``).
        stash: an empty directory outside ``parent`` used while moving ``root`` back.
        hide: further paths to cover (reference solutions, the private directory).
    """
    if not isolation.available:
        return list(command)
    return [
        *isolation.prefix(),
        "/bin/sh",
        "-c",
        _SETUP,
        "scone-sandbox",
        str(root),
        str(parent),
        str(stash),
        *[str(p) for p in hide],
        "--",
        *command,
    ]
