"""TUI start-up benchmark: from process start to the first paint of the course screen.

Each sample spawns ``python -m course.cli --workspace W`` (what ``scone-course`` runs) in
a pseudo-terminal of 80×24 and waits until the screen shows the sidebar's progress line,
drawn in the same frame as the lesson. The first sample meets a fresh workspace (starters
copied, the workspace CAS started in the background); later ones reuse it, as a learner
who comes back does. Every sample then quits with ctrl+q and must exit 0. The workspace
CAS is stopped and the workspace removed at the end, also after a failure.

Run alone: ``.venv/bin/python bench/tui_startup.py [--samples N] [--course DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pexpect  # noqa: E402

from course.workspace import Workspace  # noqa: E402

__all__ = ["TARGET_S", "run", "summary"]

TARGET_S = 1.0
"""Median seconds from process start to first paint that the issue asks for."""
_MARKER = "Progress:"
_TIMEOUT = 30.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _sample(workspace: Path, course: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCONE_", "TEXTUAL", "PYTHON"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", SCONE_COURSE_ROOT=str(course))
    argv = ["-m", "course.cli", "--workspace", str(workspace)]
    started = time.monotonic()
    child = pexpect.spawn(
        sys.executable, argv, cwd=str(ROOT), env=env, dimensions=(24, 80), encoding="utf-8"
    )
    try:
        child.expect_exact(_MARKER, timeout=_TIMEOUT)
        painted = time.monotonic() - started
        child.sendcontrol("q")
        child.expect(pexpect.EOF, timeout=_TIMEOUT)
    finally:
        child.close(force=True)
    if child.exitstatus != 0:
        raise RuntimeError(f"scone-course exited {child.exitstatus} (signal {child.signalstatus})")
    return painted


def run(samples: int = 10, course: Path = ROOT) -> dict[str, Any]:
    """Runs the benchmark; returns ``{"parameters", "results", "targets"}``."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="scone-tui-bench-"))
    workspace = tmp / "workspace"
    try:
        times = [_sample(workspace, course) for _ in range(samples)]
    finally:
        Workspace(workspace).stop_cas()
        shutil.rmtree(tmp, ignore_errors=True)
    median = statistics.median(times)
    warm = times[1:] or times
    return {
        "parameters": {"samples": samples, "terminal": "80x24", "course": str(course)},
        "results": {
            "first_paint_s_median": round(median, 3),
            "first_paint_s_p90": round(_percentile(times, 90), 3),
            "first_paint_s_cold": round(times[0], 3),
            "first_paint_s_warm_median": round(statistics.median(warm), 3),
            "samples_s": [round(t, 3) for t in times],
        },
        "targets": {
            "first_paint_s_median": {
                "value": round(median, 3),
                "op": "<=",
                "target": TARGET_S,
                "met": median <= TARGET_S,
            },
        },
    }


def summary(results: dict[str, Any]) -> list[str]:
    """The lines ``bench/run_all.py`` prints for this benchmark."""
    return [
        f"  first paint median {results['first_paint_s_median']:.3f} s"
        f"   p90 {results['first_paint_s_p90']:.3f} s"
        f"   cold {results['first_paint_s_cold']:.3f} s"
        f"   warm median {results['first_paint_s_warm_median']:.3f} s",
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--course", type=Path, default=ROOT, help="course directory")
    options = parser.parse_args()
    print(json.dumps(run(options.samples, options.course), indent=2))
