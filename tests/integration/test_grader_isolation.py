"""The sandbox with real processes: what a learner's script can see, its environment, and
clean-up when the grader is interrupted.

A script generated here tries to read the reference solution, the other sandboxes, its
own CAS database and the CAS process, while a second grading runs at the same time in
the same sandbox base. Without namespaces none of this can be promised, so these tests
fail when :func:`grader.isolation.probe` finds no isolation, unless
``SCONE_GRADER_ALLOW_NO_ISOLATION=1`` says that is accepted on this machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from grader.cast import read_cast
from grader.catalog import Catalog
from grader.isolation import probe
from grader.plan import GradeOptions, grade
from grader.reference import ReferenceCache
from grader.results import GradeResult
from grader.shells import plain_text

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "course"
SUBMISSIONS = ROOT / "tests" / "data" / "submissions" / "t1-namespace"
SOLUTION = COURSE / "solutions" / "t1-namespace" / "solution.sh"
ASSIGNMENT = "t1-namespace"
ALLOWED_ENV = {
    "HOME",
    "PATH",
    "LANG",
    "TERM",
    "SCONE_CAS_ADDR",
    "SCONE_CAS_PAGE",
    "SCONE_COURSE_TOOLS",
    "SCONE_COURSE_LEDGER",
    "TMPDIR",  # inside the sandbox, so nothing a run writes outlives it
}
BASH_OWN_ENV = {"PWD", "SHLVL", "_", "OLDPWD"}

CORRECT_JOB = """\
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
touch state.env
source state.env
if [ -z "${NS:-}" ]; then
  NS="fixture-$RANDOM$RANDOM"
  echo "export NS=\\"$NS\\"" > state.env
fi
if ! scone session read "$NS" > session_read.yml 2>/dev/null; then
  printf 'name: $NS\\nversion: "0.3"\\n' > session.yml
  scone session create -e NS="$NS" session.yml
fi
echo OK.
"""

ATTACK = """\
#!/usr/bin/env bash
# Looks for what it must not see, says what it found, then does the job.
SOL={solution}
BASE={base}
ROOT=$(dirname "$HOME")
echo "SELF:$(basename "$ROOT")"
cat "$SOL" 2>/dev/null | sed 's/^/SOLUTION:/'
ls -A "$BASE/boxes" 2>/dev/null | sed 's/^/BOX:/'
ls -A "$ROOT/private" 2>/dev/null | sed 's/^/PRIVATE:/'
head -c 15 "$ROOT/private/cas.db" 2>/dev/null | sed 's/^/CASDB:/'; echo
ps -eo args | sed 's/^/PS:/'
ps -eo args | grep "[l]ocalcas serve" | sed 's/^/CAS:/'
for f in "$HOME"/course/*/solution.*; do
  [ "$f" = "$PWD/solution.sh" ] || {{ [ -r "$f" ] && echo "PREREQ:$f"; }}
done
echo PROBES-DONE
set -euo pipefail
"""

WAITING = """\
#!/usr/bin/env bash
# Holds its run 1 open until the test opens the gate, then does the job.
touch "$HOME/waiting"
while [ ! -e {gate} ]; do sleep 0.05; done
set -euo pipefail
"""

ENV = """\
#!/usr/bin/env bash
echo ENV-BEGIN
env | sed 's/^/ENV:/'
echo ENV-END
"""


def require_isolation() -> None:
    """Fails (never silently skips) when runs cannot be isolated on this machine."""
    isolation = probe()
    if isolation.available:
        return
    if os.environ.get("SCONE_GRADER_ALLOW_NO_ISOLATION") == "1":
        pytest.skip(f"no isolation ({isolation.reason}); SCONE_GRADER_ALLOW_NO_ISOLATION=1")
    pytest.fail(
        f"grading runs cannot be isolated here: {isolation.reason}"
        " (set SCONE_GRADER_ALLOW_NO_ISOLATION=1 to accept that)"
    )


def leftovers(base: Path) -> list[str]:
    """Whatever a grading left in its sandbox base (empty ``boxes``/``stash`` are fine)."""
    if not base.exists():
        return []
    left = [str(p) for p in base.iterdir() if p.name not in ("boxes", "stash")]
    for name in ("boxes", "stash"):
        if (base / name).exists():
            left += [str(p) for p in (base / name).iterdir()]
    return left


def tagged(transcript: str, tag: str) -> list[str]:
    """The lines of ``transcript`` that start with ``TAG:``, without the tag."""
    prefix = f"{tag}:"
    return [line[len(prefix) :] for line in transcript.splitlines() if line.startswith(prefix)]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Polls ``condition`` until it returns something truthy; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what} after {timeout} s")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(COURSE)


@pytest.fixture(scope="module")
def refs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refs")


# -- 4. what the script can see -----------------------------------------------------------


@dataclass
class Attack:
    result: GradeResult
    other: GradeResult
    base: Path
    other_box: str
    other_box_present_after: bool

    @property
    def transcript(self) -> str:
        return self.result.runs[0].transcript


@pytest.fixture(scope="module")
def attack(
    tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, refs: Path
) -> Callable[[], Attack]:
    """The attacking script graded while a second grading holds its run 1 open."""
    cached: list[Attack] = []

    def get() -> Attack:
        if cached:
            return cached[0]
        tmp = tmp_path_factory.mktemp("attack")
        base = tmp / "sandboxes"
        gate = tmp / "gate"
        attacker = tmp / "attack.sh"
        attacker.write_text(
            ATTACK.format(solution=SOLUTION, base=base) + CORRECT_JOB, encoding="utf-8"
        )
        waiter = tmp / "waiting.sh"
        waiter.write_text(WAITING.format(gate=gate) + CORRECT_JOB, encoding="utf-8")
        cache = ReferenceCache(refs)
        outcome: dict[str, Any] = {}

        def second() -> None:
            try:
                opts = GradeOptions(base=base, cache=cache, timeout=60)
                outcome["result"] = grade(catalog, ASSIGNMENT, waiter, opts)
            except BaseException as err:  # reported by the main thread
                outcome["error"] = err

        thread = threading.Thread(target=second, name="second-grading")
        thread.start()
        try:
            waiting = wait_for(
                lambda: list((base / "boxes").glob("*/home/waiting")),
                "the second grading's run 1 to start",
            )
            other_box = waiting[0].parent.parent.name
            result = grade(catalog, ASSIGNMENT, attacker, GradeOptions(base=base, cache=cache))
            present = (base / "boxes" / other_box).is_dir() and "result" not in outcome
        finally:
            gate.touch()
            thread.join(timeout=120)
        assert not thread.is_alive(), "the second grading did not finish"
        if "error" in outcome:
            raise outcome["error"]
        cached.append(Attack(result, outcome["result"], base, other_box, present))
        return cached[0]

    return get


def test_attacking_script_ran_its_probes_and_still_passes(attack: Callable[[], Attack]) -> None:
    require_isolation()
    a = attack()
    assert "PROBES-DONE" in a.transcript, a.transcript
    assert a.result.verdict == "passed", [(c.id, c.status, c.message) for c in a.result.checks]
    assert not [n for n in a.result.notes if "NOT isolated" in n], a.result.notes
    assert a.other.verdict == "passed", [(c.id, c.status) for c in a.other.checks]
    assert leftovers(a.base) == []


def test_script_cannot_read_the_reference_solution(attack: Callable[[], Attack]) -> None:
    require_isolation()
    a = attack()
    assert SOLUTION.is_file()  # it is there; the script must not see it
    assert tagged(a.transcript, "SOLUTION") == [], a.transcript


def test_script_cannot_see_other_sandboxes_while_another_grading_runs(
    attack: Callable[[], Attack],
) -> None:
    require_isolation()
    a = attack()
    assert a.other_box_present_after, "the second grading did not overlap the first"
    (me,) = tagged(a.transcript, "SELF")
    assert me != a.other_box
    boxes = tagged(a.transcript, "BOX")
    assert a.other_box not in boxes, boxes
    assert boxes == [me], boxes


def test_script_cannot_read_its_cas_database(attack: Callable[[], Attack]) -> None:
    require_isolation()
    a = attack()
    assert tagged(a.transcript, "PRIVATE") == [], a.transcript
    assert [line for line in tagged(a.transcript, "CASDB") if line.strip()] == []
    assert "SQLite format" not in a.transcript


def test_script_cannot_see_the_cas_process(attack: Callable[[], Attack]) -> None:
    require_isolation()
    a = attack()
    listing = tagged(a.transcript, "PS")
    assert any("solution.sh" in line for line in listing), listing  # ps did work
    assert tagged(a.transcript, "CAS") == [], a.transcript
    assert not [line for line in listing if "localcas" in line], listing


def test_script_cannot_read_prerequisite_reference_solutions(
    attack: Callable[[], Attack],
) -> None:
    require_isolation()
    a = attack()
    assert tagged(a.transcript, "PREREQ") == [], (
        "the reference solution of a prerequisite is readable in the sandbox"
    )


def test_relative_course_path_still_hides_the_reference_solution(
    tmp_path: Path, refs: Path
) -> None:
    """The CLI as documented: ``--course tests/data/course`` from the repository root."""
    require_isolation()
    base = tmp_path / "sandboxes"
    script = tmp_path / "attack.sh"
    script.write_text(ATTACK.format(solution=SOLUTION, base=base) + CORRECT_JOB, "utf-8")
    casts = tmp_path / "casts"
    env = {**os.environ, "SCONE_GRADER_TMP": str(base), "SCONE_GRADER_CACHE": str(refs)}
    argv = [sys.executable, "-m", "grader", "grade", "--quiet", "--no-crash-runs"]
    argv += ["--no-fault-runs", "--course", os.path.relpath(COURSE, ROOT)]
    argv += ["--assignment", ASSIGNMENT, "--casts", str(casts), str(script)]
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    _, events = read_cast(casts / "run1.cast")
    transcript = plain_text("".join(data for _, code, data in events if code == "o"))
    assert "PROBES-DONE" in transcript
    assert tagged(transcript, "SOLUTION") == [], "reference solution readable via --course REL"
    assert leftovers(base) == []


# -- 6. the environment -------------------------------------------------------------------


def test_environment_is_explicit_and_nothing_leaks(
    tmp_path: Path, catalog: Catalog, refs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = f"leak-{uuid.uuid4().hex}"
    monkeypatch.setenv("SCONE_TEST_LEAK_MARKER", marker)
    base = tmp_path / "sandboxes"
    monkeypatch.setenv("SCONE_GRADER_TMP", str(base))
    script = tmp_path / "env.sh"
    script.write_text(ENV, encoding="utf-8")
    options = GradeOptions(base=base, cache=ReferenceCache(refs), crash_runs=False)
    result = grade(catalog, ASSIGNMENT, script, options)
    transcript = result.runs[0].transcript
    assert "ENV-END" in transcript, transcript
    values = dict(line.split("=", 1) for line in tagged(transcript, "ENV") if "=" in line)
    names = set(values) | {line for line in tagged(transcript, "ENV") if "=" not in line}
    assert names >= ALLOWED_ENV, sorted(names)
    assert names - ALLOWED_ENV - BASH_OWN_ENV == set(), sorted(names)
    assert marker not in transcript
    assert values["HOME"].startswith(str(base / "boxes")), values["HOME"]
    assert values["SCONE_COURSE_LEDGER"].startswith(str(base / "boxes"))
    assert values["TMPDIR"].startswith(str(base / "boxes")), values["TMPDIR"]
    assert leftovers(base) == []


# -- 5. clean-up when the grader is interrupted -------------------------------------------


def _default_sigint() -> None:
    # A runner started in the background may ignore SIGINT; the CLI must not inherit that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_grading_leaves_nothing_behind(
    tmp_path: Path, refs: Path, signum: signal.Signals
) -> None:
    base = tmp_path / "sandboxes"
    env = {**os.environ, "SCONE_GRADER_TMP": str(base), "SCONE_GRADER_CACHE": str(refs)}
    argv = [sys.executable, "-m", "grader", "grade", "--quiet", "--course", str(COURSE)]
    argv += ["--assignment", ASSIGNMENT, str(SUBMISSIONS / "hang.sh")]
    with open(tmp_path / "stdout", "wb") as out, open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=_default_sigint,
        )
    seen: dict[int, str] = {}
    try:
        grader = psutil.Process(proc.pid)

        def running() -> tuple[int, int] | None:
            sleep = cas = None
            for child in grader.children(recursive=True):
                try:
                    cmdline = child.cmdline()
                except psutil.Error:
                    continue
                seen[child.pid] = " ".join(cmdline)
                if cmdline == ["sleep", "1000"]:
                    sleep = child.pid
                elif "localcas serve" in seen[child.pid]:
                    cas = child.pid
            boxes = list((base / "boxes").iterdir()) if (base / "boxes").exists() else []
            return (sleep, cas) if sleep and cas and boxes else None

        sleep_pid, cas_pid = wait_for(running, "the run of hang.sh to start")
        proc.send_signal(signum)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the grader did not exit within 10 s of {signum.name}")
        stderr = (tmp_path / "stderr").read_text(errors="replace")
        assert code == 130, stderr
        assert not alive(sleep_pid), "`sleep 1000` outlived the grader"
        assert not alive(cas_pid), "the sandbox CAS outlived the grader"
        survivors = []
        for other in psutil.process_iter(["cmdline"]):
            line = " ".join(other.info["cmdline"] or [])
            if "localcas serve" in line and str(base) in line:
                survivors.append(line)
        assert survivors == []
        assert leftovers(base) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid, cmdline in seen.items():  # only processes this test's grader started
            try:
                stray = psutil.Process(pid)
                if " ".join(stray.cmdline()) == cmdline:
                    stray.kill()
            except psutil.Error:
                pass
