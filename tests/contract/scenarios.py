"""The grading scenarios both backends must agree on, shared by the localcas proof
(tests/integration/test_blackbox.py) and the real-CAS contract suite (test_real_cas.py).

Each scenario is a fixture submission of the fixture course (tests/data/course,
assignment t1-namespace) and the status every check must end with.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from grader.results import GradeResult

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "course"
SUBMISSIONS = ROOT / "tests" / "data" / "submissions" / "t1-namespace"
ASSIGNMENT = "t1-namespace"

_ALL = (
    "run1-succeeds",
    "run1-changes-state",
    "state-defines-ns",
    "other-cannot-read",
    "run2-succeeds",
    "idempotent",
    "matches-reference",
    "crash-converges",
    "transient-fault-converges",
)


def _statuses(**changed: str) -> dict[str, str]:
    statuses = dict.fromkeys(_ALL, "passed")
    statuses.update({key.replace("_", "-"): value for key, value in changed.items()})
    return statuses


@dataclass(frozen=True)
class Scenario:
    """One fixture submission and what grading it must give."""

    script: str
    verdict: str
    statuses: dict[str, str]
    timeout: float | None = None
    """A shorter run timeout (the hanging script)."""

    @property
    def path(self) -> Path:
        """The submission."""
        return SUBMISSIONS / self.script


SCENARIOS = (
    Scenario("correct.sh", "passed", _statuses()),
    Scenario(
        "random-name.sh",
        "failed",
        _statuses(
            idempotent="failed", crash_converges="failed", transient_fault_converges="failed"
        ),
    ),
    Scenario(
        "create-without-read.sh",
        "failed",
        _statuses(
            run2_succeeds="failed",
            idempotent="skipped",
            crash_converges="failed",
            transient_fault_converges="failed",
        ),
    ),
    Scenario(
        "state-after-create.sh",
        "failed",
        _statuses(crash_converges="failed", transient_fault_converges="failed"),
    ),
    Scenario(
        "hang.sh",
        "failed",
        {**dict.fromkeys(_ALL, "skipped"), "run1-succeeds": "failed"},
        timeout=3,
    ),
)


def statuses(result: GradeResult) -> dict[str, str]:
    """Check id -> status of a grading."""
    return {check.id: check.status for check in result.checks}


def explain(result: GradeResult) -> str:
    """A grading in a few lines, for assertion messages."""
    lines = [f"verdict {result.verdict}, error {result.error}"]
    lines += [f"  {c.id}: {c.status} — {c.message[:300]}" for c in result.checks]
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines)


STANDIN = """\
#!/bin/sh
# The localcas CLI stand-in, used as if it were the real `scone`.
PYTHONPATH="{root}${{PYTHONPATH:+:$PYTHONPATH}}" exec {python} -m localcas.cli "$@"
"""


def write_standin(directory: Path) -> Path:
    """Writes ``directory/scone``: the localcas CLI stand-in, unchanged, as a "real" `scone`.

    Like SCONE's CLI it pins the attested chain and does not match the leaf against the
    address it reached the CAS by, so it works through the grader's fault proxy.
    """
    path = directory / "scone"
    path.write_text(STANDIN.format(python=sys.executable, root=ROOT), encoding="utf-8")
    path.chmod(0o755)
    return path
