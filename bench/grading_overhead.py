"""Grading overhead: wall time of a full ``grade`` ÷ the summed wall time of its script runs.

The graded script makes ten `scone` calls (a namespace and four child sessions, each read
before it is created, plus a final read of the namespace), so that script time is
realistic. The grader measures both numbers itself (``GradeResult.duration_s`` and
``script_time_s``); the reference run is cached beforehand, as it is in normal use, and
the first grading warms the caches, so the timed ones are the median of the rest.

Run alone: ``.venv/bin/python bench/grading_overhead.py [--samples N]`` (prints JSON).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grader.catalog import Catalog  # noqa: E402
from grader.plan import GradeOptions, grade  # noqa: E402
from grader.reference import ReferenceCache  # noqa: E402

__all__ = ["run"]

TARGET, AIM = 1.5, 1.25
TEN_CALLS = r"""#!/usr/bin/env bash
# Ten scone calls, idempotent: a namespace and four sessions in it, each read first.
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
touch state.env; source state.env
if [ -z "${NS:-}" ]; then NS="bench-$RANDOM$RANDOM"; echo "export NS=$NS" > state.env; fi
ensure() {
  if ! scone session read "$1" > /dev/null 2>&1; then
    printf 'name: %s\nversion: "0.3"\n' "$1" > s.yml
    scone session create s.yml > /dev/null
  fi
}
ensure "$NS"
for child in a b c d; do ensure "$NS/$child"; done
scone session read "$NS" > /dev/null
"""


def _course(where: Path) -> Path:
    course = where / "course"
    shutil.copytree(ROOT / "tests" / "data" / "course", course)
    (course / "assignments" / "course.yaml").write_text(
        "format_version: 1\ntitle: bench\nsections:\n  - id: b\n    title: bench\n"
        "    assignments: [t0-attest, b1-ten-calls]\n",
        encoding="utf-8",
    )
    assignment = course / "assignments" / "b1-ten-calls"
    assignment.mkdir()
    (assignment / "assignment.yaml").write_text(
        "title: ten calls\nprerequisites: [t0-attest]\nfiles: [b1-ten-calls/state.env]\n"
        "shells: [bash]\n",
        encoding="utf-8",
    )
    solutions = course / "solutions" / "b1-ten-calls"
    solutions.mkdir()
    (solutions / "solution.sh").write_text(TEN_CALLS, encoding="utf-8")
    return course


def run(samples: int = 3) -> dict[str, Any]:
    """Grades the ten-call script ``samples + 1`` times; the first one warms up."""
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        where = Path(tmp)
        catalog = Catalog.load(_course(where))
        script = catalog.get("b1-ten-calls").reference("bash")
        options = GradeOptions(cache=ReferenceCache(where / "refs"), base=where / "boxes")
        ratios, totals, scripts, verdicts = [], [], [], []
        for index in range(samples + 1):
            result = grade(catalog, "b1-ten-calls", script, options)
            verdicts.append(result.verdict)
            if index == 0:
                continue
            totals.append(result.duration_s)
            scripts.append(result.script_time_s)
            ratios.append(result.duration_s / result.script_time_s)
        calls = len(result.runs[0].calls)
    ratio = statistics.median(ratios)
    return {
        "parameters": {"samples": samples, "scone_calls_in_run1": calls},
        "results": {
            "ratio_median": round(ratio, 3),
            "ratios": [round(r, 3) for r in ratios],
            "grade_wall_s_median": round(statistics.median(totals), 3),
            "script_time_s_median": round(statistics.median(scripts), 3),
            "runs_per_grading": len(result.runs),
            "verdicts": verdicts,
        },
        "targets": {
            "ratio": {
                "value": round(ratio, 3),
                "op": "<=",
                "target": TARGET,
                "met": ratio <= TARGET,
                "aim": AIM,
                "aim_met": ratio <= AIM,
            },
        },
    }


if __name__ == "__main__":
    print(
        json.dumps(
            run(int(sys.argv[sys.argv.index("--samples") + 1]) if "--samples" in sys.argv else 3),
            indent=2,
        )
    )
