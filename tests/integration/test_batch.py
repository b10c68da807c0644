"""Class grading: parallel, resumable, a gradebook per check, errors never counted as fails."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "course"
SUBMISSIONS = ROOT / "tests" / "data" / "submissions" / "t1-namespace"


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as src:
        return {row["student"]: row for row in csv.DictReader(src)}


def _grader(
    *args: str, env_extra: dict[str, str] | None = None, tmp: Path
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "SCONE_GRADER_TMP": str(tmp / "boxes"),
        "LANG": "C.UTF-8",
        **(env_extra or {}),
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


@pytest.fixture(scope="module")
def graded(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("batch")
    klass = tmp / "class"
    for student, name in (
        ("alice", "correct.sh"),
        ("bob", "random-name.sh"),
        ("dora", "correct.xsh"),
    ):
        target = klass / student / "t1-namespace"
        target.mkdir(parents=True)
        shutil.copy(SUBMISSIONS / name, target / ("solution" + Path(name).suffix))
    # A submission that floods and one that crashes the shell affect only their own rows.
    (klass / "erin" / "t1-namespace").mkdir(parents=True)
    shutil.copy(SUBMISSIONS / "flood.sh", klass / "erin" / "t1-namespace" / "solution.sh")
    out = tmp / "out"
    done = _grader(
        "batch",
        "--course",
        str(COURSE),
        str(klass),
        "-o",
        str(out),
        "--jobs",
        "2",
        "--assignments",
        "t1-namespace",
        tmp=tmp,
    )
    return klass, out, done


def test_batch_writes_results_and_gradebook(
    graded: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, out, done = graded
    assert done.returncode == 0, done.stderr
    for student in ("alice", "bob", "dora", "erin"):
        result = json.loads((out / student / "t1-namespace" / "result.json").read_text())
        assert result["assignment"] == "t1-namespace"
        assert (out / student / "t1-namespace" / "result.xml").exists()
        assert list((out / student / "t1-namespace" / "casts").glob("*.cast"))
    by = _gradebook(out)
    assert by["alice"]["t1-namespace:score"] == "1.00"
    assert by["dora"]["t1-namespace:score"] == "1.00"
    assert by["bob"]["t1-namespace:idempotent"] == "0"
    assert by["bob"]["t1-namespace:run1-succeeds"] == "1"
    assert by["erin"]["t1-namespace:run1-changes-state"] == "0"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["checks"]["t1-namespace:idempotent"]["failed"] == 1
    assert summary["common_failures"][0]["examples"]
    assert "# Class summary" in (out / "summary.md").read_text()


def test_batch_is_resumable(
    graded: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    klass, out, _ = graded
    before = (out / "alice" / "t1-namespace" / "result.json").stat().st_mtime_ns
    again = _grader(
        "batch",
        "--course",
        str(COURSE),
        str(klass),
        "-o",
        str(out),
        "--jobs",
        "2",
        "--assignments",
        "t1-namespace",
        tmp=tmp_path,
    )
    assert again.returncode == 0
    assert again.stderr.count("(unchanged)") == 4
    assert (out / "alice" / "t1-namespace" / "result.json").stat().st_mtime_ns == before
    # A changed submission is graded again; the rest stay as they were.
    shutil.copy(
        SUBMISSIONS / "create-without-read.sh", klass / "alice" / "t1-namespace" / "solution.sh"
    )
    changed = _grader(
        "batch",
        "--course",
        str(COURSE),
        str(klass),
        "-o",
        str(out),
        "--assignments",
        "t1-namespace",
        tmp=tmp_path,
    )
    assert changed.stderr.count("(unchanged)") == 3
    rows = _gradebook(out)
    assert rows["alice"]["t1-namespace:run2-succeeds"] == "0"


def test_bad_class_directory_is_one_clear_line(tmp_path: Path) -> None:
    done = _grader(
        "batch",
        "--course",
        str(COURSE),
        str(tmp_path / "nope"),
        "-o",
        str(tmp_path / "out"),
        tmp=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"scone-grader: class directory {tmp_path / 'nope'} does not exist"
    ]


def test_ci_grades_the_repository_it_runs_in(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "t1-namespace").mkdir(parents=True)
    shutil.copy(SUBMISSIONS / "random-name.sh", repo / "t1-namespace" / "solution.sh")
    junit = tmp_path / "junit.xml"
    done = _grader(
        "ci", "--course", str(COURSE), "--path", str(repo), "--junit", str(junit), tmp=tmp_path
    )
    assert done.returncode == 1
    assert "idempotent" in done.stdout
    import xml.etree.ElementTree as ET

    tree = ET.parse(junit)
    assert tree.getroot().tag == "testsuites"
    assert any(tc.find("failure") is not None for tc in tree.iter("testcase"))
