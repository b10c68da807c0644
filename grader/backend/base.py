"""Provides :class:`Backend`: what the grading plan needs from the CAS side of a grading.

The plan (grader.plan) is the same for every backend: sandbox, prerequisites, run 1, run 2,
crash runs, fault run, reference. A backend decides where the CAS is, how a snapshot is
taken, how mutations are counted, and how a crash or fault run starts again from S0.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grader.catalog import Catalog, CheckSpec
from grader.isolation import Isolation
from grader.reference import ReferenceCache
from grader.sandbox import Sandbox
from grader.state import Snapshot

__all__ = ["Backend"]


class Backend(ABC):
    """The CAS side of gradings. One instance serves one grading at a time."""

    name: str = ""
    """As the command line spells it (``local``, ``scone``)."""

    @abstractmethod
    def open(self, catalog: Catalog, *, base: Path | None, isolation: Isolation | None) -> Sandbox:
        """A new sandbox, to be entered with ``with`` (which starts what it needs)."""

    @abstractmethod
    def snapshot(self, sandbox: Sandbox, files: Mapping[str, Path]) -> Snapshot:
        """The CAS state of this sandbox's world and the declared ``files``."""

    @abstractmethod
    def identities(self, sandbox: Sandbox) -> dict[str, str]:
        """Key hash -> label (``<learner>``, ``<other>``, ``<operator>``) as of now."""

    @abstractmethod
    def redactions(self, sandbox: Sandbox) -> tuple[str, ...]:
        """Generated secret values that must never reach a cast or a report."""

    @abstractmethod
    def mutations(self, sandbox: Sandbox) -> int:
        """How many times the CAS was changed in this world so far (a running count)."""

    @abstractmethod
    def checkpoint(self, sandbox: Sandbox) -> Any:
        """Whatever :meth:`restart` needs to start again from the state right now (S0)."""

    @abstractmethod
    def restart(
        self,
        sandbox: Sandbox,
        checkpoint: Any,
        fault: dict[str, Any] | None,
        prepare: Callable[[], object],
    ) -> None:
        """Puts the sandbox back to ``checkpoint`` with ``fault`` planned for the next run.

        Args:
            fault: ``{"kind": "crash"|"drop", "at": k}`` (see grader.plan), or None.
            prepare: replays the prerequisites and installs the script again, for a
                backend that cannot roll the CAS back and builds a fresh S0 instead.
        """

    def reference_cache(self, cache: ReferenceCache) -> ReferenceCache:
        """The cache for reference states of this backend (states differ per backend)."""
        return cache

    def unsupported(self, spec: CheckSpec) -> str | None:
        """Why a declared check cannot run on this backend (it is then skipped), or None."""
        return None

    def take_notes(self) -> list[str]:
        """What the report must say about this backend's gradings since the last call."""
        return []
