"""Snapshot tests of the main screens (textual is pinned exactly: SVGs change between
releases). Refresh on purpose with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at every changed SVG before committing it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from course.app import make_app
from course.workspace import Workspace
from grader.catalog import Catalog

# pytest-asyncio leaves the event loop of an earlier async test for the garbage collector,
# and snap_compare's own loop is what triggers the collection: the "unclosed event loop"
# warning then lands here, in a test that has nothing to do with it. Only that warning is
# ignored, and only in this module.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


def test_course_screen_at_80x24(snap_compare: Any, workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_course_screen_wide(snap_compare: Any, workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    assert snap_compare(app, terminal_size=(120, 32), run_before=_settle)


def test_script_tab(snap_compare: Any, workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    assert snap_compare(app, terminal_size=(100, 28), press=["n", "2"], run_before=_settle)


def test_hint_revealed(snap_compare: Any, workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    assert snap_compare(app, terminal_size=(100, 28), press=["n", "h"], run_before=_settle)


def test_solution_confirmation(snap_compare: Any, workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    assert snap_compare(app, terminal_size=(100, 28), press=["s"], run_before=_settle)


def test_solution_side_by_side(snap_compare: Any, workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    assert snap_compare(app, terminal_size=(120, 30), press=["s", "y"], run_before=_settle)
