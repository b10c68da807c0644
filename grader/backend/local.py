"""Provides :class:`LocalBackend`, the default: a private localcas per sandbox.

The grader owns that CAS: it reads its database for snapshots, counts mutations in its
request log, rolls it back to a checkpoint, and lets it inject faults itself (see
localcas.faults). None of that exists on a real CAS; grader.backend.scone does without.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grader.backend.base import Backend
from grader.catalog import Catalog
from grader.isolation import Isolation
from grader.sandbox import Checkpoint, Sandbox
from grader.state import Snapshot, take_snapshot
from grader.world import identities_of, secrets_to_redact

__all__ = ["LocalBackend"]


class LocalBackend(Backend):
    """Each sandbox starts its own localcas on its own loopback address."""

    name = "local"

    def open(self, catalog: Catalog, *, base: Path | None, isolation: Isolation | None) -> Sandbox:
        """A :class:`~grader.sandbox.Sandbox` with its own CAS."""
        return Sandbox(catalog, base=base, isolation=isolation)

    def snapshot(self, sandbox: Sandbox, files: Mapping[str, Path]) -> Snapshot:
        """Read from the CAS database (read-only, consistent while the CAS runs)."""
        return take_snapshot(sandbox.db, files)

    def identities(self, sandbox: Sandbox) -> dict[str, str]:
        """The operator from the database, the learner and ``other`` from their configs."""
        return identities_of(sandbox)

    def redactions(self, sandbox: Sandbox) -> tuple[str, ...]:
        """Every generated value in the database."""
        return secrets_to_redact(sandbox)

    def mutations(self, sandbox: Sandbox) -> int:
        """Mutating requests in the CAS's request log (also those not made by `scone`)."""
        return sum(1 for r in sandbox.requests() if r.get("mutated"))

    def checkpoint(self, sandbox: Sandbox) -> Checkpoint:
        """A copy of the CAS database and HOME."""
        return sandbox.checkpoint()

    def restart(
        self,
        sandbox: Sandbox,
        checkpoint: Any,
        fault: dict[str, Any] | None,
        prepare: Callable[[], object],
    ) -> None:
        """Restores database and HOME and restarts the CAS with its fault plan."""
        sandbox.restore(checkpoint, fault)
