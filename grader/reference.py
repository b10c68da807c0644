"""Provides the cache of reference results (normalised state after the reference run).

A reference run costs as much as a learner's run 1, and it is the same for every
submission: the cache key covers everything that could change its outcome — the
assignment definition, the reference solutions of it and of its prerequisites, the
shell, and the localcas and grader versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import localcas
from grader.catalog import Assignment, Catalog
from grader.prerequisites import shell_for

__all__ = ["ReferenceCache"]

GRADER_VERSION = "1"


@dataclass(frozen=True)
class ReferenceCache:
    """Normalised reference states, one JSON file per key."""

    directory: Path | None
    """None disables caching."""

    @classmethod
    def default(cls) -> ReferenceCache:
        """``$SCONE_GRADER_CACHE``, else ``$XDG_CACHE_HOME/scone-course/references``."""
        env = os.environ.get("SCONE_GRADER_CACHE")
        if env:
            return cls(Path(env))
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cls(base / "scone-course" / "references")

    def key(self, catalog: Catalog, assignment: Assignment, shell: str) -> str:
        """The cache key of a reference run."""
        digest = hashlib.sha256()
        for part in (assignment.id, shell, localcas.__version__, GRADER_VERSION):
            digest.update(part.encode() + b"\0")
        paths = [assignment.directory / "assignment.yaml", assignment.reference(shell)]
        for prerequisite in assignment.prerequisites:
            other = catalog.get(prerequisite)
            paths += [other.reference(shell_for(other, shell))]
        for path in paths:
            digest.update(path.read_bytes() if path.exists() else b"<missing>")
        return digest.hexdigest()

    def get_or_run(
        self,
        catalog: Catalog,
        assignment: Assignment,
        shell: str,
        compute: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The cached state, or ``compute()`` stored for next time."""
        if self.directory is None:
            return compute()
        path = (
            self.directory
            / f"{assignment.id}-{shell}-{self.key(catalog, assignment, shell)[:20]}.json"
        )
        try:
            cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cached
        except (OSError, ValueError):
            pass
        state = compute()
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".ref-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(state, out)
        os.replace(tmp, path)
        return state
