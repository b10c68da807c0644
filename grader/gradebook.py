"""Provides the class reports: ``gradebook.csv``, ``summary.md`` and ``summary.json``.

The gradebook has one row per student, one score column per assignment and one column
per (assignment, check) with ``1`` passed, ``0`` failed, ``E`` error, ``-`` skipped and
empty when there was no submission. The summary gives per-check pass rates, the most
common failure signatures with example students, and runtime statistics.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.batch import Outcome
from grader.report.json_report import write_text_atomic

__all__ = ["gradebook_csv", "signature", "summary", "summary_markdown", "write_reports"]

_CELL = {"passed": "1", "failed": "0", "error": "E", "skipped": "-"}


def signature(message: str) -> str:
    """A failure message with run-specific parts (hashes, names, numbers) folded."""
    text = re.sub(r"[0-9a-f]{64}", "<hash>", message)
    text = re.sub(r"`[^`]*`", "`…`", text)
    text = re.sub(r"\d+", "N", text)
    return text.split("\n")[0][:160]


def gradebook_csv(outcomes: Sequence[Outcome]) -> str:
    """The gradebook as CSV text."""
    assignments = sorted({o.submission.assignment for o in outcomes})
    checks: dict[str, list[str]] = defaultdict(list)
    for outcome in outcomes:
        known = checks[outcome.submission.assignment]
        known.extend(c for c in outcome.checks if c not in known)
    by_student: dict[str, dict[str, Outcome]] = defaultdict(dict)
    for outcome in outcomes:
        by_student[outcome.submission.student][outcome.submission.assignment] = outcome
    header = ["student"] + [f"{a}:score" for a in assignments]
    header += [f"{a}:{c}" for a in assignments for c in checks[a]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for student in sorted(by_student):
        row = [student]
        mine = by_student[student]
        for a in assignments:
            entry = mine.get(a)
            row.append(
                "" if entry is None else ("E" if entry.verdict == "error" else f"{entry.score:.2f}")
            )
        for a in assignments:
            entry = mine.get(a)
            for c in checks[a]:
                status = None if entry is None else entry.checks.get(c)
                row.append("" if status is None else _CELL[status])
        writer.writerow(row)
    return out.getvalue()


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Per-check pass rates, common failure signatures, runtime statistics."""
    rates: dict[str, Counter[str]] = defaultdict(Counter)
    failures: dict[tuple[str, str], list[str]] = defaultdict(list)
    for outcome in outcomes:
        for check, status in outcome.checks.items():
            rates[f"{outcome.submission.assignment}:{check}"][status] += 1
        if outcome.verdict != "passed" and outcome.first_failure:
            failures[(outcome.submission.assignment, signature(outcome.first_failure))].append(
                outcome.submission.student
            )
    durations = [o.duration_s for o in outcomes if not o.cached and o.duration_s]
    verdicts = Counter(o.verdict for o in outcomes)
    return {
        "submissions": len(outcomes),
        "students": len({o.submission.student for o in outcomes}),
        "verdicts": dict(verdicts),
        "checks": {
            key: {
                "passed": c["passed"],
                "failed": c["failed"],
                "error": c["error"],
                "skipped": c["skipped"],
                "pass_rate": round(c["passed"] / max(1, c["passed"] + c["failed"]), 3),
            }
            for key, c in sorted(rates.items())
        },
        "common_failures": [
            {
                "assignment": a,
                "signature": s,
                "count": len(students),
                "examples": sorted(students)[:3],
            }
            for (a, s), students in sorted(failures.items(), key=lambda kv: -len(kv[1]))[:10]
        ],
        "runtime_s": {
            "graded": len(durations),
            "cached": sum(o.cached for o in outcomes),
            "mean": round(statistics.fmean(durations), 2) if durations else None,
            "median": round(statistics.median(durations), 2) if durations else None,
            "max": round(max(durations), 2) if durations else None,
        },
    }


def summary_markdown(data: dict[str, Any]) -> str:
    """The summary as Markdown for an instructor."""
    lines = [
        "# Class summary",
        "",
        f"{data['students']} students, {data['submissions']} submissions: "
        + ", ".join(f"{n} {v}" for v, n in sorted(data["verdicts"].items())),
        "",
        "## Pass rate per check",
        "",
        "| check | passed | failed | error | rate |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, c in data["checks"].items():
        lines.append(
            f"| {key} | {c['passed']} | {c['failed']} | {c['error']} | {c['pass_rate']:.0%} |"
        )
    lines += ["", "## Most common failures", ""]
    if not data["common_failures"]:
        lines.append("None.")
    for item in data["common_failures"]:
        lines.append(
            f"- **{item['assignment']}** ({item['count']}×): {item['signature']}"
            f" — e.g. {', '.join(item['examples'])}"
        )
    runtime = data["runtime_s"]
    lines += [
        "",
        "## Runtime",
        "",
        f"{runtime['graded']} graded ({runtime['cached']} unchanged, skipped); per"
        f" submission mean {runtime['mean']} s, median {runtime['median']} s,"
        f" max {runtime['max']} s.",
        "",
    ]
    return "\n".join(lines)


def write_reports(outcomes: Sequence[Outcome], out: Path) -> dict[str, Path]:
    """Writes gradebook.csv, summary.json and summary.md into ``out`` (atomically)."""
    data = summary(outcomes)
    return {
        "gradebook": write_text_atomic(out / "gradebook.csv", gradebook_csv(outcomes)),
        "summary_json": write_text_atomic(out / "summary.json", json.dumps(data, indent=2) + "\n"),
        "summary_md": write_text_atomic(out / "summary.md", summary_markdown(data)),
    }
