"""Contract suite: the black-box backend against a real SCONE CAS.

Runs only when ``SCONE_REAL_CAS_ADDR`` names a CAS (``HOST`` or ``HOST:PORT``); otherwise
every test is skipped and says so. Optional: ``SCONE_REAL_SCONE_CMD`` (the command that
runs the real `scone`; default: the course's docker alias, see grader.backend.scone) and
``SCONE_REAL_CAS_PAGE`` (a URL whose text holds the CAS's MRENCLAVE; default: port 8080
of the CAS). Every grading leaves its sessions on that CAS: a CAS never deletes them.

    SCONE_REAL_CAS_ADDR=cas.example.org .venv/bin/python -m pytest -m real_cas tests/contract
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.backend.scone import DEFAULT_SCONE_CMD, SconeBackend
from grader.backend.world import CasTarget
from grader.catalog import Catalog
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from tests.contract.scenarios import ASSIGNMENT, COURSE, SCENARIOS, Scenario, explain, statuses

ADDRESS = os.environ.get("SCONE_REAL_CAS_ADDR", "")

pytestmark = [
    pytest.mark.real_cas,
    pytest.mark.skipif(
        not ADDRESS,
        reason="SCONE_REAL_CAS_ADDR is not set: no real SCONE CAS to grade against"
        " (set it to HOST or HOST:PORT of a CAS; see README 'Grading against a real SCONE CAS')",
    ),
]


@pytest.fixture(scope="module")
def target() -> CasTarget:
    command = os.environ.get("SCONE_REAL_SCONE_CMD") or DEFAULT_SCONE_CMD
    return CasTarget(ADDRESS, command, os.environ.get("SCONE_REAL_CAS_PAGE") or None)


@pytest.fixture(scope="module")
def refs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refs")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.script)
def test_scenario_on_the_real_cas(
    scenario: Scenario, target: CasTarget, refs: Path, tmp_path: Path
) -> None:
    options = GradeOptions(
        base=tmp_path / "boxes",
        cache=ReferenceCache(refs),
        timeout=scenario.timeout,
        backend=SconeBackend(target),
    )
    result = grade(Catalog.load(COURSE), ASSIGNMENT, scenario.path, options)
    assert result.error is None, explain(result)
    assert statuses(result) == scenario.statuses, explain(result)
    assert result.verdict == scenario.verdict
    if scenario.statuses["run1-changes-state"] == "passed":
        assert any("never deletes" in note for note in result.notes), result.notes
