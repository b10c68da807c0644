"""Provides the renderers of a grading result: terminal (rich), JSON and JUnit XML.

Each renderer is a pure function of a :class:`grader.results.GradeResult`; the ``write_*``
functions put a rendering on disk atomically. The JSON schema and the JUnit mapping are
documented in docs/results-schema.md.
"""

from __future__ import annotations

from grader.report.json_report import to_json, write_json, write_text_atomic
from grader.report.junit import to_junit, write_junit, xml_safe
from grader.report.terminal import plain_text, progress_line, render_terminal

__all__ = [
    "plain_text",
    "progress_line",
    "render_terminal",
    "to_json",
    "to_junit",
    "write_json",
    "write_junit",
    "write_text_atomic",
    "xml_safe",
]
