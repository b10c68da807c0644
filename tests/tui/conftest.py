"""Fixtures of the TUI tests: a workspace on the small fixture course, graded for real."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.workspace import Workspace
from grader.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
TUI_COURSE = ROOT / "tests" / "data" / "tui-course"


@pytest.fixture
def catalog() -> Catalog:
    """The two-assignment fixture course (t0-attest, t1-namespace)."""
    return Catalog.load(TUI_COURSE)


@pytest.fixture
def workspace(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    """A fresh workspace with the starters copied in; its CAS is stopped afterwards.

    The grader's sandboxes and reference cache go below ``tmp_path`` too, so a test
    neither reads nor leaves anything in the user's cache.
    """
    monkeypatch.setenv("SCONE_GRADER_TMP", str(tmp_path / "sandboxes"))
    monkeypatch.setenv("SCONE_GRADER_CACHE", str(tmp_path / "refcache"))
    ws = Workspace(tmp_path / "ws").ensure(catalog)
    yield ws
    ws.stop_cas()


def put_reference(ws: Workspace, catalog: Catalog, assignment_id: str) -> Path:
    """Copies the reference solution (bash) over the learner's script; returns its path."""
    script = ws.script(assignment_id, "bash")
    shutil.copyfile(catalog.get(assignment_id).reference("bash"), script)
    return script
