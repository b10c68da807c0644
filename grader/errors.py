"""Provides the exception tree of the grader.

GraderError             base; never the learner's fault
├── CatalogError        the course manifest or an assignment.yaml is wrong
├── UsageError          the grader was called wrongly (unknown id, missing file)
└── InfrastructureError the sandbox, its CAS or a prerequisite failed
"""

from __future__ import annotations


class GraderError(Exception):
    """Base of the grader's deliberate errors; ``str(err)`` is a user-facing sentence."""


class CatalogError(GraderError):
    """The course manifest or an assignment definition is invalid."""


class UsageError(GraderError):
    """The grader was called with arguments that cannot work."""


class InfrastructureError(GraderError):
    """Grading could not be carried out (sandbox, CAS, prerequisite): verdict ``error``."""
