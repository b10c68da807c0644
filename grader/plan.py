"""Provides :func:`grade`: the grading plan of grading.md §2, from sandbox to result.

Sequence: sandbox → reference solutions of the prerequisites → S0 → run 1 → S1 → probes
→ run 2 → S2 → crash runs (each from S0: killed right after the k-th mutating call, then
re-run, then run once more) → transient-fault run (from S0: the CAS drops its answer to
the first mutating call) → reference run (own sandbox, cached) → checks → result.
Infrastructure failures become verdict ``error``; the learner is never charged for them.
The CAS side — where the CAS is, snapshots, mutation counts, how a crash or fault run
starts again from S0 — belongs to the backend (grader.backend; default: a private localcas).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader import checks
from grader.backend.base import Backend
from grader.backend.local import LocalBackend
from grader.catalog import Assignment, Catalog, CheckSpec
from grader.diff import diff
from grader.errors import GraderError, InfrastructureError, UsageError
from grader.events import CheckFinished, EventSink, GradingFinished, PhaseStarted, ignore_events
from grader.isolation import Isolation
from grader.prerequisites import replay_prerequisites
from grader.probes import run_probe
from grader.reference import ReferenceCache
from grader.results import CheckResult, GradeResult, RunRecord
from grader.sandbox import Sandbox
from grader.shells import ShellDriver, driver_for, run_script
from grader.state import Snapshot, normalise

__all__ = ["GradeOptions", "grade"]

CRASH_HINT = (
    "Make every step safe to repeat, and write down what you are about to create (e.g. the"
    " namespace name in state.env) before you create it: a re-run after a crash must find"
    " what the crashed run left behind."
)
FAULT_HINT = (
    "A failed call may still have changed the CAS. A re-run must look at what is there"
    " (read first) instead of assuming that nothing happened."
)


@dataclass
class GradeOptions:
    """How to grade (all optional)."""

    shell: str | None = None
    """bash or xonsh; by default from the script's extension."""
    casts: Path | None = None
    """Keep an asciicast of every run in this directory."""
    sink: EventSink = ignore_events
    base: Path | None = None
    """Where sandboxes live (default: grader.sandbox.default_base())."""
    cache: ReferenceCache | None = None
    crash_runs: bool = True
    fault_runs: bool = True
    timeout: float | None = None
    """Overrides the assignment's timeout per run (seconds)."""
    isolation: Isolation | None = None
    """How to isolate runs (default: what grader.isolation.probe() finds)."""
    backend: Backend | None = None
    """Where the CAS is and how it is observed (default: a private localcas per sandbox)."""


@dataclass
class _Grading:
    """The state of one grading while it runs."""

    catalog: Catalog
    assignment: Assignment
    driver: ShellDriver
    script: Path
    options: GradeOptions
    runs: list[RunRecord] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    setup_time: float = 0.0
    """Wall time of the prerequisites' reference runs (script time, not overhead)."""

    @property
    def backend(self) -> Backend:
        return self.options.backend or LocalBackend()

    @property
    def timeout(self) -> float:
        return self.options.timeout or self.assignment.timeout

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
        self.options.sink(CheckFinished(result))

    def phase(self, name: str, detail: str = "") -> None:
        self.options.sink(PhaseStarted(name, detail))


def grade(
    catalog: Catalog, assignment_id: str, script: Path, options: GradeOptions | None = None
) -> GradeResult:
    """Grades ``script`` for ``assignment_id``; never raises for the learner's mistakes.

    Raises:
        UsageError: unknown assignment, missing script, or a shell the assignment does
            not allow (the caller's mistake: exit code 2).
    """
    options = options or GradeOptions()
    assignment = catalog.get(assignment_id)
    if not script.is_file():
        raise UsageError(f"no such script: {script}")
    driver = driver_for(script, options.shell)
    if driver.name not in assignment.shells:
        raise UsageError(f"{assignment_id} is not offered in {driver.name}")
    state = _Grading(catalog, assignment, driver, script, options)
    started = time.monotonic()
    error: str | None = None
    notes: list[str] = []
    try:
        _plan(state, notes)
    except GraderError as err:
        error = str(err)
    notes.extend(state.backend.take_notes())
    result = GradeResult(
        assignment=assignment_id,
        shell=driver.name,
        checks=state.results,
        runs=state.runs,
        submission=str(script),
        duration_s=time.monotonic() - started,
        script_time_s=sum(r.duration_s for r in state.runs) + state.setup_time,
        notes=notes,
        error=error,
    )
    options.sink(GradingFinished(result))
    return result


def _files(sandbox: Sandbox, assignment: Assignment) -> dict[str, Path]:
    return {
        name: sandbox.home / name[2:] if name.startswith("~/") else sandbox.course_dir / name
        for name in assignment.files
    }


def _prepare(g: _Grading, sandbox: Sandbox, script: Path, *, learner: bool = True) -> Path:
    """Replays the prerequisites' references; installs ``script``; returns its path."""
    runs = replay_prerequisites(sandbox, g.catalog, g.assignment, g.driver.name)
    if learner:  # the references' own set-up is grading overhead, not script time
        g.setup_time += sum(run.duration_s for run in runs)
    workdir = sandbox.workdir(g.assignment.id)
    installed = workdir / f"solution{g.driver.extension}"
    shutil.copyfile(script, installed)
    return installed


@dataclass(frozen=True)
class _Taken:
    """A snapshot and the identities as they were when it was taken (a restore changes
    HOME, and with it the learner's key)."""

    snapshot: Snapshot
    identities: dict[str, str]


def _snap(sandbox: Sandbox, g: _Grading) -> _Taken:
    snapshot = g.backend.snapshot(sandbox, _files(sandbox, g.assignment))
    # Paths of this sandbox (e.g. the tools directory in an alias file) differ from run to
    # run; they read as <sandbox>, so that files compare across sandboxes.
    root = str(sandbox.root)
    files = {
        k: None if v is None else v.replace(root, "<sandbox>") for k, v in snapshot.files.items()
    }
    return _Taken(replace(snapshot, files=files), g.backend.identities(sandbox))


def _mutations(g: _Grading, sandbox: Sandbox, before: int) -> int:
    return g.backend.mutations(sandbox) - before


def _plan(g: _Grading, notes: list[str]) -> None:
    a = g.assignment
    with g.backend.open(g.catalog, base=g.options.base, isolation=g.options.isolation) as sandbox:
        if not sandbox.isolation.available:
            notes.append(f"runs were NOT isolated: {sandbox.isolation.reason}")
        pristine = _snap(sandbox, g)
        g.phase("prerequisites", ", ".join(a.prerequisites) or "none")
        installed = _prepare(g, sandbox, g.script)
        workdir = installed.parent
        s0 = _snap(sandbox, g)
        cp0 = g.backend.checkpoint(sandbox)

        def norm(taken: _Taken, generated: bool = True) -> dict[str, Any]:
            return normalise(
                taken.snapshot,
                baseline=pristine.snapshot,
                identities=taken.identities,
                secrets_generated=generated,
            )

        def run(label: str, crash: bool = False) -> RunRecord:
            cast = None if g.options.casts is None else g.options.casts / f"{label}.cast"
            record = run_script(
                sandbox,
                g.driver,
                installed,
                label=label,
                cwd=workdir,
                timeout=g.timeout,
                output_cap=a.output_cap,
                sink=g.options.sink,
                cast=cast,
                crash_on_event=crash,
                redact=g.backend.redactions(sandbox),
            )
            g.runs.append(record)
            return record

        g.phase("run1")
        before = g.backend.mutations(sandbox)
        run1 = run("run1")
        mutations1 = _mutations(g, sandbox, before)
        s1 = _snap(sandbox, g)
        g.add(checks.run_succeeds("run1-succeeds", run1))
        if not run1.succeeded:
            reason = "skipped because run 1 failed"
            g.add(checks.skipped("run1-changes-state", reason))
            for spec in a.checks:
                if spec.options.get("shell", g.driver.name) == g.driver.name:
                    g.add(checks.skipped(spec.id, reason, spec.title))
            for check_id in (
                "run2-succeeds",
                "idempotent",
                "matches-reference",
                "crash-converges",
                "transient-fault-converges",
            ):
                g.add(checks.skipped(check_id, reason))
            return
        g.add(checks.changes_state(norm(s0), norm(s1), a.mutates))
        g.phase("probes")
        _declared(g, sandbox, {"run1": run1}, norm(s1), later=("run2",))
        g.phase("run2")
        before = g.backend.mutations(sandbox)
        run2 = run("run2")
        mutations2 = _mutations(g, sandbox, before)
        s2 = _snap(sandbox, g)
        g.add(checks.run_succeeds("run2-succeeds", run2))
        if run2.succeeded or mutations2:
            g.add(checks.idempotent(norm(s1, False), norm(s2, False), run2, mutations2))
        else:
            g.add(checks.skipped("idempotent", "skipped because run 2 failed"))
        _declared(
            g, sandbox, {"run1": run1, "run2": run2}, norm(s1), later=("run2",), only_later=True
        )
        g.phase("reference")
        g.add(_reference_check(g, norm(s1)))
        mutating_calls = [c.command for c in run1.calls if c.mutated]
        if not g.options.crash_runs:
            g.add(checks.skipped("crash-converges", "crash runs were turned off"))
        elif mutations1 == 0:
            g.add(checks.skipped("crash-converges", "run 1 made no change on the CAS"))
        else:
            g.phase("crash runs")
            outcomes = [
                _converge(
                    g,
                    sandbox,
                    cp0,
                    run,
                    norm,
                    s1,
                    {"kind": "crash", "at": k},
                    f"crash after mutating call {k} of {mutations1}",
                    mutating_calls[k - 1] if k <= len(mutating_calls) else None,
                )
                for k in _crash_points(mutations1, a.crash_sample)
            ]
            g.add(checks.converges("crash-converges", outcomes, CRASH_HINT))
        if not g.options.fault_runs:
            g.add(checks.skipped("transient-fault-converges", "fault runs were turned off"))
        elif mutations1 == 0:
            g.add(checks.skipped("transient-fault-converges", "run 1 made no change on the CAS"))
        else:
            g.phase("fault run")
            outcome = _converge(
                g,
                sandbox,
                cp0,
                run,
                norm,
                s1,
                {"kind": "drop", "at": 1},
                "the CAS dropped its answer to mutating call 1",
                mutating_calls[0] if mutating_calls else None,
            )
            g.add(checks.converges("transient-fault-converges", [outcome], FAULT_HINT))


def _crash_points(count: int, sample: int) -> list[int]:
    """Always the first and the last mutating call, plus evenly spread ones between."""
    if count <= 2 or sample <= 2:
        return sorted({1, count})
    step = (count - 1) / (sample - 1)
    return sorted({1, count, *(round(1 + i * step) for i in range(1, sample - 1))})


def _converge(
    g: _Grading,
    sandbox: Sandbox,
    cp0: Any,
    run: Callable[..., RunRecord],
    norm: Callable[..., dict[str, Any]],
    s1: _Taken,
    fault: dict[str, Any],
    label: str,
    call: str | None,
) -> checks.ConvergenceOutcome:
    tag = f"{fault['kind']}-k{fault['at']}"
    g.backend.restart(sandbox, cp0, fault, lambda: _prepare(g, sandbox, g.script, learner=False))
    run(tag, crash=fault["kind"] == "crash")
    rerun = run(f"{tag}-rerun")
    converged = _snap(sandbox, g)
    before = g.backend.mutations(sandbox)
    run(f"{tag}-again")
    again = _snap(sandbox, g)
    return checks.ConvergenceOutcome(
        label=label,
        call=call,
        rerun=rerun,
        changes=diff(norm(s1), norm(converged)),
        again_mutations=_mutations(g, sandbox, before),
        again_changes=diff(norm(converged, False), norm(again, False)),
    )


def _reference_check(g: _Grading, s1: dict[str, Any]) -> CheckResult:
    if not g.assignment.compare:
        return checks.skipped(
            "matches-reference",
            "this assignment compares nothing with the reference (its checks say what counts)",
        )
    cache = g.backend.reference_cache(g.options.cache or ReferenceCache.default())
    reference = cache.get_or_run(
        g.catalog, g.assignment, g.driver.name, lambda: _reference_state(g)
    )
    return checks.matches_reference(s1, reference, g.assignment.compare)


def _reference_state(g: _Grading) -> dict[str, Any]:
    """Runs the reference solution from S0 in its own sandbox; its normalised state."""
    reference = g.assignment.reference(g.driver.name)
    with g.backend.open(g.catalog, base=g.options.base, isolation=g.options.isolation) as sandbox:
        pristine = _snap(sandbox, g)
        installed = _prepare(g, sandbox, reference, learner=False)
        run = run_script(
            sandbox, g.driver, installed, label="reference", cwd=installed.parent, timeout=g.timeout
        )
        if not run.succeeded:
            raise InfrastructureError(
                f"the reference solution of {g.assignment.id} failed: {run.note or run.exit_code}"
            )
        after = _snap(sandbox, g)
        return normalise(after.snapshot, baseline=pristine.snapshot, identities=after.identities)


def _declared(
    g: _Grading,
    sandbox: Sandbox,
    runs: dict[str, RunRecord],
    s1: dict[str, Any],
    *,
    later: tuple[str, ...] = (),
    only_later: bool = False,
) -> None:
    """Runs the declared checks; ``output`` checks about a run in ``later`` wait for it."""
    for spec in g.assignment.checks:
        if spec.options.get("shell", g.driver.name) != g.driver.name:
            continue  # a check for the other shell's files (e.g. ~/.xonshrc)
        deferred = spec.kind == "output" and str(spec.options.get("run", "run1")) in later
        if deferred != only_later:
            continue
        unsupported = g.backend.unsupported(spec)
        if unsupported is not None:
            g.add(checks.skipped(spec.id, unsupported, spec.title))
        elif spec.kind == "probe":
            g.add(_probe(g, sandbox, spec))
        else:
            g.add(
                checks.declared_check(
                    spec, home=sandbox.home, course_dir=sandbox.course_dir, runs=runs, state=s1
                )
            )


def _probe(g: _Grading, sandbox: Sandbox, spec: CheckSpec) -> CheckResult:
    try:
        outcome = run_probe(sandbox, g.assignment.id, spec)
    except InfrastructureError as err:
        return CheckResult(spec.id, spec.title, "error", str(err))
    return checks.probe_check(spec, outcome)
