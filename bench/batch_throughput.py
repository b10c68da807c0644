"""Batch grading throughput: submissions per minute with ``--jobs 1`` and ``--jobs 2``.

A synthetic class of N students × 2 assignments of the fixture course (a mix of correct
and broken scripts) is graded twice into fresh output directories, once per job count,
with a warm reference cache, in one run so both share the machine's noise. Target: a
speed-up of at least 1.7 on 2 cores.

Run alone: ``.venv/bin/python bench/batch_throughput.py [--students N]`` (prints JSON).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grader.batch import find_submissions, grade_class  # noqa: E402
from grader.catalog import Catalog  # noqa: E402

__all__ = ["run"]

TARGET = 1.7
_MIX = ["correct.sh", "random-name.sh", "create-without-read.sh", "state-after-create.sh"]


def _class(where: Path, students: int) -> Path:
    data = ROOT / "tests" / "data"
    klass = where / "class"
    for index in range(students):
        student = klass / f"student{index:02d}"
        (student / "t0-attest").mkdir(parents=True)
        shutil.copy(
            data / "course" / "solutions" / "t0-attest" / "solution.sh",
            student / "t0-attest" / "solution.sh",
        )
        (student / "t1-namespace").mkdir()
        shutil.copy(
            data / "submissions" / "t1-namespace" / _MIX[index % len(_MIX)],
            student / "t1-namespace" / "solution.sh",
        )
    return klass


def run(students: int = 10) -> dict[str, Any]:
    """Grades the synthetic class with 1 and with 2 workers."""
    catalog = Catalog.load(ROOT / "tests" / "data" / "course")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        where = Path(tmp)
        submissions = find_submissions(_class(where, students), catalog)
        cache = where / "refs"
        grade_class(catalog, submissions[:2], where / "warm", jobs=1, cache=cache)
        rates: dict[int, float] = {}
        walls: dict[int, float] = {}
        for jobs in (1, 2):
            started = time.monotonic()
            outcomes = grade_class(
                catalog, submissions, where / f"out-{jobs}", jobs=jobs, cache=cache
            )
            walls[jobs] = time.monotonic() - started
            rates[jobs] = len(outcomes) / walls[jobs] * 60
            errors = sum(o.verdict == "error" for o in outcomes)
            if errors:
                raise RuntimeError(f"{errors} grading errors with --jobs {jobs}")
    speedup = rates[2] / rates[1]
    return {
        "parameters": {"students": students, "submissions": len(submissions)},
        "results": {
            "per_minute_jobs1": round(rates[1], 2),
            "per_minute_jobs2": round(rates[2], 2),
            "wall_s_jobs1": round(walls[1], 2),
            "wall_s_jobs2": round(walls[2], 2),
            "speedup": round(speedup, 3),
        },
        "targets": {
            "speedup": {
                "value": round(speedup, 3),
                "op": ">=",
                "target": TARGET,
                "met": speedup >= TARGET,
            }
        },
    }


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--students") + 1]) if "--students" in sys.argv else 10
    print(json.dumps(run(count), indent=2))
