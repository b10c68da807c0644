"""The `scone` shim of the black-box backend: runs the real `scone`, and writes the ledger.

A real `scone` keeps no ledger, so the black-box sandbox puts this shim where the course's
`scone` launcher lives (``$SCONE_COURSE_TOOLS/scone``). For every call it:

1. reads the command line (:func:`grader.backend.argv.parse_call`);
2. for ``session create|update``, asks the CAS over REST for the current version of each
   named session (as the call's own identity), and announces the call in flight (the
   fault proxy uses that to recognise the moment the CAS commits);
3. runs the real `scone` (the configured command line with the call's arguments appended,
   through ``sh -c``) with the script's terminal, environment and working directory;
4. asks again: the call *mutated* the CAS when a named session's version changed (when
   the versions cannot be compared, a successful upload counts as a change);
5. appends one JSON line to the ledger (the same fields the CLI stand-in writes, plus the
   versions before and after);
6. in a crash run, after the k-th mutating call, announces the crash point and waits to
   be killed with the script (it kills the script's process group itself if nobody
   does within :data:`CRASH_WAIT` seconds).

The shim's settings come from the file named by :data:`CONF_VAR`, which the launcher sets
for the shim only; the real `scone` never sees it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grader.backend.argv import Call, parse_call
from grader.backend.rest import CasRest, RestError, cli_config, fingerprint
from localcas.cli.masking import mask_argv
from localcas.launcher import write_executable

__all__ = ["CONF_VAR", "CRASH_WAIT", "main", "write_shim"]

CONF_VAR = "SCONE_GRADER_SHIM_CONF"
CRASH_WAIT = 30.0
"""Seconds the shim waits at a crash point for the grader to kill the run."""


def write_shim(tools: Path, conf: Path, python: str = sys.executable) -> Path:
    """Writes ``tools/scone``, the launcher of this shim with its settings file ``conf``."""
    import shlex

    root = Path(__file__).resolve().parents[2]
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r});"
        " from grader.backend.shim import main; sys.exit(main())"
    )
    script = (
        "#!/bin/sh\n"
        "# scone: the grader's shim around the real `scone` (black-box backend).\n"
        f"{CONF_VAR}={shlex.quote(str(conf))} exec {shlex.quote(python)} -c"
        f' {shlex.quote(code)} "$@"\n'
    )
    return write_executable(tools / "scone", script)


def _client(call: Call, env: dict[str, str], conf: dict[str, Any]) -> CasRest | None:
    """A REST client with the call's identity (a public client before the CLI made one:
    it can still tell that a session does not exist); None when the CAS is not attested."""
    config = cli_config(call.config_path(env))
    if config is None:
        return None
    if call.identity is not None:
        try:
            config = {**config, "identity": call.identity.read_text(encoding="utf-8")}
        except OSError:
            return None
    try:
        return CasRest.from_config(config, conf["host"], int(conf["port"]), call.cas)
    except (OSError, ValueError):
        return None


def _versions(client: CasRest | None, names: list[str]) -> dict[str, str | None] | None:
    if client is None:
        return None
    try:
        return {name: fingerprint(client.version(name)) for name in names}
    except RestError:
        return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _append(path: Path, record: dict[str, Any]) -> None:
    # One write on an O_APPEND descriptor: parallel calls never interleave lines.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
    finally:
        os.close(fd)


def _count_mutation(control: Path) -> tuple[int, int | None]:
    """This world's mutation number of the call just made, and the crash point if any."""
    with _locked(control / "counter.lock"):
        counter = control / "mutations"
        try:
            count = int(counter.read_text(encoding="utf-8") or 0) + 1
        except (OSError, ValueError):
            count = 1
        counter.write_text(str(count), encoding="utf-8")
    try:
        crash = json.loads((control / "crash.json").read_text(encoding="utf-8"))
        at = int(crash["at"])
    except (OSError, ValueError, KeyError, TypeError):
        at = None
    return count, at


def _crash(control: Path, mutation: int) -> None:
    _append(control / "events.jsonl", {"event": "crash-point", "mutation": mutation})
    deadline = time.monotonic() + CRASH_WAIT
    while time.monotonic() < deadline:  # the grader kills the run within ~50 ms
        time.sleep(0.05)
    os.killpg(os.getpgrp(), signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    """Runs one `scone` call through the shim; returns its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    conf_path = os.environ.pop(CONF_VAR, "")
    if not conf_path:
        sys.stderr.write(f"scone shim: {CONF_VAR} is not set; run it through tools/scone\n")
        return 2
    conf: dict[str, Any] = json.loads(Path(conf_path).read_text(encoding="utf-8"))
    control = Path(conf["control"])
    started, ts = time.perf_counter(), time.time()
    env = dict(os.environ)
    # The shim keeps the ledger; a CLI that writes one too (the stand-in) must not.
    env.pop("SCONE_COURSE_LEDGER", None)
    call = parse_call(argv, Path.cwd(), env)
    watch = call.may_mutate and call.named and bool(call.sessions)
    before = _versions(_client(call, env, conf), call.sessions) if watch else None
    inflight = control / "inflight" / f"{os.getpid()}.json"
    if before is not None:
        note = {
            "sessions": before,
            "config": str(call.config_path(env)),
            "cas": call.cas,
            "identity": None if call.identity is None else str(call.identity),
        }
        inflight.write_text(json.dumps(note), encoding="utf-8")
    try:
        command = ["/bin/sh", "-c", conf["scone_cmd"] + ' "$@"', "scone", *argv]
        code = subprocess.call(command, env=env)
    finally:
        inflight.unlink(missing_ok=True)
    code = 128 - code if code < 0 else code
    after = _versions(_client(call, env, conf), call.sessions) if before is not None else None
    if not call.may_mutate:
        mutated = False
    elif before is None or after is None:
        mutated = code == 0  # nothing to compare: a successful upload counts as a change
    else:
        mutated = before != after
    _append(
        Path(conf["ledger"]),
        {
            "ts": ts,
            "argv": ["scone", *mask_argv(argv)],
            "cwd": os.getcwd(),
            "exit_code": code,
            "duration_s": round(time.perf_counter() - started, 4),
            "mutated": mutated,
            "upload": call.may_mutate,
            "sessions": call.sessions,
            "before": before or {},
            "after": after or {},
        },
    )
    if mutated:
        count, crash_at = _count_mutation(control)
        if crash_at == count:
            _crash(control, count)
    return code
