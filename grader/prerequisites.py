"""Provides :func:`replay_prerequisites`: the state an assignment starts from, made by the
reference solutions of the assignments before it.

The grader (before run 1 and before every crash or fault run) and the screencast recorder
both start that way, so the rules live here once: each reference runs in its own
``~/course/<id>/`` of the sandbox, in the learner's shell when the prerequisite is offered
in it and in bash otherwise, and is removed again at once, so that nothing the learner's
script runs later can read it. What it produced (its state files) stays.
"""

from __future__ import annotations

import shutil

from grader.catalog import Assignment, Catalog
from grader.checks import excerpt
from grader.errors import InfrastructureError
from grader.results import RunRecord
from grader.sandbox import Sandbox
from grader.shells import driver_for, run_script

__all__ = ["PrerequisiteFailed", "replay_prerequisites", "shell_for"]


class PrerequisiteFailed(InfrastructureError):
    """A prerequisite's reference solution failed: the course or the machine is at fault,
    never the learner."""

    def __init__(self, prerequisite_id: str, run: RunRecord) -> None:
        self.prerequisite_id, self.run = prerequisite_id, run
        why = excerpt(run.transcript, 5) or run.note or f"exit code {run.exit_code}"
        super().__init__(
            f"the reference solution of prerequisite {prerequisite_id} failed ({why});"
            " this is not your fault"
        )


def shell_for(prerequisite: Assignment, shell: str) -> str:
    """The shell ``prerequisite``'s reference runs in for a learner using ``shell``."""
    return shell if shell in prerequisite.shells else "bash"


def replay_prerequisites(
    sandbox: Sandbox, catalog: Catalog, assignment: Assignment, shell: str
) -> list[RunRecord]:
    """Runs the reference solutions of ``assignment``'s prerequisites in ``sandbox``, in order.

    Args:
        sandbox: Where they run (its CAS, HOME and course directories).
        catalog: The course, for the prerequisites' references.
        assignment: The assignment whose starting state is wanted.
        shell: The learner's shell (bash is used for a prerequisite not offered in it).

    Returns:
        One run per prerequisite, all of them successful.

    Raises:
        PrerequisiteFailed: a reference failed; the runs after it did not happen.
    """
    runs = []
    for prerequisite_id in assignment.prerequisites:
        prerequisite = catalog.get(prerequisite_id)
        used = shell_for(prerequisite, shell)
        reference = prerequisite.reference(used)
        workdir = sandbox.workdir(prerequisite_id)
        installed = workdir / reference.name
        shutil.copyfile(reference, installed)
        try:
            run = run_script(
                sandbox,
                driver_for(installed, used),
                installed,
                label=f"prerequisite {prerequisite_id}",
                cwd=workdir,
                timeout=prerequisite.timeout,
            )
        finally:
            installed.unlink(missing_ok=True)
        if not run.succeeded:
            raise PrerequisiteFailed(prerequisite_id, run)
        runs.append(run)
    return runs
