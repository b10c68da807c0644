"""Provides fault injection for grading: a CAS that fails one upload on purpose.

The grader starts a CAS with ``--fault-plan FILE`` (a path the learner's script cannot
reach) to check that a script converges after a failure:

- ``{"kind": "503", "at": k}``: the k-th upload attempt is answered 503, unprocessed.
- ``{"kind": "drop", "at": k}``: the k-th committed upload is committed, then the
  connection is closed without an answer (the client cannot know it succeeded).
- ``{"kind": "crash", "at": k}``: the k-th committed upload is committed, an event
  ``{"event": "crash-point", "mutation": k}`` is appended to ``--events FILE``, and the
  answer is withheld until the client goes away: the grader kills the script while its
  call is still in flight, exactly after the CAS changed state.

Each plan fires once; later uploads are served normally.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from localcas.errors import LocalCasError

__all__ = ["FaultAction", "FaultPlan", "load_plan"]

FaultKind = Literal["503", "drop", "crash"]
FaultAction = Literal["none", "reject", "drop", "hold"]


@dataclass
class FaultPlan:
    """One planned fault, and the counters that decide when it fires."""

    kind: FaultKind
    at: int
    attempts: int = 0
    commits: int = 0
    fired: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def before_upload(self) -> FaultAction:
        """Called for every upload attempt; ``reject`` means answer 503 now."""
        with self._lock:
            self.attempts += 1
            if self.kind == "503" and not self.fired and self.attempts == self.at:
                self.fired = True
                return "reject"
        return "none"

    def after_commit(self) -> FaultAction:
        """Called after an upload committed; ``drop`` or ``hold`` withholds the answer."""
        with self._lock:
            self.commits += 1
            if self.kind != "503" and not self.fired and self.commits == self.at:
                self.fired = True
                return "drop" if self.kind == "drop" else "hold"
        return "none"


def load_plan(path: Path) -> FaultPlan:
    """Reads a plan file.

    Raises:
        LocalCasError: the file is missing or not a plan.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kind, at = data["kind"], int(data["at"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise LocalCasError(f"fault plan {path} is unusable: {err}") from err
    if kind not in ("503", "drop", "crash") or at < 1:
        raise LocalCasError(f"fault plan {path}: kind must be 503|drop|crash and at >= 1")
    return FaultPlan(kind, at)
