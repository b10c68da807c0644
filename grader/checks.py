"""Provides the checks: the generic ones every grading runs, and the declared kinds.

Every function here is pure: it takes the runs and (normalised) snapshots the plan
collected and returns a :class:`CheckResult` in plain words, with what was expected,
what happened, a diff where state is involved, and a hint that fits the failure.
Declared kinds (``assignment.yaml``): ``file``, ``output``, ``state`` here; ``probe``
needs a live sandbox and is run by the plan, which passes its outcome in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.catalog import CheckSpec
from grader.diff import diff, render_diff, select
from grader.results import CheckResult, RunRecord

__all__ = [
    "ConvergenceOutcome",
    "ProbeOutcome",
    "changes_state",
    "converges",
    "declared_check",
    "excerpt",
    "idempotent",
    "matches_reference",
    "probe_check",
    "run_succeeds",
    "skipped",
]

TITLES = {
    "run1-succeeds": "The script succeeds on a fresh start",
    "run1-changes-state": "The script changes the CAS (or its files)",
    "run2-succeeds": "Running the script again succeeds",
    "idempotent": "A second run changes nothing",
    "matches-reference": "The result matches the reference solution",
    "crash-converges": "After a crash, a re-run finishes the job",
    "transient-fault-converges": "After a CAS failure, a re-run finishes the job",
}


def excerpt(transcript: str, lines: int = 20) -> str:
    """The last ``lines`` lines of a transcript."""
    kept = transcript.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept)


def skipped(check_id: str, reason: str, title: str | None = None) -> CheckResult:
    """A check that did not run, and why."""
    return CheckResult(check_id, title or TITLES.get(check_id, check_id), "skipped", reason)


def _run_failure(run: RunRecord) -> str:
    if run.timed_out:
        return run.note or "timed out"
    if run.exit_code is None:
        return run.note or "the script was killed"
    failed = [c for c in run.calls if c.exit_code != 0]
    last = f"; the last failing scone call was `{failed[-1].command}`" if failed else ""
    return f"exited with code {run.exit_code}{last}"


def run_succeeds(check_id: str, run: RunRecord) -> CheckResult:
    """``run1-succeeds`` / ``run2-succeeds``: exit code 0 and no timeout."""
    title = TITLES[check_id]
    if run.succeeded:
        return CheckResult(check_id, title, "passed", f"{run.label} exited with 0", run=run.label)
    hint = (
        "Run it yourself in the course shell and read the first error. A script that is"
        " run a second time must cope with what the first run left behind."
        if check_id == "run2-succeeds"
        else "Run it yourself in the course shell and read the first error message."
    )
    if check_id == "run2-succeeds" and "already exists" in run.transcript:
        hint = (
            "The second run tried to create something that exists. Read the session first"
            " (`scone session read NAME`) and create it only when the read fails."
        )
    if run.timed_out:
        hint = "Something waits forever: check loops and commands that wait for input."
    return CheckResult(
        check_id,
        title,
        "failed",
        f"{run.label} {_run_failure(run)}",
        expected="exit code 0",
        actual=str(run.exit_code) if run.exit_code is not None else (run.note or "killed"),
        hint=hint,
        excerpt=excerpt(run.transcript),
        run=run.label,
    )


def changes_state(s0: Mapping[str, Any], s1: Mapping[str, Any], mutates: bool) -> CheckResult:
    """``run1-changes-state``: an empty script must not pass for an idempotent one."""
    check_id = "run1-changes-state"
    if not mutates:
        return skipped(check_id, "this assignment is not meant to change state")
    changes = diff(s0, s1)
    if changes:
        return CheckResult(
            check_id,
            TITLES[check_id],
            "passed",
            f"run 1 made {len(changes)} change(s)",
            diff=render_diff(changes),
        )
    return CheckResult(
        check_id,
        TITLES[check_id],
        "failed",
        "run 1 left the CAS and the declared files exactly as they were",
        expected="the session(s) and files the assignment asks for",
        actual="no change",
        hint="The script must do the assignment's task, not only succeed.",
        run="run1",
    )


def idempotent(
    s1: Mapping[str, Any], s2: Mapping[str, Any], run2: RunRecord, cas_mutations: int
) -> CheckResult:
    """``idempotent``: run 2 made no mutating call and left the same state as run 1."""
    check_id = "idempotent"
    changes = diff(s1, s2)
    mutating = [c.command for c in run2.calls if c.mutated]
    if not changes and cas_mutations == 0:
        return CheckResult(check_id, TITLES[check_id], "passed", "run 2 changed nothing")
    parts = []
    if cas_mutations:
        listed = "; ".join(f"`{m}`" for m in mutating) or "(calls not in the ledger)"
        parts.append(f"run 2 changed the CAS {cas_mutations} time(s): {listed}")
    if changes:
        parts.append(f"the state after run 2 differs from run 1 in {len(changes)} place(s)")
    added = [c.path for c in changes if c.kind == "added" and c.path.startswith("sessions.")]
    if added:
        hint = (
            "Run 2 created a new session. Keep generated names (e.g. in state.env) and"
            " reuse them, and create a session only when reading it fails."
        )
    elif mutating:
        hint = (
            "Run 2 uploaded again. Compare what is on the CAS with what you want and"
            " upload only when they differ."
        )
    else:
        hint = "Write files the same way every time: a re-run must leave them unchanged."
    return CheckResult(
        check_id,
        TITLES[check_id],
        "failed",
        "; ".join(parts) + ".",
        expected="no mutating call, and the same state as after run 1",
        actual="\n".join(mutating) or f"{len(changes)} difference(s)",
        diff=render_diff(changes) if changes else None,
        hint=hint,
        run="run2",
    )


def matches_reference(
    s1: Mapping[str, Any], r1: Mapping[str, Any], selectors: Sequence[str]
) -> CheckResult:
    """``matches-reference``: what the assignment compares is equal in S1 and R1."""
    check_id = "matches-reference"
    problems = []
    for selector in selectors:
        mine = select(s1, selector, default=None)
        theirs = select(r1, selector, default=None)
        if mine != theirs:
            problems.extend(diff({selector: theirs}, {selector: mine}))
    if not problems:
        return CheckResult(
            check_id,
            TITLES[check_id],
            "passed",
            "your result matches the reference on " + ", ".join(selectors),
        )
    return CheckResult(
        check_id,
        TITLES[check_id],
        "failed",
        f"your result differs from the reference solution's in {len(problems)} place(s)"
        " (- reference, + yours)",
        expected="the reference's state",
        actual="see the diff",
        diff=render_diff(problems),
        hint="Compare with what the lesson asks for: names in <angle brackets> stand for the"
        " names your script generated.",
        run="run1",
    )


@dataclass(frozen=True)
class ConvergenceOutcome:
    """One crash or fault run and its re-runs."""

    label: str
    """E.g. ``crash after call 2 of 3``."""
    call: str | None
    """The mutating call the fault hit."""
    rerun: RunRecord
    changes: list[Any]
    """Differences between the converged state and the state after run 1."""
    again_mutations: int
    """Mutating calls of the run after the re-run (must be 0)."""
    again_changes: list[Any]


def converges(check_id: str, outcomes: Sequence[ConvergenceOutcome], hint: str) -> CheckResult:
    """``crash-converges`` / ``transient-fault-converges``."""
    title = TITLES[check_id]
    for outcome in outcomes:
        where = f"{outcome.label}" + (f" (at `{outcome.call}`)" if outcome.call else "")
        if not outcome.rerun.succeeded:
            return CheckResult(
                check_id,
                title,
                "failed",
                f"{where}: the re-run {_run_failure(outcome.rerun)}",
                expected="exit code 0",
                actual=str(outcome.rerun.exit_code),
                excerpt=excerpt(outcome.rerun.transcript),
                hint=hint,
                run=outcome.rerun.label,
            )
        if outcome.changes:
            return CheckResult(
                check_id,
                title,
                "failed",
                f"{where}: the re-run ended in a different state than a clean run"
                " (- clean run, + after the interruption)",
                expected="the state after run 1",
                actual="see the diff",
                diff=render_diff(outcome.changes),
                hint=hint,
                run=outcome.rerun.label,
            )
        if outcome.again_mutations or outcome.again_changes:
            return CheckResult(
                check_id,
                title,
                "failed",
                f"{where}: after converging, one more run still changed things",
                diff=render_diff(outcome.again_changes) if outcome.again_changes else None,
                hint=hint,
                run=outcome.rerun.label,
            )
    labels = ", ".join(o.label for o in outcomes)
    return CheckResult(check_id, title, "passed", f"converged every time: {labels}")


@dataclass(frozen=True)
class ProbeOutcome:
    """What a probe command did."""

    exit_code: int | None
    output: str
    command: str
    identity: str


def probe_check(spec: CheckSpec, outcome: ProbeOutcome) -> CheckResult:
    """A declared ``probe``: expected exit code, output pattern, forbidden text."""
    problems = []
    expect = str(spec.options.get("expect_exit", "0"))
    code = outcome.exit_code
    if expect == "nonzero" and code == 0:
        problems.append(("a failure (non-zero exit)", "exit code 0"))
    elif expect not in ("nonzero", "any") and str(code) != expect:
        problems.append((f"exit code {expect}", f"exit code {code}"))
    pattern = spec.options.get("output")
    if pattern and not re.search(str(pattern), outcome.output, re.MULTILINE):
        problems.append((f"output matching /{pattern}/", _short(outcome.output)))
    forbidden = spec.options.get("not_output")
    if forbidden and str(forbidden) in outcome.output:
        problems.append((f"no {forbidden!r} in the output", f"{forbidden!r} appeared"))
    if not problems:
        return CheckResult(
            spec.id,
            spec.title,
            "passed",
            f"`{outcome.command}` behaved as expected (as {outcome.identity})",
        )
    expected, actual = problems[0]
    return CheckResult(
        spec.id,
        spec.title,
        "failed",
        f"`{outcome.command}` run as {outcome.identity} did not behave as expected",
        expected=expected,
        actual=actual,
        hint=spec.hint,
        excerpt=excerpt(outcome.output),
    )


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def declared_check(
    spec: CheckSpec,
    *,
    home: Path,
    course_dir: Path,
    runs: Mapping[str, RunRecord],
    state: Mapping[str, Any],
) -> CheckResult:
    """A declared ``file``, ``output`` or ``state`` check (probes: :func:`probe_check`)."""
    if spec.kind == "file":
        return _file_check(spec, home, course_dir)
    if spec.kind == "output":
        run = runs.get(str(spec.options.get("run", "run1")))
        if run is None:
            return skipped(spec.id, "that run did not happen", spec.title)
        pattern = str(spec.options["pattern"])
        found = re.search(pattern, run.transcript, re.MULTILINE) is not None
        wanted = not spec.options.get("absent", False)
        if found == wanted:
            return CheckResult(spec.id, spec.title, "passed", "the output is as expected")
        what = "does not show" if wanted else "shows"
        return CheckResult(
            spec.id,
            spec.title,
            "failed",
            f"the output of {run.label} {what} /{pattern}/",
            hint=spec.hint,
            excerpt=excerpt(run.transcript),
            run=run.label,
        )
    path = str(spec.options["path"])
    value = select(state, path, default=None)
    if "equals" in spec.options:
        ok, expected = value == spec.options["equals"], repr(spec.options["equals"])
    elif "matches" in spec.options:
        pattern = str(spec.options["matches"])
        ok = isinstance(value, str) and re.search(pattern, value, re.MULTILINE) is not None
        expected = f"text matching /{pattern}/"
    elif "in" in spec.options:
        ok, expected = value in spec.options["in"], f"one of {spec.options['in']!r}"
    else:
        ok, expected = value is not None, "present"
    if ok:
        return CheckResult(spec.id, spec.title, "passed", f"{path} is {value!r}")
    return CheckResult(
        spec.id,
        spec.title,
        "failed",
        f"{path} is {value!r}",
        expected=expected,
        actual=repr(value),
        hint=spec.hint,
    )


def _file_check(spec: CheckSpec, home: Path, course_dir: Path) -> CheckResult:
    raw = str(spec.options["path"])
    path = home / raw[2:] if raw.startswith("~/") else course_dir / raw
    exists = path.is_file()
    text = path.read_text(encoding="utf-8", errors="replace") if exists else ""
    if spec.options.get("exists", True) is False:
        ok = not exists
        return CheckResult(
            spec.id,
            spec.title,
            "passed" if ok else "failed",
            f"{raw} {'does not exist' if ok else 'exists'}",
            hint=spec.hint,
        )
    if not exists:
        return CheckResult(
            spec.id,
            spec.title,
            "failed",
            f"{raw} does not exist after run 1",
            expected=f"a file {raw}",
            actual="no such file",
            hint=spec.hint,
        )
    variable = spec.options.get("defines")
    if variable:
        pattern = rf"^\s*(export\s+)?{re.escape(str(variable))}=(\"[^\"]+\"|'[^']+'|[^\s\"']+)"
        if not re.search(pattern, text, re.MULTILINE):
            return CheckResult(
                spec.id,
                spec.title,
                "failed",
                f"{raw} does not set {variable}",
                expected=f'a line like export {variable}="…"',
                actual=_short(text),
                hint=spec.hint,
            )
    contains = spec.options.get("contains")
    if contains and not re.search(str(contains), text, re.MULTILINE):
        return CheckResult(
            spec.id,
            spec.title,
            "failed",
            f"{raw} lacks /{contains}/",
            actual=_short(text),
            hint=spec.hint,
        )
    count = spec.options.get("count")
    if isinstance(count, Mapping):
        found = len(re.findall(str(count["pattern"]), text, re.MULTILINE))
        if found != int(count["equals"]):
            return CheckResult(
                spec.id,
                spec.title,
                "failed",
                f"{raw} has {found} line(s) matching /{count['pattern']}/",
                expected=str(count["equals"]),
                actual=str(found),
                hint=spec.hint,
            )
    return CheckResult(spec.id, spec.title, "passed", f"{raw} is as expected")
