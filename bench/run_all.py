"""Runs every benchmark, writes ``bench/results/<name>.json`` and prints a summary.

``make bench`` runs ``.venv/bin/python bench/run_all.py`` from the repository root.
Benchmarks inform, they do not gate: a missed target prints a ``TARGET MISSED`` line but
the exit code stays 0. Exit 1 means a benchmark could not run at all; 130 means Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    batch_throughput,
    cas_throughput,
    cli_startup,
    grading_overhead,
    tui_startup,
)

RESULTS = ROOT / "bench" / "results"


def _machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "nproc_usable": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def _record(name: str, outcome: dict[str, Any], quick: bool) -> dict[str, Any]:
    return {
        "benchmark": name,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "parameters": {**outcome["parameters"], "quick": quick},
        "results": outcome["results"],
        "targets": outcome["targets"],
    }


def _summary_cli(r: dict[str, Any]) -> list[str]:
    a, b = r["python_pass"], r["session_read"]
    lines = [
        f"  python -c pass      median {a['median_ms']:7.1f} ms   p90 {a['p90_ms']:7.1f} ms",
        f"  scone session read  median {b['median_ms']:7.1f} ms   p90 {b['p90_ms']:7.1f} ms",
        f"  ratio (median b / median a) {r['ratio']:.2f}   (CLI imports ~{r['cli_import_ms']} ms)",
        "  heaviest CLI imports (cumulative, not imported by `python -c pass`):",
    ]
    lines += [
        f"    {row['cumulative_ms']:6.1f} ms  {row['module']}" for row in r["importtime_top10"][:5]
    ]
    return lines


def _summary_cas(r: dict[str, Any]) -> list[str]:
    return [
        f"  {phase:<6} {p['requests']:5d} req  {p['errors']} err  {p['req_per_s']:7.1f} req/s"
        f"   p50 {p['p50_ms']:6.2f} ms   p99 {p['p99_ms']:6.2f} ms"
        for phase, p in r.items()
    ]


def _summary_grading(r: dict[str, Any]) -> list[str]:
    return [
        f"  full grade {r['grade_wall_s_median']:.2f} s, script runs"
        f" {r['script_time_s_median']:.2f} s ({r['runs_per_grading']} runs):"
        f" overhead ratio {r['ratio_median']:.2f}",
        f"  verdicts {r['verdicts']}",
    ]


def _summary_batch(r: dict[str, Any]) -> list[str]:
    return [
        f"  --jobs 1: {r['per_minute_jobs1']:.1f}/min ({r['wall_s_jobs1']:.1f} s)",
        f"  --jobs 2: {r['per_minute_jobs2']:.1f}/min ({r['wall_s_jobs2']:.1f} s)",
        f"  speed-up {r['speedup']:.2f}",
    ]


def _targets(name: str, targets: dict[str, Any]) -> tuple[list[str], int]:
    lines, missed = [], 0
    for metric, t in targets.items():
        what = f"{name} {metric} = {t['value']} (target {t['op']} {t['target']})"
        if not t["met"]:
            missed += 1
            lines.append(f"TARGET MISSED: {what}")
        elif t.get("aim") is not None and not t.get("aim_met", True):
            lines.append(f"target met, aim missed: {what}, aim {t['op']} {t['aim']}")
        else:
            lines.append(f"target met: {what}")
    return lines, missed


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # run the same clean-up as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the localcas benchmarks.")
    parser.add_argument("--quick", action="store_true", help="smoke run: few samples, 1 s")
    parser.add_argument("--samples", type=int, help="CLI samples of each command (30)")
    parser.add_argument("--duration", type=float, help="seconds per CAS phase (5)")
    parser.add_argument("--count", type=int, help="max requests per CAS phase (2000)")
    parser.add_argument(
        "--only",
        choices=[
            "cli_startup",
            "cas_throughput",
            "grading_overhead",
            "batch_throughput",
            "tui_startup",
        ],
        action="append",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)

    samples = args.samples or (5 if args.quick else 30)
    duration = args.duration or (1.0 if args.quick else 5.0)
    count = args.count or (300 if args.quick else 2000)
    benchmarks: list[tuple[str, Callable[[], dict[str, Any]], Callable[..., list[str]]]] = [
        ("cli_startup", lambda: cli_startup.run(samples=samples), _summary_cli),
        ("cas_throughput", lambda: cas_throughput.run(duration, count), _summary_cas),
        (
            "grading_overhead",
            lambda: grading_overhead.run(1 if args.quick else 3),
            _summary_grading,
        ),
        ("batch_throughput", lambda: batch_throughput.run(4 if args.quick else 10), _summary_batch),
        ("tui_startup", lambda: tui_startup.run(3 if args.quick else 10), tui_startup.summary),
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    failed, missed, verdicts = 0, 0, []
    try:
        for name, run, summarise in benchmarks:
            if args.only and name not in args.only:
                continue
            print(f"== {name}", flush=True)
            try:
                outcome = run()
            except Exception:
                failed += 1
                traceback.print_exc()
                print(f"BENCHMARK FAILED: {name}", flush=True)
                continue
            record = _record(name, outcome, args.quick)
            path = RESULTS / f"{name}.json"
            path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            print("\n".join(summarise(record["results"])))
            print(f"  -> {path.relative_to(ROOT)}", flush=True)
            lines, n = _targets(name, record["targets"])
            verdicts += lines
            missed += n
    except KeyboardInterrupt:
        print("\ninterrupted; CAS instances stopped", file=sys.stderr)
        return 130
    print("== targets")
    print("\n".join(verdicts) if verdicts else "(no results)")
    if missed:
        print(f"{missed} target(s) missed (benchmarks inform, they do not gate)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
