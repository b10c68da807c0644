"""Opt-in: the whole of Section 1 graded by both backends, check by check.

Every reference solution of Assignments 0–5 and every known-broken variant in
tests/data/broken/ is graded with the default backend and with the black-box backend
against a localcas run as if it were real; every check must end with the same status,
except the checks the black-box backend skips on purpose (they read what only the
stand-in shows). It takes four to six minutes on two cores, far over the suite's budget,
so it runs only when asked:

    SCONE_GRADER_PARITY=1 .venv/bin/python -m pytest -q tests/integration/test_blackbox_section1.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.backend.local import LocalBackend
from grader.backend.scone import SconeBackend
from grader.backend.world import CasTarget
from grader.catalog import Catalog
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from localcas.instance import CasInstance
from tests.contract.scenarios import ROOT, explain, statuses, write_standin

SECTION1 = ("a0-alias", "a1-attest", "a2-namespace", "a3-hash", "a4-update", "a5-values")
SCRIPTS = [
    (assignment, script)
    for assignment in SECTION1
    for script in [
        ROOT / "solutions" / assignment / "solution.sh",
        *sorted((ROOT / "tests" / "data" / "broken" / assignment).glob("*.sh")),
    ]
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("SCONE_GRADER_PARITY") != "1",
        reason="takes minutes: set SCONE_GRADER_PARITY=1 to compare both backends on"
        " all of Section 1",
    ),
]


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    cas = CasInstance(tmp_path_factory.mktemp("real-cas") / "cas.db").start()
    command = str(write_standin(tmp_path_factory.mktemp("cli")))
    yield {
        "catalog": Catalog.load(ROOT),
        "target": CasTarget(cas.address, command),
        "refs": tmp_path_factory.mktemp("refs"),
    }
    cas.stop()


@pytest.mark.parametrize(
    ("assignment", "script"), SCRIPTS, ids=[f"{a}/{s.name}" for a, s in SCRIPTS]
)
def test_same_status_for_every_check(
    backends: dict[str, object], assignment: str, script: Path, tmp_path: Path
) -> None:
    catalog, target, refs = backends["catalog"], backends["target"], backends["refs"]
    assert isinstance(catalog, Catalog) and isinstance(target, CasTarget)
    assert isinstance(refs, Path)
    blackbox = SconeBackend(target)
    results = {
        name: grade(
            catalog,
            assignment,
            script,
            GradeOptions(base=tmp_path / name, cache=ReferenceCache(refs), backend=backend),
        )
        for name, backend in (("local", LocalBackend()), ("scone", blackbox))
    }
    local, scone = statuses(results["local"]), statuses(results["scone"])
    assert results["scone"].error is None, explain(results["scone"])
    assert set(local) == set(scone)
    skipped_on_purpose = {
        spec.id for spec in catalog.get(assignment).checks if blackbox.unsupported(spec)
    }
    for check_id, status in local.items():
        expected = "skipped" if check_id in skipped_on_purpose else status
        assert scone[check_id] == expected, f"{check_id}\n{explain(results['scone'])}"
    assert results["scone"].verdict == results["local"].verdict or skipped_on_purpose
