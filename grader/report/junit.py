"""Provides the JUnit XML report, so CI systems show each check as a test case.

The mapping (documented in docs/results-schema.md): one ``<testsuite>`` per grading inside
a ``<testsuites>`` root, one ``<testcase>`` per check; ``failed`` → ``<failure>``,
``error`` → ``<error>``, ``skipped`` → ``<skipped>``. A grading that failed as a whole
(``GradeResult.error``) gets one extra test case, ``grading``, holding an ``<error>``, so CI
never shows a broken grading as green.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.report.json_report import write_text_atomic
from grader.report.terminal import plain_text, run_outcome
from grader.results import CheckResult, GradeResult, RunRecord

__all__ = ["GRADING_CASE", "to_junit", "write_junit", "xml_safe"]

GRADING_CASE = "grading"
"""Name of the extra test case that carries an error of the grading itself."""

# What XML 1.0 cannot carry at all (most C0 controls, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MESSAGE_MAX = 200


def xml_safe(text: str) -> str:
    """``text`` without ANSI sequences, control characters or anything XML 1.0 forbids."""
    return _NOT_XML.sub("", plain_text(text))


def _message(text: str) -> str:
    # CI tools show the message attribute on one line; the details go in the element text.
    line = xml_safe(text).strip().split("\n", 1)[0]
    return line if len(line) <= _MESSAGE_MAX else line[: _MESSAGE_MAX - 1] + "…"


def _details(check: CheckResult) -> str:
    parts = [check.message] if check.message else []
    # Expected and actual on adjacent lines, so the two read as one comparison.
    sides = (("Expected", check.expected), ("Actual", check.actual))
    if compared := [f"{label}: {value}" for label, value in sides if value is not None]:
        parts.append("\n".join(compared))
    for label, value in (
        ("Diff", check.diff),
        ("Transcript excerpt", check.excerpt),
        ("Hint", check.hint),
    ):
        if value:
            parts.append(f"{label}:\n{value.rstrip()}" if "\n" in value else f"{label}: {value}")
    return xml_safe("\n\n".join(parts))


def _run_line(run: RunRecord) -> str:
    line = (
        f"{run.label}: {run_outcome(run)}, {run.duration_s:.3f} s, {len(run.calls)} scone calls "
        f"({len(run.mutating_calls)} mutating)"
    )
    if run.cast:
        line += f", cast {run.cast}"
    if run.truncated:
        line += ", output cut at the cap"
    if run.note:
        line += f" - {run.note}"
    return line


def _summary(result: GradeResult) -> str:
    lines = [f"verdict: {result.verdict}, score {result.score}"]
    if result.submission:
        lines.append(f"submission: {result.submission}")
    lines += [_run_line(run) for run in result.runs]
    lines += [f"note: {note}" for note in result.notes]
    return xml_safe("\n".join(lines))


def _testcase(suite: ET.Element, classname: str, name: str) -> ET.Element:
    # Checks are not timed one by one; the suite carries the wall time of the grading.
    return ET.SubElement(suite, "testcase", classname=classname, name=name, time="0.000")


def to_junit(result: GradeResult) -> str:
    """Renders ``result`` as JUnit XML (a ``<testsuites>`` root holding one suite).

    Returns:
        The document with its XML declaration, ending in a newline.
    """
    assignment = xml_safe(result.assignment)
    cases = list(result.checks)
    counts = {status: sum(c.status == status for c in cases) for status in ("failed", "error")}
    skipped = sum(c.status == "skipped" for c in cases)
    # An error of the grading itself is no check's, but it still has to reach CI.
    grading_error = result.error is not None
    tests = len(cases) + grading_error
    errors = counts["error"] + grading_error
    numbers = {
        "tests": str(tests),
        "failures": str(counts["failed"]),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{result.duration_s:.3f}",
    }
    root = ET.Element("testsuites", {"name": "scone-course", **numbers})
    suite_name = f"scone-course.{assignment}.{xml_safe(result.shell)}"
    suite = ET.SubElement(root, "testsuite", {"name": suite_name, **numbers})
    properties = ET.SubElement(suite, "properties")
    for key, value in (("verdict", result.verdict), ("score", str(result.score))):
        ET.SubElement(properties, "property", name=key, value=value)
    for check in cases:
        case = _testcase(suite, assignment, xml_safe(check.id))
        if check.status == "failed":
            element = ET.SubElement(
                case, "failure", message=_message(check.message or check.title), type="failed"
            )
            element.text = _details(check)
        elif check.status == "error":
            element = ET.SubElement(
                case, "error", message=_message(check.message or check.title), type="error"
            )
            element.text = _details(check)
        elif check.status == "skipped":
            ET.SubElement(case, "skipped", message=_message(check.message or "skipped"))
    if grading_error:
        case = _testcase(suite, assignment, GRADING_CASE)
        element = ET.SubElement(
            case, "error", message=_message(result.error or ""), type="grading-error"
        )
        element.text = xml_safe(
            "The grader or its sandbox failed; the script was not judged.\n\n"
            + (result.error or "")
        )
    ET.SubElement(suite, "system-out").text = _summary(result)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def write_junit(result: GradeResult, path: str | Path) -> Path:
    """Writes :func:`to_junit` of ``result`` to ``path`` atomically; returns the path."""
    return write_text_atomic(path, to_junit(result))
