"""CLI start-up benchmark: a fresh ``scone session read NAME`` process vs ``python -c pass``.

Both commands run with the same interpreter (``sys.executable``) and the same environment,
interleaved in one run so they share the machine's noise. The read goes to a real CAS that
the CLI attested the documented way, and reads a session the CLI created itself (the seeded
``example_session`` belongs to the CAS operator, so a learner may not read it). Every read
sample must exit 0.

Also holds :class:`AttestedCli`, the set-up that ``cas_throughput`` shares: a CAS, a fresh
HOME, an attested CLI with a fresh identity, and one session of its own.

Run alone: ``.venv/bin/python bench/cli_startup.py [--samples N]`` (prints JSON).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from localcas.instance import CasInstance  # noqa: E402

__all__ = ["AttestedCli", "percentile", "run"]

_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")
TARGET_RATIO = 4.0
AIM_RATIO = 3.0


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


class AttestedCli:
    """A CAS on a free loopback address and a CLI (own HOME) that attested it.

    After :meth:`start`: ``cas``, ``env`` (for CLI subprocesses), ``session`` (a 0.3
    session created by this CLI's fresh identity). Always :meth:`stop` (or use ``with``).
    """

    def __init__(self) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="localcas-bench-"))
        self.home = self._tmp / "home"
        self.cas = CasInstance(self._tmp / "cas" / "cas.db")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SCONE_", "PYTHON")) or k == "PYTHONHASHSEED"
        }
        env.update(
            HOME=str(self.home),
            PYTHONPATH=str(ROOT),  # as the course launcher sets it
            LANG="C.UTF-8",
        )
        self.env = env
        self.session = f"bench-{uuid.uuid4().hex[:12]}"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Runs ``python -m localcas.cli ARGS`` in this CLI's environment."""
        done = subprocess.run(
            [sys.executable, "-m", "localcas.cli", *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        _interrupted(done.returncode)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"scone {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}"
            )
        return done

    def start(self) -> AttestedCli:
        """Starts the CAS, attests it with the MRENCLAVE from its page, creates a session."""
        self.home.mkdir(parents=True)
        self.cas.start()
        with urllib.request.urlopen(self.cas.page_url, timeout=10) as page:
            found = _HEX64.search(page.read().decode(errors="replace"))
        if found is None:
            raise RuntimeError(f"no MRENCLAVE on {self.cas.page_url}")
        self.cli(
            "cas",
            "attest",
            "-G",
            "--only_for_testing-ignore-signer",
            "--only_for_testing-debug",
            "--mrenclave",
            found.group(0),
            self.cas.address,
        )
        session_file = self.home / "session.yml"
        session_file.write_text(f'name: {self.session}\nversion: "0.3"\n', encoding="utf-8")
        digest = self.cli("session", "create", str(session_file)).stdout.strip()
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise RuntimeError(f"session create printed {digest!r}, not a hash")
        return self

    def stop(self) -> None:
        """Stops the CAS and removes the temporary files; safe to call twice."""
        try:
            self.cas.stop()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> AttestedCli:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _interrupted(code: int) -> None:
    """A child killed by the Ctrl-C (or SIGTERM) meant for us all: stop, not a failure."""
    if code in (130, -signal.SIGINT, -signal.SIGTERM):
        raise KeyboardInterrupt


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - started
    return elapsed, done.returncode, done.stdout + done.stderr


def _import_times(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, list[int]]:
    """``{module: [self_us, cumulative_us]}`` of one ``-X importtime`` run."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    found: dict[str, list[int]] = {}
    for line in done.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            found[match.group(4)] = [int(match.group(1)), int(match.group(2))]
    return found


def importtime_top(
    cli: list[str], baseline: list[str], env: dict[str, str], cwd: Path, runs: int = 5
) -> tuple[list[dict[str, Any]], float]:
    """Top 10 imports of ``cli`` by median cumulative time, leaving out what ``baseline``
    (``python -c pass``) imports anyway; also the median total import time (ms)."""
    base = set(_import_times(baseline, env, cwd))
    samples = [_import_times(cli, env, cwd) for _ in range(runs)]
    modules = {m for s in samples for m in s} - base
    rows: list[tuple[float, float, str]] = []
    for module in modules:
        cum = statistics.median(s[module][1] for s in samples if module in s)
        own = statistics.median(s[module][0] for s in samples if module in s)
        rows.append((cum / 1000, own / 1000, module))
    rows.sort(key=lambda r: -r[0])
    total = statistics.median(
        sum(v[0] for m, v in s.items() if m not in base) / 1000 for s in samples
    )
    top = [
        {"module": module, "cumulative_ms": round(cum, 2), "self_ms": round(own, 2)}
        for cum, own, module in rows[:10]
    ]
    return top, round(total, 2)


def _summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def run(samples: int = 30, warmup: int = 3) -> dict[str, Any]:
    """Runs the benchmark; returns ``{"parameters", "results", "targets"}``."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    with AttestedCli() as setup:
        env, cwd = setup.env, setup.home
        bare = [sys.executable, "-c", "pass"]
        read = [sys.executable, "-m", "localcas.cli", "session", "read", setup.session]

        def one(command: list[str]) -> float:
            elapsed, code, output = _timed(command, env, cwd)
            _interrupted(code)
            if code != 0:
                raise RuntimeError(f"{' '.join(command[1:])} exited {code}: {output.strip()}")
            if command is read and f"name: {setup.session}" not in output:
                raise RuntimeError(f"session read printed no session: {output.strip()[:200]}")
            return elapsed

        for _ in range(warmup):  # page cache, .pyc files, the CAS's first connections
            one(bare)
            one(read)
        times: dict[str, list[float]] = {"python_pass": [], "session_read": []}
        for i in range(samples):
            # Alternate a/b, and swap the order within each pair to cancel order effects.
            pair = [("python_pass", bare), ("session_read", read)]
            for key, command in pair if i % 2 == 0 else reversed(pair):
                times[key].append(one(command))
        top, import_ms = importtime_top(read, bare, env, cwd)
    a, b = _summary(times["python_pass"]), _summary(times["session_read"])
    ratio = statistics.median(times["session_read"]) / statistics.median(times["python_pass"])
    return {
        "parameters": {
            "samples": samples,
            "warmup": warmup,
            "python": sys.executable,
            "a": "python -c pass",
            "b": "python -m localcas.cli session read <own session> (attested CAS)",
        },
        "results": {
            "python_pass": a,
            "session_read": b,
            "ratio": round(ratio, 3),
            "p90_ratio": round(b["p90_ms"] / a["p90_ms"], 3),
            "overhead_ms": round(b["median_ms"] - a["median_ms"], 2),
            "cli_import_ms": import_ms,
            "importtime_top10": top,
        },
        "targets": {
            "ratio": {
                "target": TARGET_RATIO,
                "aim": AIM_RATIO,
                "value": round(ratio, 3),
                "op": "<=",
                "met": ratio <= TARGET_RATIO,
                "aim_met": ratio <= AIM_RATIO,
            }
        },
    }


def main(argv: list[str] | None = None) -> int:
    """``python bench/cli_startup.py [--samples N]``: prints the result as JSON."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30, help="samples of each (default 30)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.samples), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
