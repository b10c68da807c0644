"""Provides class grading: every (student, assignment) submission, in parallel processes.

Input layout (documented in docs/batch.md)::

    CLASS_DIR/<student>/<assignment-id>/solution.sh | solution.xsh

which is also what `scone-course export` writes for one learner. Each submission is graded
in its own worker process with its own sandbox and CAS; results go to
``OUT_DIR/<student>/<assignment-id>/`` (``result.json``, ``result.xml``, ``casts/``).
A submission whose content, course content and grader version are unchanged since its
last grading is skipped (``--force`` re-grades). An infrastructure error is retried once
and then reported as ``error`` — never as a failure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.backend.options import backend_from_spec
from grader.catalog import Catalog
from grader.errors import GraderError, UsageError
from grader.plan import GradeOptions, grade
from grader.reference import GRADER_VERSION, ReferenceCache
from grader.report import write_json, write_junit

__all__ = ["Outcome", "Submission", "find_submissions", "grade_class"]

_SCRIPTS = ("solution.sh", "solution.xsh")


@dataclass(frozen=True)
class Submission:
    """One script of one student for one assignment."""

    student: str
    assignment: str
    script: Path

    @property
    def label(self) -> str:
        """``student/assignment``."""
        return f"{self.student}/{self.assignment}"


@dataclass(frozen=True)
class Outcome:
    """What grading one submission gave (or why it was skipped)."""

    submission: Submission
    verdict: str
    """passed, failed or error."""
    score: float
    checks: dict[str, str]
    """check id -> status."""
    first_failure: str | None
    duration_s: float
    result_path: Path
    cached: bool = False
    attempts: int = 1


def find_submissions(
    class_dir: Path, catalog: Catalog, assignments: Sequence[str] | None = None
) -> list[Submission]:
    """Every submission below ``class_dir``, in a stable order.

    Raises:
        UsageError: the directory does not exist or names an unknown assignment.
    """
    if not class_dir.is_dir():
        raise UsageError(f"class directory {class_dir} does not exist")
    wanted = list(assignments) if assignments else list(catalog.assignments)
    for assignment_id in wanted:
        catalog.get(assignment_id)  # raises with the known ids
    found = []
    for student in sorted(p for p in class_dir.iterdir() if p.is_dir()):
        for assignment_id in wanted:
            for name in _SCRIPTS:
                script = student / assignment_id / name
                if script.is_file():
                    found.append(Submission(student.name, assignment_id, script))
                    break
    return found


def _key(catalog: Catalog, submission: Submission, backend: dict[str, Any] | None) -> str:
    digest = hashlib.sha256(GRADER_VERSION.encode())
    if backend is not None:  # a result from another CAS is not this one's
        digest.update(json.dumps(backend, sort_keys=True).encode())
    digest.update(submission.script.read_bytes())
    digest.update(submission.script.name.encode())
    assignment = catalog.get(submission.assignment)
    cache = ReferenceCache(None)
    shell = "xonsh" if submission.script.suffix == ".xsh" else "bash"
    digest.update(cache.key(catalog, assignment, shell).encode())
    return digest.hexdigest()


def _grade_one(
    root: str,
    submission: Submission,
    out: str,
    cache: str,
    backend: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Worker process: grades one submission, retrying an infrastructure error once."""
    catalog = Catalog.load(Path(root))
    target = Path(out) / submission.student / submission.assignment
    target.mkdir(parents=True, exist_ok=True)
    attempts = 0
    while True:
        attempts += 1
        options = GradeOptions(
            casts=target / "casts",
            cache=ReferenceCache(Path(cache)),
            backend=backend_from_spec(backend),
        )
        (target / "casts").mkdir(exist_ok=True)
        try:
            result = grade(catalog, submission.assignment, submission.script, options)
        except GraderError as err:
            return {"verdict": "error", "error": str(err), "attempts": attempts}
        if result.verdict != "error" or attempts >= 2:
            break
    write_json(result, target / "result.json")
    write_junit(result, target / "result.xml")
    return {"verdict": result.verdict, "attempts": attempts}


def _outcome(
    submission: Submission, out: Path, cached: bool, attempts: int, error: str | None = None
) -> Outcome:
    path = out / submission.student / submission.assignment / "result.json"
    if error is not None:
        return Outcome(submission, "error", 0.0, {}, error, 0.0, path, cached, attempts)
    data = json.loads(path.read_text(encoding="utf-8"))
    checks = {c["id"]: c["status"] for c in data["checks"]}
    first = next((c for c in data["checks"] if c["status"] == "failed"), None) or next(
        (c for c in data["checks"] if c["status"] == "error"), None
    )
    message = data.get("error") or (f"{first['id']}: {first['message']}" if first else None)
    return Outcome(
        submission,
        data["verdict"],
        float(data["score"]),
        checks,
        message,
        float(data["duration_s"]),
        path,
        cached,
        attempts,
    )


def grade_class(
    catalog: Catalog,
    submissions: Sequence[Submission],
    out: Path,
    *,
    jobs: int,
    force: bool = False,
    cache: Path | None = None,
    backend: dict[str, Any] | None = None,
    on_start: Callable[[Submission], None] = lambda s: None,
    on_done: Callable[[Outcome], None] = lambda o: None,
) -> list[Outcome]:
    """Grades ``submissions`` with ``jobs`` worker processes; returns every outcome.

    ``backend`` is a :func:`grader.backend.options.backend_spec` (None: localcas).
    """
    out.mkdir(parents=True, exist_ok=True)
    cache = cache or out / ".reference-cache"
    outcomes: list[Outcome] = []
    todo: list[tuple[Submission, str]] = []
    for submission in submissions:
        key = _key(catalog, submission, backend)
        stamp = out / submission.student / submission.assignment / ".graded-key"
        result = stamp.with_name("result.json")
        if not force and stamp.exists() and result.exists() and stamp.read_text() == key:
            outcome = _outcome(submission, out, cached=True, attempts=0)
            outcomes.append(outcome)
            on_done(outcome)
        else:
            todo.append((submission, key))
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures: dict[Future[dict[str, Any]], tuple[Submission, str]] = {}
        for submission, key in todo:
            on_start(submission)
            future = pool.submit(
                _grade_one, str(catalog.root), submission, str(out), str(cache), backend
            )
            futures[future] = (submission, key)
        for future in as_completed(futures):
            submission, key = futures[future]
            try:
                answer = future.result()
            except Exception as err:  # a crashed worker is this submission's error only
                answer = {"verdict": "error", "error": f"worker failed: {err!r}", "attempts": 1}
            if "error" in answer:
                outcome = _outcome(submission, out, False, answer["attempts"], answer["error"])
            else:
                outcome = _outcome(submission, out, False, answer["attempts"])
                (out / submission.student / submission.assignment / ".graded-key").write_text(key)
            outcomes.append(outcome)
            on_done(outcome)
    order = {s.label: i for i, s in enumerate(submissions)}
    return sorted(outcomes, key=lambda o: order[o.submission.label])


def iter_failures(outcomes: Sequence[Outcome]) -> Iterator[Outcome]:
    """The outcomes that did not pass."""
    return (o for o in outcomes if o.verdict != "passed")
