"""Provides the exception of the recorder: one clear line for the learner or author."""

from __future__ import annotations

from course.errors import CourseError

__all__ = ["RecordError"]


class RecordError(CourseError):
    """A recording could not be made; ``str(err)`` says why and how to fix it."""
