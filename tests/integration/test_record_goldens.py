"""Transcript goldens: each reference screencast still shows what it showed.

Every assignment is recorded (bash; xonsh for three of them, to keep CI time in budget) and
its normalised transcript compared with ``assignments/<id>/transcript.<shell>.txt``.
Section 2's screencasts type the assignment's demo (``screencast.sh``) with the reference
installed beside it.
A change in the CLI's output or in a solution's behaviour fails here with a diff that
names the assignment and the command that refreshes the golden (docs/authoring.md).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from course.recording.cli import golden_path
from course.recording.recorder import RecordOptions, record
from grader.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Catalog.load(ROOT)
EVERY = [a for section in CATALOG.sections for a in section.assignments]
XONSH = ["a0-alias", "a2-namespace", "otp5-lost-authenticator"]  # the rest: CI time
CASES = [(a, "bash") for a in EVERY] + [(a, "xonsh") for a in XONSH]


@pytest.mark.parametrize(("assignment_id", "shell"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_transcript_matches_its_golden(tmp_path: Path, assignment_id: str, shell: str) -> None:
    golden = golden_path(CATALOG.get(assignment_id).directory, shell)
    assert golden.is_file(), f"{assignment_id}: no golden {golden.relative_to(ROOT)}"
    options = RecordOptions(shell=shell, base=tmp_path / "base")
    recorded = record(CATALOG, assignment_id, tmp_path / "x.cast", options=options).transcript
    expected = golden.read_text(encoding="utf-8")
    if recorded != expected:
        name = golden.relative_to(ROOT)
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                recorded.splitlines(keepends=True),
                fromfile=f"{name} (golden)",
                tofile=f"{assignment_id} ({shell}) recorded now",
            )
        )
        pytest.fail(
            f"the {shell} screencast of {assignment_id} drifted from its golden transcript.\n"
            f"If the change is intended, refresh it: scone-course record {assignment_id}"
            f" --shell {shell} -o /tmp/{assignment_id}.cast --goldens --force\n{diff}",
            pytrace=False,
        )
