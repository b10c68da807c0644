"""Provides :class:`SconeBackend`: grading against a CAS through its public interfaces only.

What it uses: the `scone` CLI (any command line, by default the course's documented
``docker run … cli scone`` alias, with ``--network host`` so that the CLI in the container
reaches loopback addresses) and the REST endpoints every CAS offers
(``/v1/sessions/<name>[?hash=]``, ``/v1/values/…``). No database, no admin channel, no
fault plan. How each part of the plan is done instead:

- **ledger**: the `scone` shim (grader.backend.shim); a call *mutated* the CAS when the
  current version of a session it names changed;
- **snapshot**: every session named in the world's ledger (and its namespaces), with its
  history walked through ``predecessor`` (grader.backend.snapshot);
- **crash runs**: the shim stops the script after the k-th mutating call;
- **transient fault**: the proxy in front of the CAS withholds the answer to the first
  committed upload (grader.backend.proxy);
- **S0 again**: a real CAS cannot be rolled back, so every crash or fault run starts in a
  new world (new HOME and identity, prerequisites replayed: fresh namespaces);
- sessions are never deleted: the report lists every session the grading created.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grader.backend.base import Backend
from grader.backend.world import BlackboxSandbox, CasTarget
from grader.catalog import Catalog, CheckSpec
from grader.errors import InfrastructureError
from grader.isolation import Isolation
from grader.reference import ReferenceCache
from grader.sandbox import Sandbox
from grader.state import Snapshot
from grader.world import identities_of

__all__ = ["DEFAULT_SCONE_CMD", "INTERNAL_PATHS", "SconeBackend"]

DEFAULT_SCONE_CMD = (
    "docker run --rm -i $([ -t 0 ] && echo -t) --network host"
    " -v /var/run/docker.sock:/var/run/docker.sock"
    ' -v "$HOME/.docker:/root/.docker"'
    ' -v "$(dirname "${SCONE_CLI_CONFIG:-$HOME/.cas/config.json}"):/root/.cas"'
    ' -v "$HOME/.scone:/root/.scone" -v "$PWD:/root" -w /root'
    " registry.scontain.com/community/cli scone"
)
"""The course's alias (Assignment 0), with ``--network host`` (the proxy and a local CAS
listen on loopback addresses), ``-t`` only on a terminal, and the directory of
``$SCONE_CLI_CONFIG`` as the container's ``~/.cas`` (a probe's second identity has its own)."""

INTERNAL_PATHS = ("secrets", "volumes", "otp")
"""State-check paths that need what only the stand-in shows: private secret values,
volume tags and OTP state are not readable through a CAS's public interfaces."""


class SconeBackend(Backend):
    """Grades against the CAS at ``target`` (shared with anyone: nothing is ever reset).

    Args:
        target: the CAS and the `scone` command line.
    """

    name = "scone"

    def __init__(self, target: CasTarget) -> None:
        self.target = target
        self._created: list[str] = []

    def open(self, catalog: Catalog, *, base: Path | None, isolation: Isolation | None) -> Sandbox:
        """A :class:`~grader.backend.world.BlackboxSandbox` whose sessions are reported."""
        box = _ReportingSandbox(catalog, self.target, base=base, isolation=isolation)
        box.report = self._created
        return box

    def snapshot(self, sandbox: Sandbox, files: Mapping[str, Path]) -> Snapshot:
        """The world's sessions over REST (grader.backend.snapshot)."""
        return _box(sandbox).snapshot(dict(files))

    def identities(self, sandbox: Sandbox) -> dict[str, str]:
        """The learner's and the probe identity's key hashes (no operator on a real CAS)."""
        return identities_of(sandbox)

    def redactions(self, sandbox: Sandbox) -> tuple[str, ...]:
        """Generated public values of the last snapshot (private ones are never shown)."""
        return _box(sandbox).redactions()

    def mutations(self, sandbox: Sandbox) -> int:
        """Mutating `scone` calls in the world's ledger."""
        return _box(sandbox).mutations()

    def checkpoint(self, sandbox: Sandbox) -> None:
        """Nothing to save: S0 is rebuilt in a new world (see :meth:`restart`)."""
        return None

    def restart(
        self,
        sandbox: Sandbox,
        checkpoint: Any,
        fault: dict[str, Any] | None,
        prepare: Callable[[], object],
    ) -> None:
        """A new world with the prerequisites replayed, then ``fault`` armed."""
        box = _box(sandbox)
        box.reset()
        prepare()
        box.arm(fault)

    def reference_cache(self, cache: ReferenceCache) -> ReferenceCache:
        """A cache of its own per CAS address (a real CAS's results are its own)."""
        if cache.directory is None:
            return cache
        slug = re.sub(r"[^A-Za-z0-9.-]+", "_", self.target.address)
        return ReferenceCache(cache.directory / f"scone-{slug}")

    def unsupported(self, spec: CheckSpec) -> str | None:
        """State checks on secrets, volumes or OTP state (not visible from outside), and
        probes that roll the CAS back."""
        if spec.kind == "probe" and spec.options.get("restore"):
            return "skipped: this probe puts the CAS back afterwards, which a real CAS cannot do"
        path = str(spec.options.get("path", ""))
        if spec.kind == "state" and path.split(".")[0].split("[")[0] in INTERNAL_PATHS:
            return (
                f"skipped: it reads {path}, which only the local stand-in shows (a real"
                " CAS does not expose it through its public interfaces)"
            )
        return None

    def take_notes(self) -> list[str]:
        """Which sessions the gradings created on the CAS (they are never deleted)."""
        created, self._created[:] = list(self._created), []
        notes = [f"graded against the CAS at {self.target.address} through its public interfaces"]
        if created:
            notes.append(
                f"sessions created on the CAS (a CAS never deletes them): {', '.join(created)}"
            )
        return notes


class _ReportingSandbox(BlackboxSandbox):
    """Hands its created sessions to the backend when it closes."""

    report: list[str]

    def close(self) -> None:
        super().close()
        self.report.extend(n for n in self.created if n not in self.report)
        self.created.clear()


def _box(sandbox: Sandbox) -> BlackboxSandbox:
    if not isinstance(sandbox, BlackboxSandbox):
        raise InfrastructureError("the scone backend was handed a sandbox it did not open")
    return sandbox
