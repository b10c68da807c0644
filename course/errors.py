"""Provides the exception base of the course package.

CourseError            anything the learner must be told about
└── WorkspaceCasError  the workspace CAS cannot be started or reached
"""

from __future__ import annotations


class CourseError(Exception):
    """Base of the course package's errors; ``str(err)`` is shown to the learner."""


class WorkspaceCasError(CourseError):
    """The workspace CAS cannot be started, or is not answering."""
