"""Provides the grading result model: data only, rendered elsewhere (terminal, JSON, JUnit, TUI).

A :class:`GradeResult` holds one :class:`CheckResult` per check and one :class:`RunRecord`
per script run. Statuses are closed sets; ``error`` always means the grader or its
infrastructure failed, never the learner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "CallRecord",
    "CheckResult",
    "CheckStatus",
    "GradeResult",
    "RunRecord",
    "Verdict",
    "verdict_of",
]

CheckStatus = Literal["passed", "failed", "error", "skipped"]
Verdict = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class CallRecord:
    """One `scone` invocation seen during a run."""

    argv: list[str]
    """The command line, secret values masked."""
    exit_code: int
    duration_s: float
    mutated: bool
    """The CAS acknowledged a change of its state."""
    sessions: list[str] = field(default_factory=list)
    """Session names the call touched (normalised placeholders in reports)."""

    @property
    def command(self) -> str:
        """The command line as one string."""
        return " ".join(self.argv)


@dataclass(frozen=True)
class RunRecord:
    """One run of a script (the learner's or the reference)."""

    label: str
    """E.g. ``run1``, ``run2``, ``crash-k1``, ``crash-k1-rerun``, ``fault-503-k2``."""
    exit_code: int | None
    """None when the run was killed (timeout, crash injection)."""
    duration_s: float
    transcript: str
    """What the terminal showed (ANSI removed, CRLF folded), capped."""
    cast: str | None = None
    """Path of the asciicast file, when casts are kept."""
    calls: list[CallRecord] = field(default_factory=list)
    timed_out: bool = False
    killed_at_call: int | None = None
    """For crash runs: the mutating call after which the script was killed."""
    truncated: bool = False
    """The output exceeded the cap and was cut."""
    note: str | None = None
    """Anything the learner should know about this run (e.g. the timeout message)."""

    @property
    def succeeded(self) -> bool:
        """Exit code 0 and no timeout."""
        return self.exit_code == 0 and not self.timed_out

    @property
    def mutating_calls(self) -> list[CallRecord]:
        """The calls that changed CAS state."""
        return [c for c in self.calls if c.mutated]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check."""

    id: str
    title: str
    status: CheckStatus
    message: str = ""
    """Plain words: what happened."""
    expected: str | None = None
    actual: str | None = None
    diff: str | None = None
    """A readable structural diff (paths, before, after)."""
    hint: str | None = None
    excerpt: str | None = None
    """The part of a transcript that shows the problem."""
    run: str | None = None
    """Label of the run the check is about."""


@dataclass(frozen=True)
class GradeResult:
    """The grading of one submission."""

    assignment: str
    shell: str
    checks: list[CheckResult]
    runs: list[RunRecord]
    submission: str = ""
    """Path of the graded script."""
    duration_s: float = 0.0
    """Wall time of the whole grading."""
    script_time_s: float = 0.0
    """Summed wall time of all script runs (the rest is grading overhead)."""
    notes: list[str] = field(default_factory=list)
    """Facts about the grading itself (e.g. the isolation that was available)."""
    error: str | None = None
    """When the grading itself failed: why (verdict ``error``)."""

    @property
    def verdict(self) -> Verdict:
        """``error`` if the grader failed, else ``failed`` if any check failed, else ``passed``."""
        return verdict_of(self.checks, self.error)

    @property
    def score(self) -> float:
        """Passed checks ÷ checks that ran (skipped ones do not count); 0 on error."""
        counted = [c for c in self.checks if c.status in ("passed", "failed")]
        if self.verdict == "error" or not counted:
            return 0.0
        return round(sum(c.status == "passed" for c in counted) / len(counted), 4)

    @property
    def first_failure(self) -> CheckResult | None:
        """The first failed (else errored) check: what the learner should see first."""
        for wanted in ("failed", "error"):
            for check in self.checks:
                if check.status == wanted:
                    return check
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of docs/results-schema.md."""
        return {
            "format_version": 1,
            "assignment": self.assignment,
            "shell": self.shell,
            "submission": self.submission,
            "verdict": self.verdict,
            "score": self.score,
            "error": self.error,
            "duration_s": round(self.duration_s, 3),
            "script_time_s": round(self.script_time_s, 3),
            "notes": list(self.notes),
            "checks": [asdict(c) for c in self.checks],
            "runs": [
                {
                    "label": r.label,
                    "exit_code": r.exit_code,
                    "duration_s": round(r.duration_s, 3),
                    "cast": r.cast,
                    "timed_out": r.timed_out,
                    "killed_at_call": r.killed_at_call,
                    "truncated": r.truncated,
                    "note": r.note,
                    "calls": [asdict(c) for c in r.calls],
                }
                for r in self.runs
            ],
        }


def verdict_of(checks: list[CheckResult], error: str | None = None) -> Verdict:
    """The verdict for a list of check results."""
    if error is not None or any(c.status == "error" for c in checks):
        return "error"
    if any(c.status == "failed" for c in checks):
        return "failed"
    return "passed"
