"""Provides the typed course catalog: the manifest, each assignment, and its solutions.

A course directory holds ``assignments/course.yaml`` (an ordered manifest),
``assignments/<id>/{lesson.md, assignment.yaml, starter.sh, starter.xsh}`` and
``solutions/<id>/{solution.sh, solution.xsh}``. The grader needs the catalog to plan a
grading; the TUI reuses it to list assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from grader.errors import CatalogError, UsageError

__all__ = ["SHELLS", "Assignment", "Catalog", "CheckSpec", "Section", "Shell"]

Shell = Literal["bash", "xonsh"]
SHELLS: dict[str, Shell] = {".sh": "bash", ".xsh": "xonsh"}
_EXTENSION = {"bash": ".sh", "xonsh": ".xsh"}
_ASSIGNMENT_KEYS = {
    "title",
    "prerequisites",
    "shells",
    "timeout",
    "files",
    "mutates",
    "compare",
    "checks",
    "crash_sample",
    "output_cap",
}
_CHECK_KINDS = {"probe", "file", "output", "state"}


@dataclass(frozen=True)
class CheckSpec:
    """One declared check of an assignment (kinds: probe, file, output, state)."""

    id: str
    kind: str
    title: str
    hint: str | None
    options: dict[str, Any]
    """The kind-specific fields, as written in assignment.yaml."""


@dataclass(frozen=True)
class Assignment:
    """One assignment of the course."""

    id: str
    title: str
    directory: Path
    solutions: Path
    """The directory of the reference solutions."""
    prerequisites: tuple[str, ...] = ()
    """Assignments whose reference solutions run first, in this order."""
    shells: tuple[Shell, ...] = ("bash", "xonsh")
    timeout: float = 60.0
    """Seconds one run of the script may take."""
    output_cap: int = 1024 * 1024
    files: tuple[str, ...] = ()
    """Files (relative to the course directory ``~/course``) that the snapshot includes."""
    mutates: bool = True
    """Whether a correct script changes CAS state or files (``run1-changes-state``)."""
    compare: tuple[str, ...] = ("sessions",)
    """Selectors into the normalised snapshot that must match the reference."""
    crash_sample: int = 3
    """How many crash points to try (always the first and the last mutating call)."""
    checks: tuple[CheckSpec, ...] = ()

    def reference(self, shell: str) -> Path:
        """The reference solution for ``shell``."""
        return self.solutions / f"solution{_EXTENSION[shell]}"

    def starter(self, shell: str) -> Path:
        """The starter script for ``shell``."""
        return self.directory / f"starter{_EXTENSION[shell]}"

    @property
    def lesson(self) -> Path:
        """The lesson (Markdown)."""
        return self.directory / "lesson.md"


@dataclass(frozen=True)
class Section:
    """A section of the course and its assignment ids, in order."""

    id: str
    title: str
    assignments: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """A whole course, loaded from ``root``."""

    root: Path
    title: str
    sections: tuple[Section, ...]
    assignments: dict[str, Assignment] = field(default_factory=dict)

    @property
    def solutions_dir(self) -> Path:
        """Where reference solutions live (hidden from learners' scripts)."""
        return self.root / "solutions"

    def get(self, assignment_id: str) -> Assignment:
        """The assignment ``assignment_id``.

        Raises:
            UsageError: no such assignment (the message lists the known ids).
        """
        try:
            return self.assignments[assignment_id]
        except KeyError:
            known = ", ".join(self.assignments) or "none"
            raise UsageError(f"unknown assignment '{assignment_id}'; known: {known}") from None

    @classmethod
    def load(cls, root: Path) -> Catalog:
        """Loads ``root/assignments/course.yaml`` and every assignment it lists.

        Raises:
            CatalogError: the manifest or an assignment file is missing or invalid.
        """
        # Absolute paths: the sandbox hides the solutions by path, from another directory.
        root = root.resolve()
        manifest = _read_yaml(root / "assignments" / "course.yaml")
        if manifest.get("format_version") != 1:
            raise CatalogError(f"{root}/assignments/course.yaml: format_version must be 1")
        sections: list[Section] = []
        assignments: dict[str, Assignment] = {}
        for raw in manifest.get("sections") or []:
            ids = tuple(str(i) for i in raw.get("assignments") or [])
            sections.append(Section(str(raw["id"]), str(raw.get("title", raw["id"])), ids))
            for assignment_id in ids:
                if assignment_id in assignments:
                    raise CatalogError(f"assignment '{assignment_id}' is listed twice")
                assignments[assignment_id] = _load_assignment(root, assignment_id, assignments)
        return cls(root, str(manifest.get("title", "")), tuple(sections), assignments)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CatalogError(f"cannot read {path}: {err.strerror}") from err
    except yaml.YAMLError as err:
        raise CatalogError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(data, dict):
        raise CatalogError(f"{path} must hold a mapping")
    return data


def _load_assignment(root: Path, assignment_id: str, earlier: dict[str, Assignment]) -> Assignment:
    directory = root / "assignments" / assignment_id
    path = directory / "assignment.yaml"
    data = _read_yaml(path)
    unknown = set(data) - _ASSIGNMENT_KEYS
    if unknown:
        raise CatalogError(f"{path}: unknown keys {sorted(unknown)}")
    prerequisites = tuple(str(p) for p in data.get("prerequisites") or [])
    for prerequisite in prerequisites:
        if prerequisite not in earlier:
            raise CatalogError(f"{path}: prerequisite '{prerequisite}' must come earlier")
    shells = tuple(data.get("shells") or ("bash", "xonsh"))
    if not set(shells) <= {"bash", "xonsh"}:
        raise CatalogError(f"{path}: shells may only be bash and xonsh")
    checks = []
    for index, raw in enumerate(data.get("checks") or []):
        if not isinstance(raw, dict) or raw.get("kind") not in _CHECK_KINDS or "id" not in raw:
            raise CatalogError(
                f"{path}: checks[{index}] needs an id and a kind of {sorted(_CHECK_KINDS)}"
            )
        options = {k: v for k, v in raw.items() if k not in ("id", "kind", "title", "hint")}
        checks.append(
            CheckSpec(
                str(raw["id"]),
                str(raw["kind"]),
                str(raw.get("title", raw["id"])),
                raw.get("hint"),
                options,
            )
        )
    return Assignment(
        id=assignment_id,
        title=str(data.get("title", assignment_id)),
        directory=directory,
        solutions=root / "solutions" / assignment_id,
        prerequisites=prerequisites,
        shells=shells,
        timeout=float(data.get("timeout", 60)),
        output_cap=int(data.get("output_cap", 1024 * 1024)),
        files=tuple(str(f) for f in data.get("files") or []),
        mutates=bool(data.get("mutates", True)),
        compare=tuple(str(c) for c in data.get("compare", ["sessions"]) or ()),
        crash_sample=int(data.get("crash_sample", 3)),
        checks=tuple(checks),
    )
