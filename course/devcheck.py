"""Provides `scone-course dev check`: the authors' quality gate (grading.md §5).

For a course directory it checks that the manifest and the files agree, that every lesson
renders and has its three hints, that every starter fails, that every reference passes
every check twice in a row in each of its shells, and that every known-broken variant
under ``tests/data/broken/<id>/`` is caught by the check its first line names
(``# expect: <check-id> failed``). Gradings run in parallel worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Assignment, Catalog
from grader.errors import GraderError
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from grader.results import GradeResult

__all__ = ["Finding", "GradingJob", "dev_check", "static_findings"]

_EXPECT = re.compile(r"^#\s*expect:\s*([a-z0-9-]+)\s+failed\s*$")
_MIN_BROKEN = 3


@dataclass(frozen=True)
class Finding:
    """One verdict of the gate."""

    ok: bool
    subject: str
    message: str


@dataclass(frozen=True)
class GradingJob:
    """One grading the gate needs, and what it expects of it."""

    subject: str
    assignment: str
    script: Path
    shell: str
    expect: str
    """``pass``, ``fail``, or the id of the check that must fail."""


def _lesson_findings(catalog: Catalog) -> Iterator[Finding]:
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    for assignment in catalog.assignments.values():
        subject = f"{assignment.id}/lesson.md"
        try:
            text = assignment.lesson.read_text(encoding="utf-8")
        except OSError as err:
            yield Finding(False, subject, f"cannot read: {err.strerror}")
            continue
        try:
            Console(file=io.StringIO(), width=80).print(Markdown(text))
        except Exception as err:  # a renderer failure is exactly what we look for
            yield Finding(False, subject, f"does not render: {err}")
            continue
        problems = []
        if not text.lstrip().startswith("# "):
            problems.append("does not start with a '# ' title")
        if "## Hints" not in text:
            problems.append("has no '## Hints' section")
        hints = re.findall(r"^### Hint [123]\b", text, re.MULTILINE)
        if len(hints) != 3:
            problems.append(f"has {len(hints)} of the 3 hints ('### Hint 1' … '### Hint 3')")
        yield Finding(not problems, subject, "; ".join(problems) or "renders, three hints")


def static_findings(catalog: Catalog) -> list[Finding]:
    """Manifest and file agreement, and lessons: everything that needs no grading."""
    found: list[Finding] = []
    listed = set(catalog.assignments)
    for kind in ("assignments", "solutions"):
        directory = catalog.root / kind
        present = (
            {p.name for p in directory.iterdir() if p.is_dir()} if directory.is_dir() else set()
        )
        for stray in sorted(present - listed):
            found.append(Finding(False, f"{kind}/{stray}", "not listed in course.yaml"))
    for assignment in catalog.assignments.values():
        for shell in assignment.shells:
            for path in (assignment.starter(shell), assignment.reference(shell)):
                if not path.is_file():
                    found.append(Finding(False, str(path.relative_to(catalog.root)), "missing"))
    found.extend(_lesson_findings(catalog))
    return found


def _selected(catalog: Catalog, only: Collection[str] | None) -> list[Assignment]:
    return [a for a in catalog.assignments.values() if only is None or a.id in only]


def _broken(
    catalog: Catalog, broken_root: Path, only: Collection[str] | None = None
) -> tuple[list[GradingJob], list[Finding]]:
    jobs, found = [], []
    for assignment in _selected(catalog, only):
        directory = broken_root / assignment.id
        variants = sorted(directory.glob("*.sh")) + sorted(directory.glob("*.xsh"))
        if len(variants) < _MIN_BROKEN:
            found.append(
                Finding(
                    False,
                    f"broken/{assignment.id}",
                    f"{len(variants)} broken variant(s); at least {_MIN_BROKEN} needed",
                )
            )
        for variant in variants:
            first = variant.read_text(encoding="utf-8").splitlines()[:1]
            match = _EXPECT.match(first[0]) if first else None
            subject = f"broken/{assignment.id}/{variant.name}"
            if match is None:
                found.append(
                    Finding(False, subject, "first line must be '# expect: <check-id> failed'")
                )
                continue
            shell = "xonsh" if variant.suffix == ".xsh" else "bash"
            jobs.append(GradingJob(subject, assignment.id, variant, shell, match.group(1)))
    return jobs, found


def _jobs(catalog: Catalog, only: Collection[str] | None = None) -> list[GradingJob]:
    jobs = []
    for assignment in _selected(catalog, only):
        for shell in assignment.shells:
            jobs.append(
                GradingJob(
                    f"{assignment.id}/starter ({shell})",
                    assignment.id,
                    assignment.starter(shell),
                    shell,
                    "fail",
                )
            )
            for attempt in (1, 2):
                jobs.append(
                    GradingJob(
                        f"{assignment.id}/reference ({shell}) #{attempt}",
                        assignment.id,
                        assignment.reference(shell),
                        shell,
                        "pass",
                    )
                )
    return jobs


def _run(root: str, job: GradingJob, cache: str | None) -> tuple[GradingJob, str, str]:
    """Worker: grades one job; returns (job, verdict, failed-check ids or error)."""
    try:
        catalog = Catalog.load(Path(root))
        options = GradeOptions(
            shell=job.shell, cache=ReferenceCache(Path(cache)) if cache else None
        )
        result: GradeResult = grade(catalog, job.assignment, job.script, options)
    except GraderError as err:
        return job, "error", str(err)
    if result.verdict == "error":
        return (
            job,
            "error",
            result.error or (result.first_failure.message if result.first_failure else ""),
        )
    failed = ",".join(c.id for c in result.checks if c.status == "failed")
    return job, result.verdict, failed


def _judge(job: GradingJob, verdict: str, detail: str) -> Finding:
    if verdict == "error":
        return Finding(False, job.subject, f"grading error: {detail}")
    failed = [c for c in detail.split(",") if c]
    if job.expect == "pass":
        return Finding(
            verdict == "passed",
            job.subject,
            "passes every check" if verdict == "passed" else f"fails {failed}",
        )
    if job.expect == "fail":
        return Finding(
            verdict == "failed",
            job.subject,
            f"fails as it should ({', '.join(failed)})" if failed else "PASSES",
        )
    caught = job.expect in failed
    return Finding(
        caught,
        job.subject,
        f"caught by {job.expect}"
        if caught
        else f"expected {job.expect} to fail; failed: {failed or 'nothing'}",
    )


def dev_check(
    catalog: Catalog,
    *,
    broken_root: Path,
    jobs: int,
    report: Callable[[Finding], None],
    cache: Path | None = None,
    only: Collection[str] | None = None,
) -> list[Finding]:
    """Runs the whole gate; ``report`` sees each finding as it is made.

    ``only`` restricts the gradings (starters, references, broken variants) to these
    assignment ids; the static checks always cover the whole course.
    """
    findings = static_findings(catalog)
    for finding in findings:
        report(finding)
    broken_jobs, broken_findings = _broken(catalog, broken_root, only)
    for finding in broken_findings:
        report(finding)
    findings += broken_findings
    work = _jobs(catalog, only) + broken_jobs
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(_run, str(catalog.root), job, str(cache) if cache else None) for job in work
        ]
        for future in as_completed(futures):
            finding = _judge(*future.result())
            report(finding)
            findings.append(finding)
    return findings
