"""The grader end to end with real processes: verdicts, result contract, asciicasts.

Every grading gets a private sandbox base (so a test can prove that nothing is left in
it) and the module shares one private reference cache (the reference run is the same for
every submission). Gradings are slow (seconds), so each one runs once per module and its
result is reused by several tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from grader.cast import read_cast
from grader.catalog import Catalog
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from grader.results import CheckResult, GradeResult, RunRecord

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "course"
SUBMISSIONS = ROOT / "tests" / "data" / "submissions" / "t1-namespace"
ASSIGNMENT = "t1-namespace"
GENERIC = (
    "run1-succeeds",
    "run1-changes-state",
    "run2-succeeds",
    "idempotent",
    "matches-reference",
    "crash-converges",
    "transient-fault-converges",
)
DECLARED = ("state-defines-ns", "other-cannot-read")
PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


# -- helpers ------------------------------------------------------------------------------


def leftovers(base: Path) -> list[str]:
    """Whatever a grading left in its sandbox base (empty ``boxes``/``stash`` are fine)."""
    if not base.exists():
        return []
    left = [str(p) for p in base.iterdir() if p.name not in ("boxes", "stash")]
    for name in ("boxes", "stash"):
        if (base / name).exists():
            left += [str(p) for p in (base / name).iterdir()]
    return left


@dataclass
class Graded:
    """One finished grading and the sandbox base it used."""

    result: GradeResult
    base: Path

    def check(self, check_id: str) -> CheckResult:
        found = [c for c in self.result.checks if c.id == check_id]
        assert len(found) == 1, f"{check_id}: {[c.id for c in self.result.checks]}"
        return found[0]

    def run(self, label: str) -> RunRecord:
        found = [r for r in self.result.runs if r.label == label]
        assert len(found) == 1, f"{label}: {[r.label for r in self.result.runs]}"
        return found[0]

    def statuses(self) -> dict[str, str]:
        return {c.id: c.status for c in self.result.checks}


def cli(
    *args: str | Path, base: Path, refs: Path, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m grader grade --quiet --course COURSE --assignment t1-namespace ARGS``."""
    env = {**os.environ, "SCONE_GRADER_TMP": str(base), "SCONE_GRADER_CACHE": str(refs)}
    argv = [sys.executable, "-m", "grader", "grade", "--quiet", "--course", str(COURSE)]
    if "--assignment" not in args:
        argv += ["--assignment", ASSIGNMENT]
    return subprocess.run(
        [*argv, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def sleepers(argv: list[str], base: Path) -> list[psutil.Process]:
    """Live processes running exactly ``argv`` whose HOME lies in the sandbox ``base``
    (so processes of anyone else are never touched)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["cmdline"] != argv or proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            home = proc.environ().get("HOME", "")
        except psutil.Error:
            continue
        if home.startswith(str(base)):
            found.append(proc)
    return found


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(COURSE)


@pytest.fixture(scope="module")
def refs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refs")


@pytest.fixture(scope="module")
def graded(
    tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, refs: Path
) -> Callable[..., Graded]:
    """Grades a fixture submission in-process, once per module."""
    done: dict[str, Graded] = {}

    def get(name: str, **options: Any) -> Graded:
        if name not in done:
            base = tmp_path_factory.mktemp(name.replace(".", "-")) / "sandboxes"
            opts = GradeOptions(base=base, cache=ReferenceCache(refs), **options)
            done[name] = Graded(grade(catalog, ASSIGNMENT, SUBMISSIONS / name, opts), base)
        return done[name]

    return get


@dataclass
class CliRun:
    done: subprocess.CompletedProcess[str]
    base: Path
    json_path: Path
    junit_path: Path
    casts: Path

    @property
    def document(self) -> dict[str, Any]:
        assert self.json_path.exists(), f"no JSON written; stderr: {self.done.stderr}"
        doc: dict[str, Any] = json.loads(self.json_path.read_text(encoding="utf-8"))
        return doc


def _cli_grade(tmp: Path, refs: Path, script: Path) -> CliRun:
    base, json_path, junit_path, casts = (
        tmp / "sandboxes",
        tmp / "result.json",
        tmp / "junit.xml",
        tmp / "casts",
    )
    args = ("--json", json_path, "--junit", junit_path, "--casts", casts, script)
    return CliRun(cli(*args, base=base, refs=refs), base, json_path, junit_path, casts)


@pytest.fixture(scope="module")
def cli_correct(tmp_path_factory: pytest.TempPathFactory, refs: Path) -> CliRun:
    return _cli_grade(tmp_path_factory.mktemp("cli-correct"), refs, SUBMISSIONS / "correct.sh")


@pytest.fixture(scope="module")
def cli_random(tmp_path_factory: pytest.TempPathFactory, refs: Path) -> CliRun:
    return _cli_grade(tmp_path_factory.mktemp("cli-random"), refs, SUBMISSIONS / "random-name.sh")


# -- 1. verdicts --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["correct.sh", "correct.xsh"])
def test_correct_submission_passes_every_check(graded: Callable[..., Graded], name: str) -> None:
    g = graded(name)
    assert g.result.error is None
    assert g.result.shell == ("xonsh" if name.endswith(".xsh") else "bash")
    statuses = g.statuses()
    assert set(statuses) == {*GENERIC, *DECLARED}, statuses
    assert set(statuses.values()) == {"passed"}, statuses
    assert g.result.verdict == "passed" and g.result.score == 1.0
    assert leftovers(g.base) == []


def test_random_name_fails_idempotent_and_diff_shows_second_namespace(
    cli_random: CliRun,
) -> None:
    doc = cli_random.document
    checks = {c["id"]: c for c in doc["checks"]}
    assert checks["run1-succeeds"]["status"] == "passed"
    assert checks["run2-succeeds"]["status"] == "passed"
    idem = checks["idempotent"]
    assert idem["status"] == "failed", idem
    assert "sessions.<NS2>" in (idem["diff"] or ""), idem["diff"]
    assert "scone session create" in idem["message"], idem["message"]
    assert doc["verdict"] == "failed"
    assert leftovers(cli_random.base) == []


def test_create_without_read_fails_run2(graded: Callable[..., Graded]) -> None:
    g = graded("create-without-read.sh")
    assert g.check("run1-succeeds").status == "passed"
    run2 = g.check("run2-succeeds")
    assert run2.status == "failed", run2
    assert "already exists" in f"{run2.message}\n{run2.excerpt}", run2
    assert g.result.verdict == "failed"
    assert leftovers(g.base) == []


def test_state_after_create_is_idempotent_but_does_not_converge_after_a_crash(
    graded: Callable[..., Graded],
) -> None:
    g = graded("state-after-create.sh")
    assert g.check("run2-succeeds").status == "passed"
    assert g.check("idempotent").status == "passed", g.check("idempotent")
    crash = g.check("crash-converges")
    assert crash.status == "failed", crash
    assert "crash after mutating call 1" in crash.message, crash.message
    assert "`scone session create" in crash.message, crash.message
    assert "<NS2>" in (crash.diff or ""), crash.diff
    assert crash.hint
    assert leftovers(g.base) == []


def test_hanging_script_times_out_and_dependent_checks_are_skipped(
    graded: Callable[..., Graded],
) -> None:
    g = graded("hang.sh", timeout=3)
    first = g.check("run1-succeeds")
    assert first.status == "failed", first
    assert "timed out after 3 s while running sleep 1000" in first.message, first.message
    run1 = g.run("run1")
    assert run1.timed_out and run1.exit_code is None
    assert "waiting for Godot" in run1.transcript
    others = [c for c in g.result.checks if c.id != "run1-succeeds"]
    assert {c.id for c in others} == {*GENERIC[1:], *DECLARED}
    for check in others:
        assert check.status == "skipped", check
        assert "run 1" in check.message, check
    assert [r.label for r in g.result.runs] == ["run1"]
    assert g.result.verdict == "failed"
    assert leftovers(g.base) == []


def test_flooding_script_is_truncated_at_the_cap(
    graded: Callable[..., Graded], catalog: Catalog
) -> None:
    cap = catalog.get(ASSIGNMENT).output_cap
    g = graded("flood.sh")
    run1 = g.run("run1")
    assert run1.truncated, run1.note
    assert cap // 2 < len(run1.transcript) <= cap
    assert run1.note and "cut" in run1.note
    assert "all work and no play" in run1.transcript
    assert leftovers(g.base) == []


def test_background_process_does_not_survive_grading(graded: Callable[..., Graded]) -> None:
    g = graded("background.sh")
    survivors = sleepers(["sleep", "6543"], g.base)
    for proc in survivors:  # started by this grading (HOME in its sandbox base)
        proc.kill()
    assert survivors == [], "the setsid background process outlived the grading"
    assert g.result.verdict == "passed", g.statuses()
    assert leftovers(g.base) == []


# -- 2. result contract -------------------------------------------------------------------


def test_cli_json_has_the_contract_keys(cli_correct: CliRun) -> None:
    assert cli_correct.done.returncode == 0, cli_correct.done.stdout + cli_correct.done.stderr
    doc = cli_correct.document
    assert {"assignment", "shell", "verdict", "score", "checks", "runs"} <= set(doc)
    assert doc["assignment"] == ASSIGNMENT and doc["shell"] == "bash"
    assert doc["verdict"] == "passed" and doc["score"] == 1
    check_keys = {"id", "title", "status", "message", "expected", "actual", "diff", "hint"}
    assert [c["id"] for c in doc["checks"]].count("idempotent") == 1
    assert {c["id"] for c in doc["checks"]} == {*GENERIC, *DECLARED}
    for check in doc["checks"]:
        assert check_keys <= set(check), check
        assert check["status"] in ("passed", "failed", "error", "skipped")
    run_keys = {"label", "exit_code", "duration_s", "cast", "calls"}
    assert doc["runs"] and doc["runs"][0]["label"] == "run1"
    for run in doc["runs"]:
        assert run_keys <= set(run), run
        assert isinstance(run["duration_s"], int | float) and run["duration_s"] >= 0
        assert isinstance(run["calls"], list)
    assert doc["runs"][0]["exit_code"] == 0 and doc["runs"][0]["calls"]
    assert leftovers(cli_correct.base) == []


def test_cli_junit_has_one_testcase_per_check(cli_correct: CliRun) -> None:
    root = ET.parse(cli_correct.junit_path).getroot()
    cases = root.findall(".//testcase")
    ids = [c["id"] for c in cli_correct.document["checks"]]
    assert sorted(c.get("name") or "" for c in cases) == sorted(ids)
    assert not root.findall(".//failure") and not root.findall(".//error")


def test_cli_exit_code_1_for_a_failed_submission(cli_random: CliRun) -> None:
    assert cli_random.done.returncode == 1, cli_random.done.stderr
    assert cli_random.document["verdict"] == "failed"
    root = ET.parse(cli_random.junit_path).getroot()
    failed = [c.get("name") for c in root.findall(".//testcase") if c.find("failure") is not None]
    assert "idempotent" in failed


def test_cli_exit_code_2_for_an_unknown_assignment(tmp_path: Path) -> None:
    base = tmp_path / "sandboxes"
    done = cli(
        "--assignment",
        "t9-nope",
        SUBMISSIONS / "correct.sh",
        base=base,
        refs=tmp_path / "refs",
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "t9-nope" in lines[0] and "t0-attest" in lines[0] and "t1-namespace" in lines[0]
    assert leftovers(base) == []


def test_cli_exit_code_2_for_a_missing_script(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-solution.sh"
    done = cli(missing, base=tmp_path / "sandboxes", refs=tmp_path / "refs")
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(missing) in done.stderr and "Traceback" not in done.stderr
    assert leftovers(tmp_path / "sandboxes") == []


# -- 3. casts -----------------------------------------------------------------------------


def test_casts_one_valid_asciicast_per_run(cli_correct: CliRun) -> None:
    runs = cli_correct.document["runs"]
    files = sorted(p.name for p in cli_correct.casts.iterdir())
    assert files == sorted(f"{r['label']}.cast" for r in runs)
    for run in runs:
        assert (
            run["cast"]
            and Path(run["cast"]).resolve()
            == (cli_correct.casts / f"{run['label']}.cast").resolve()
        )
        header, events = read_cast(run["cast"])
        assert header["version"] == 2 and header["width"] > 0 and header["height"] > 0
        times = [t for t, _, _ in events]
        assert times == sorted(times), run["label"]
        assert all(code in ("o", "i", "m") for _, code, _ in events)
    run1 = runs[0]
    _, events = read_cast(run1["cast"])
    markers = [data for _, code, data in events if code == "m"]
    commands = [" ".join(c["argv"]) for c in run1["calls"]]
    assert len(commands) >= 2, commands  # read, then create
    assert len(markers) >= len(commands), (markers, commands)
    for command in commands:
        assert command in markers, (command, markers)


LEAKY = """\
#!/usr/bin/env bash
# Does the job, then prints the learner identity (raw PEM and JSON-escaped);
# its second run fails on purpose so that reports quote the output.
set -euo pipefail
scone() {{ "$SCONE_COURSE_TOOLS/scone" "$@"; }}
again=0; [ -s state.env ] && again=1
touch state.env; source state.env
if [ -z "${{NS:-}}" ]; then NS="fixture-$RANDOM$RANDOM"; echo "export NS=\\"$NS\\"" > state.env; fi
if ! scone session read "$NS" > /dev/null 2>&1; then
  printf 'name: $NS\\nversion: "0.3"\\n' > session.yml
  scone session create -e NS="$NS" session.yml
fi
cp ~/.cas/config.json {stolen}
echo "identity follows"
jq .identity ~/.cas/config.json
jq -r .identity ~/.cas/config.json
jq -r .identity ~/.cas/config.json | sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/p'
[ "$again" = 0 ]
"""


@pytest.fixture(scope="module")
def cli_leaky(tmp_path_factory: pytest.TempPathFactory, refs: Path) -> tuple[CliRun, Path]:
    tmp = tmp_path_factory.mktemp("cli-leaky")
    stolen = tmp / "stolen-config.json"
    script = tmp / "leaky.sh"
    script.write_text(LEAKY.format(stolen=stolen), encoding="utf-8")
    return _cli_grade(tmp, refs, script), stolen


def test_no_private_key_in_casts_or_json(cli_leaky: tuple[CliRun, Path]) -> None:
    run, stolen = cli_leaky
    assert run.done.returncode == 1, run.done.stderr
    identity = json.loads(stolen.read_text(encoding="utf-8"))["identity"]
    key = re.search(r"-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", identity, re.S)
    assert key, "the learner identity holds no private key"
    key_lines = [line for line in key.group(1).split() if len(line) >= 16]
    assert key_lines
    casts = sorted(run.casts.glob("*.cast"))
    assert casts
    for path in [*casts, run.json_path]:
        text = path.read_text(encoding="utf-8")
        assert not PEM_PRIVATE.search(text), path.name
        leaked = [line for line in key_lines if line in text]
        assert not leaked, f"{path.name} holds the learner's private key text"
    # The script did print it: the cast shows the identity's certificate and a redaction.
    run1 = (run.casts / "run1.cast").read_text(encoding="utf-8")
    assert "identity follows" in run1 and "BEGIN CERTIFICATE" in run1 and "[REDACTED]" in run1
    checks = {c["id"]: c for c in run.document["checks"]}
    assert checks["run2-succeeds"]["status"] == "failed"
    assert "[REDACTED]" in (checks["run2-succeeds"]["excerpt"] or "")


def test_a_failing_prerequisite_is_an_error_never_the_learners_failure(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    broken = "#!/usr/bin/env bash\necho 'prerequisite broke on purpose'\nexit 3\n"
    for name in ("solution.sh", "solution.xsh"):
        (course / "solutions" / "t0-attest" / name).write_text(broken, encoding="utf-8")
    options = GradeOptions(
        base=tmp_path / "sandboxes", cache=ReferenceCache(tmp_path / "refs"), crash_runs=False
    )
    result = grade(Catalog.load(course), ASSIGNMENT, SUBMISSIONS / "correct.sh", options)
    assert result.verdict == "error", result.verdict
    assert result.error is not None
    assert "prerequisite t0-attest failed" in result.error
    assert "prerequisite broke on purpose" in result.error
    assert "not your fault" in result.error
    assert not [c for c in result.checks if c.status == "failed"], "nothing charged to the learner"
    assert leftovers(tmp_path / "sandboxes") == []
