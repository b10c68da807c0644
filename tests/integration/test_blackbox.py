"""The black-box backend against a localcas run as if it were a real CAS.

The CAS is a plain ``localcas serve`` process: no request log, no fault plan, no events
file. The backend is told its address and nothing else — no database path, no admin
channel — and reaches it only through the `scone` CLI stand-in (behind the shim) and REST.

One deviation, on purpose: the CLI stand-in also checks the CAS's *address* against the
TLS leaf certificate, which names only the CAS's own address; SCONE's CLI pins the
attested chain instead (spec scone.md §3.1). Through the fault proxy (another address)
the stand-in would refuse the CAS, so the "real scone" here is the stand-in with only
that name check switched off; the chain is still verified.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.backend.local import LocalBackend
from grader.backend.rest import CasRest, Version, cli_config
from grader.backend.scone import SconeBackend
from grader.backend.snapshot import rest_snapshot
from grader.backend.world import BlackboxSandbox, CasTarget
from grader.catalog import Catalog, CheckSpec
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from grader.results import GradeResult
from grader.world import identities_of
from localcas.instance import CasInstance
from tests.contract.scenarios import (
    ASSIGNMENT,
    COURSE,
    ROOT,
    SCENARIOS,
    SUBMISSIONS,
    Scenario,
    explain,
    statuses,
    write_standin,
)

# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_cas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CasInstance]:
    """localcas started the way a real CAS runs: nothing for the grader but its address."""
    cas = CasInstance(tmp_path_factory.mktemp("real-cas") / "cas.db").start()
    yield cas
    cas.stop()


@pytest.fixture(scope="module")
def scone_cmd(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(write_standin(tmp_path_factory.mktemp("cli")))


@pytest.fixture(scope="module")
def target(real_cas: CasInstance, scone_cmd: str) -> CasTarget:
    return CasTarget(real_cas.address, scone_cmd)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(COURSE)


@pytest.fixture(scope="module")
def graded(
    tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, target: CasTarget
) -> Callable[[Scenario, str], GradeResult]:
    """Grades a scenario with the ``local`` or the ``scone`` backend, once per module."""
    refs = tmp_path_factory.mktemp("refs")
    done: dict[tuple[str, str], GradeResult] = {}

    def get(scenario: Scenario, backend: str) -> GradeResult:
        key = (scenario.script, backend)
        if key not in done:
            options = GradeOptions(
                base=tmp_path_factory.mktemp("boxes"),
                cache=ReferenceCache(refs),
                timeout=scenario.timeout,
                backend=LocalBackend() if backend == "local" else SconeBackend(target),
            )
            done[key] = grade(catalog, ASSIGNMENT, scenario.path, options)
        return done[key]

    return get


class _Hashless(CasRest):
    """REST as from a CAS that does not put the hash into its answers."""

    def version(self, name: str, digest: str | None = None) -> Version | None:
        found = super().version(name, digest)
        return None if found is None else Version(found.text, None)


def _sessions_in(db: Path) -> set[str]:
    """The test's own look into the CAS database (the backend never gets its path)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        return {row[0] for row in con.execute("SELECT name FROM sessions")}


# -- 1. same verdicts as the default backend ----------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.script)
def test_same_verdicts_as_the_default_backend(
    graded: Callable[[Scenario, str], GradeResult], scenario: Scenario
) -> None:
    local = graded(scenario, "local")
    blackbox = graded(scenario, "scone")
    assert blackbox.error is None, explain(blackbox)
    assert statuses(local) == scenario.statuses, explain(local)
    assert statuses(blackbox) == statuses(local), explain(blackbox)
    assert blackbox.verdict == local.verdict == scenario.verdict


def test_crash_stops_in_the_shim_and_the_fault_is_a_dropped_answer_in_the_proxy(
    graded: Callable[[Scenario, str], GradeResult],
) -> None:
    result = graded(SCENARIOS[0], "scone")
    runs = {run.label: run for run in result.runs}
    run1 = runs["run1"]
    assert [(c.argv[1:3], c.mutated) for c in run1.calls] == [
        (["session", "read"], False),
        (["session", "create"], True),
    ], run1.calls
    assert all(not c.mutated for c in runs["run2"].calls), runs["run2"].calls
    crash = runs["crash-k1"]
    assert crash.killed_at_call == 1 and crash.exit_code is None, crash
    drop = runs["drop-k1"]
    assert drop.exit_code not in (0, None), drop.transcript
    assert "lost the connection after sending the request" in drop.transcript, drop.transcript
    assert runs["drop-k1-rerun"].succeeded and not any(
        c.mutated for c in runs["drop-k1-rerun"].calls
    )


def test_report_names_the_created_sessions_and_the_cas_keeps_them(
    graded: Callable[[Scenario, str], GradeResult], real_cas: CasInstance
) -> None:
    result = graded(SCENARIOS[0], "scone")
    prefix = "sessions created on the CAS (a CAS never deletes them): "
    listed = [n for n in result.notes if n.startswith(prefix)]
    assert len(listed) == 1, result.notes
    names = listed[0][len(prefix) :].split(", ")
    # run 1's world, the crash run's and the fault run's: each its own namespace
    assert len(names) >= 3 and len(set(names)) == len(names), names
    assert set(names) <= _sessions_in(real_cas.db)
    assert any(real_cas.address in note for note in result.notes), result.notes


# -- 2. the pieces ------------------------------------------------------------------------

WORLD = """\
set -eu
scone() {{ "$SCONE_COURSE_TOOLS/scone" "$@"; }}
M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE '[0-9a-f]{{64}}' | head -n1)
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug \\
  --mrenclave "$M" "$SCONE_CAS_ADDR" > /dev/null
printf 'name: $NS\\nversion: "0.2"\\n' > v2.yml
printf 'name: $NS\\nversion: "0.3"\\n' > v3.yml
scone session create -e NS={ns} v2.yml
scone session update -e NS={ns} v3.yml
scone session create -e NS={ns} v2.yml 2> /dev/null && exit 9
scone session read {ns} > /dev/null
"""


def test_world_ledger_history_and_reset(
    catalog: Catalog, target: CasTarget, tmp_path: Path, real_cas: CasInstance
) -> None:
    ns = f"bbworld-{tmp_path.name[-6:]}-{id(tmp_path) % 10**6}"
    backend = SconeBackend(target)
    box = backend.open(catalog, base=tmp_path / "boxes", isolation=None)
    with box:
        assert isinstance(box, BlackboxSandbox)
        assert box.address != real_cas.address  # scripts talk to the proxy
        assert not box.db.exists()  # no database of its own, none of the CAS's
        assert (box.tools / "docker").read_text().endswith('exec docker "$@"\n')
        done = subprocess.run(
            box.command(["bash", "--noprofile", "--norc", "-c", WORLD.format(ns=ns)]),
            cwd=box.workdir(ASSIGNMENT),
            env=box.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        calls = [json.loads(line) for line in box.ledger.read_text().splitlines()]
        assert [(c["argv"][1:3], c["mutated"]) for c in calls] == [
            (["cas", "attest"], False),
            (["session", "create"], True),
            (["session", "update"], True),
            (["session", "create"], False),  # "already exists": the hash did not move
            (["session", "read"], False),
        ], calls
        assert calls[1]["before"] == {ns: None} and calls[1]["after"][ns]
        assert calls[2]["before"] == calls[1]["after"] and calls[2]["after"] != calls[2]["before"]
        assert backend.mutations(box) == 2
        snapshot = backend.snapshot(box, {})
        entry = snapshot.sessions[ns]
        first, second = entry["versions"]
        assert [v["seq"] for v in entry["versions"]] == [1, 2]
        assert first["predecessor"] is None and second["predecessor"] == first["hash"]
        assert entry["current"] == second["hash"] == calls[2]["after"][ns]
        assert [v["description"]["version"] for v in entry["versions"]] == ["0.2", "0.3"]
        learner = identities_of(box)
        assert learner.get(second["creator_key_hash"]) == "<learner>", learner
        # A CAS whose REST answers carry no hash: the current hash comes from `scone
        # session verify`, the older ones from predecessors, and nothing else changes.
        config = cli_config(box.config)
        assert config is not None
        hashless = _Hashless.from_config(config, target.host, target.port)
        assert hashless is not None
        records = [json.loads(line) for line in box.ledger.read_text().splitlines()]
        blind = rest_snapshot(hashless, None, records, {}, box.hash_of)
        assert blind.sessions[ns] == entry
        text_only = rest_snapshot(hashless, None, records, {}, None).sessions[ns]
        assert text_only["current"].startswith("text:")
        assert text_only["versions"][0]["hash"] == first["hash"]
        box.reset()
        assert list(box.home.iterdir()) == [] and not box.ledger.exists()
        assert backend.mutations(box) == 0 and backend.snapshot(box, {}).sessions == {}
    assert any(ns in note for note in backend.take_notes())
    assert not box.root.exists()
    assert ns in _sessions_in(real_cas.db)


def test_checks_that_need_stand_in_internals_are_skipped_with_the_reason(
    catalog: Catalog, target: CasTarget, tmp_path: Path
) -> None:
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    manifest = course / "assignments" / ASSIGNMENT / "assignment.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8")
        + "  - id: no-secrets\n    kind: state\n    title: no secrets\n"
        "    path: secrets\n    equals: {}\n",
        encoding="utf-8",
    )
    options = GradeOptions(
        base=tmp_path / "boxes",
        cache=ReferenceCache(None),
        crash_runs=False,
        fault_runs=False,
        backend=SconeBackend(target),
    )
    result = grade(Catalog.load(course), ASSIGNMENT, SUBMISSIONS / "correct.sh", options)
    check = next(c for c in result.checks if c.id == "no-secrets")
    assert check.status == "skipped", explain(result)
    assert "secrets" in check.message and "real CAS" in check.message
    assert result.verdict == "passed", explain(result)
    probe = CheckSpec("p", "probe", "p", None, {"run": "true", "restore": True})
    assert SconeBackend(target).unsupported(probe)
    plain = CheckSpec("f", "file", "f", None, {"path": "x"})
    assert SconeBackend(target).unsupported(plain) is None


def test_backend_modules_reach_the_cas_through_public_interfaces_only() -> None:
    # No database, no CAS process of our own, no fault plan: only the free-address helper
    # of localcas.instance (a socket probe) is fair game.
    forbidden = {"sqlite3", "localcas.store", "localcas.faults", "localcas.cas"}
    forbidden |= {"localcas.instance.CasInstance", "grader.state.take_snapshot"}
    forbidden |= {"grader.world.secrets_to_redact"}
    for name in ("argv", "proxy", "rest", "scone", "shim", "snapshot", "world"):
        path = ROOT / "grader" / "backend" / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            bad = [m for m in modules if m in forbidden or m.startswith("localcas.server")]
            assert not bad, f"grader/backend/{name}.py imports {bad}"


# -- 3. command line ----------------------------------------------------------------------


def _grader(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "SCONE_GRADER_TMP": str(tmp / "boxes"),
        "SCONE_GRADER_CACHE": str(tmp / "refs"),
    }
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_cli_grade_with_backend_scone(tmp_path: Path, target: CasTarget) -> None:
    out = tmp_path / "r.json"
    done = _grader(
        "grade", "--quiet", "--course", str(COURSE), "--assignment", ASSIGNMENT,
        "--backend", "scone", "--cas-address", target.address, "--scone-cmd", target.scone_cmd,
        "--json", str(out), "--no-crash-runs", str(SUBMISSIONS / "random-name.sh"),
        tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    checks = {c["id"]: c for c in document["checks"]}
    assert checks["idempotent"]["status"] == "failed", checks["idempotent"]
    assert "scone session create" in checks["idempotent"]["message"]
    assert checks["crash-converges"]["status"] == "skipped"
    assert any("never deletes" in note for note in document["notes"]), document["notes"]
    assert "sessions created on the CAS" in done.stdout


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--backend", "scone"], "--backend scone needs --cas-address"),
        (["--cas-address", "127.0.0.9"], "--cas-address needs --backend scone"),
    ],
)
def test_cli_backend_options_that_do_not_fit_are_one_line_errors(
    tmp_path: Path, args: list[str], complaint: str
) -> None:
    script = str(SUBMISSIONS / "correct.sh")
    done = _grader(
        "grade", "--course", str(COURSE), "--assignment", ASSIGNMENT, *args, script, tmp=tmp_path
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scone-grader: {complaint}"), lines


def test_batch_with_backend_scone(tmp_path: Path, target: CasTarget) -> None:
    class_dir = tmp_path / "class"
    (class_dir / "ada" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SUBMISSIONS / "correct.sh", class_dir / "ada" / ASSIGNMENT / "solution.sh")
    out = tmp_path / "out"
    done = _grader(
        "batch", str(class_dir), "-o", str(out), "--jobs", "1", "--course", str(COURSE),
        "--backend", "scone", "--cas-address", target.address, "--scone-cmd", target.scone_cmd,
        tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as src:
        rows = list(csv.DictReader(src))
    assert [(r["student"], r[f"{ASSIGNMENT}:score"]) for r in rows] == [("ada", "1.00")], rows
    result = json.loads((out / "ada" / ASSIGNMENT / "result.json").read_text(encoding="utf-8"))
    assert any("never deletes" in note for note in result["notes"]), result["notes"]
