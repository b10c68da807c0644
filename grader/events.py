"""Provides the grading events a front end (the TUI, the terminal report) can stream.

The grader calls an :data:`EventSink` as things happen; sinks must be quick and must not
raise. Events are frozen dataclasses, so a TUI can hand them across threads as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader.results import CheckResult, GradeResult, RunRecord

__all__ = [
    "CheckFinished",
    "Event",
    "EventSink",
    "GradingFinished",
    "OutputChunk",
    "PhaseStarted",
    "RunFinished",
    "RunStarted",
    "ignore_events",
]


@dataclass(frozen=True)
class PhaseStarted:
    """A phase of the plan began (e.g. ``prerequisites``, ``run1``, ``crash runs``)."""

    phase: str
    detail: str = ""


@dataclass(frozen=True)
class RunStarted:
    """A script run began."""

    label: str


@dataclass(frozen=True)
class OutputChunk:
    """Terminal output of the running script (raw, may hold ANSI sequences)."""

    label: str
    text: str


@dataclass(frozen=True)
class RunFinished:
    """A script run ended."""

    run: RunRecord


@dataclass(frozen=True)
class CheckFinished:
    """A check has its result."""

    check: CheckResult


@dataclass(frozen=True)
class GradingFinished:
    """The whole grading ended."""

    result: GradeResult


Event = PhaseStarted | RunStarted | OutputChunk | RunFinished | CheckFinished | GradingFinished
EventSink = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    """A sink that drops everything."""
