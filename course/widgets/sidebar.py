"""Provides the sidebar: the course's sections and assignments with their status, and the
overall progress."""

from __future__ import annotations

from typing import Any, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static, Tree

from course.workspace import Workspace
from grader.catalog import Assignment, Catalog

__all__ = ["STATUS_MARKS", "Sidebar", "Status", "assignment_status"]

Status = Literal["not started", "in progress", "passed", "failed"]
STATUS_MARKS: dict[Status, tuple[str, str]] = {
    "not started": ("○", "dim"),
    "in progress": ("◐", "yellow"),
    "passed": ("✓", "green"),
    "failed": ("✗", "red"),
}
"""The mark and colour of each status."""


def assignment_status(ws: Workspace, assignment: Assignment, progress: dict[str, Any]) -> Status:
    """Passed once a Check passed; failed when the last Check failed; in progress once the
    learner checked, took a hint or saw the solution, or changed the starter."""
    entry = progress.get(assignment.id, {})
    if entry.get("passed"):
        return "passed"
    if entry.get("last_verdict") == "failed":
        return "failed"
    if entry.get("attempts") or entry.get("hints") or entry.get("solution"):
        return "in progress"
    for shell in assignment.shells:
        script, starter = ws.script(assignment.id, shell), assignment.starter(shell)
        if script.is_file() and not (
            starter.is_file() and starter.read_bytes() == script.read_bytes()
        ):
            return "in progress"
    return "not started"


class Sidebar(Vertical):
    """The course outline; selecting an assignment posts :class:`AssignmentChosen`."""

    DEFAULT_CSS = """
    Sidebar { width: 30; border-right: solid $panel; }
    Sidebar Tree { height: 1fr; background: $surface; overflow-x: hidden; }
    Sidebar #progress-label { height: 1; padding: 0 1; }
    Sidebar ProgressBar { height: 1; padding: 0 1; }
    Sidebar ProgressBar Bar { width: 1fr; }
    """

    class AssignmentChosen(Message):
        """The learner picked an assignment (Enter or a click)."""

        def __init__(self, assignment_id: str) -> None:
            super().__init__()
            self.assignment_id = assignment_id

    def __init__(self, catalog: Catalog, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog = catalog
        self.workspace = workspace
        self.statuses: dict[str, Status] = {}

    def compose(self) -> ComposeResult:
        tree: Tree[str] = Tree(self.catalog.title or "Course", id="course-tree")
        tree.show_root = False
        tree.guide_depth = 2
        for section in self.catalog.sections:
            node = tree.root.add(Text(section.title, style="bold"), expand=True)
            for assignment_id in section.assignments:
                node.add_leaf(assignment_id, data=assignment_id)
        yield tree
        yield Static(id="progress-label")
        yield ProgressBar(total=max(len(self.catalog.assignments), 1), show_eta=False)

    def on_mount(self) -> None:
        self.show_statuses()

    @property
    def outline(self) -> Tree[str]:
        """The outline tree."""
        return self.query_one("#course-tree", Tree)

    def show_statuses(self) -> None:
        """Reads ``progress.json`` and the scripts again and redraws every mark."""
        progress = self.workspace.progress()
        for assignment in self.catalog.assignments.values():
            self.statuses[assignment.id] = assignment_status(self.workspace, assignment, progress)
        for node in self._leaves():
            assignment = self.catalog.assignments[str(node.data)]
            mark, style = STATUS_MARKS[self.statuses[assignment.id]]
            node.set_label(
                Text.assemble((mark, style), " ", (assignment.id, "bold"), " ", assignment.title)
            )
        passed = sum(status == "passed" for status in self.statuses.values())
        total = len(self.statuses)
        self.query_one("#progress-label", Static).update(f"Progress: {passed} of {total} passed")
        self.query_one(ProgressBar).update(total=max(total, 1), progress=passed)

    def _leaves(self) -> list[Any]:
        return [leaf for section in self.outline.root.children for leaf in section.children]

    def highlight(self, assignment_id: str) -> None:
        """Moves the tree's cursor to ``assignment_id`` (without choosing it again)."""
        for node in self._leaves():
            if node.data == assignment_id:
                self.outline.move_cursor(node)

    @on(Tree.NodeSelected, "#course-tree")
    def _chosen(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.AssignmentChosen(event.node.data))
