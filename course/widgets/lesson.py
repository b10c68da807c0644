"""Provides the lesson view: the lesson's Markdown and the hints revealed so far."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from course.lessons import Lesson

__all__ = ["LessonView", "hints_markdown"]


def hints_markdown(lesson: Lesson, revealed: int) -> str:
    """The Markdown of the hint ladder with the first ``revealed`` hints shown."""
    total = len(lesson.hints)
    if total == 0:
        return "---\n\n*This lesson has no hints.*\n"
    parts = ["---", "## Hints"]
    for hint in lesson.hints[:revealed]:
        parts += [f"### {hint.title}", hint.text]
    if revealed < total:
        which = "the first" if revealed == 0 else "the next"
        hidden = total - revealed
        parts.append(f"*{hidden} of {total} hints hidden: press **h** to reveal {which}.*")
    else:
        parts.append(f"*All {total} hints are shown.*")
    return "\n\n".join(parts) + "\n"


class LessonView(VerticalScroll):
    """The lesson (Markdown) with the hint ladder below it."""

    DEFAULT_CSS = """
    LessonView { padding: 0 1; }
    LessonView Markdown { margin: 0; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield Markdown(id="lesson-body")
        yield Markdown(id="lesson-hints")

    async def show_lesson(self, lesson: Lesson, revealed: int) -> None:
        """Shows ``lesson`` from its top, with ``revealed`` hints."""
        await self.query_one("#lesson-body", Markdown).update(lesson.body)
        await self.show_hints(lesson, revealed)
        self.scroll_home(animate=False)

    async def show_hints(self, lesson: Lesson, revealed: int, *, scroll: bool = False) -> None:
        """Redraws the hint ladder; with ``scroll``, brings the newest hint into view."""
        hints = self.query_one("#lesson-hints", Markdown)
        await hints.update(hints_markdown(lesson, revealed))
        if scroll:
            self.call_after_refresh(self.scroll_end, animate=False)
