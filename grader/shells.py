"""Provides the shell drivers and :func:`run_script`: one script run under a pty.

Each run is spawned with pexpect on a pseudo-terminal (the course's `scone` alias once
needed a TTY, and learners' scripts may ask for one), with the sandbox's explicit
environment, a timeout, an output cap, and the whole process tree killed at the end.
The transcript is streamed to an event sink and into an asciicast with a marker per
`scone` call.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pexpect
import psutil

from grader.cast import CastWriter, redact_text
from grader.events import EventSink, OutputChunk, RunFinished, RunStarted
from grader.results import CallRecord, RunRecord
from grader.sandbox import Sandbox
from localcas.instance import live_cas_pids

__all__ = [
    "BASH",
    "DRIVERS",
    "XONSH",
    "ShellDriver",
    "become_subreaper",
    "driver_for",
    "plain_text",
    "run_script",
    "sweep_orphans",
]

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]")
_WRAPPERS = {"unshare", "sh", "scone-sandbox"}


@dataclass(frozen=True)
class ShellDriver:
    """How to run a script in one shell, non-interactively and without rc files."""

    name: str
    extension: str
    argv: Callable[[Path], list[str]]


def _xonsh() -> str:
    beside = Path(sys.executable).with_name("xonsh")
    return str(beside) if beside.exists() else "xonsh"


BASH = ShellDriver("bash", ".sh", lambda script: ["bash", "--noprofile", "--norc", str(script)])
XONSH = ShellDriver("xonsh", ".xsh", lambda script: [_xonsh(), "--no-rc", str(script)])
DRIVERS = {"bash": BASH, "xonsh": XONSH}


def driver_for(script: Path, shell: str | None) -> ShellDriver:
    """The driver named by ``shell``, else the one the file extension implies."""
    if shell is not None:
        return DRIVERS[shell]
    return XONSH if script.suffix == ".xsh" else BASH


def plain_text(raw: str) -> str:
    """Terminal output without ANSI sequences, with CRLF folded to LF."""
    return _ANSI.sub("", raw).replace("\r\n", "\n").replace("\r", "\n")


class _Tail:
    """Reads the lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self._partial = b""

    def new_lines(self) -> list[str]:
        try:
            with open(self.path, "rb") as src:
                src.seek(self.offset)
                data = src.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        data = self._partial + data
        *complete, self._partial = data.split(b"\n")
        return [line.decode(errors="replace") for line in complete if line.strip()]


def _call(record: dict[str, object]) -> CallRecord:
    return CallRecord(
        argv=[str(a) for a in record.get("argv", [])],  # type: ignore[attr-defined]
        exit_code=int(record.get("exit_code", -1)),  # type: ignore[call-overload]
        duration_s=float(record.get("duration_s", 0.0)),  # type: ignore[arg-type]
        mutated=bool(record.get("mutated", False)),
        sessions=[str(s) for s in record.get("sessions", [])],  # type: ignore[attr-defined]
    )


def _running_command(root_pid: int) -> str:
    """What the run was doing: the newest process without children below ``root_pid``."""
    try:
        tree = psutil.Process(root_pid).children(recursive=True)
    except psutil.Error:
        return "the script"
    leaves = []
    for proc in tree:
        try:
            if not proc.children() and proc.name() not in _WRAPPERS:
                leaves.append((proc.create_time(), proc.cmdline()))
        except psutil.Error:
            continue
    if not leaves:
        return "the script"
    _, cmdline = max(leaves)
    name = Path(cmdline[0]).name if cmdline else ""
    if (
        name in ("bash", "xonsh", "python", "python3")
        and len(cmdline) >= 2
        and (cmdline[-1].endswith((".sh", ".xsh")))
    ):
        return "the script itself (no command was running: is there an endless loop?)"
    text = " ".join(cmdline)
    if "localcas.cli" in text:
        text = "scone " + text.split("localcas.cli", 1)[1].strip()
    return text[:200]


def _kill_tree(pid: int) -> None:
    """SIGKILLs ``pid`` and everything below it; reaps all but ``pid`` (pexpect reaps it)."""
    try:
        root = psutil.Process(pid)
        below = root.children(recursive=True)
    except psutil.Error:
        return
    for proc in [*below, root]:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    # Short wait: in a PID namespace the kernel tears the rest down, and zombies whose
    # parent died would only be reaped by whoever inherits them.
    psutil.wait_procs(below, timeout=0.2)


_ACTIVE_RUNS: set[int] = set()
"""Process ids of the runs in progress in this process (never swept)."""


def sweep_orphans(keep: set[int]) -> list[int]:
    """Kills processes that escaped a run and were re-parented to this process.

    Without PID namespaces, a ``setsid`` child outlives its script; as a child subreaper
    (see :func:`become_subreaper`) the grader inherits such orphans and ends them here.
    """
    swept = []
    keep = keep | _ACTIVE_RUNS
    for proc in psutil.Process().children(recursive=True):
        if proc.pid in keep:
            continue
        try:
            if any(p.pid in keep for p in proc.parents()):
                continue
            proc.kill()
            swept.append(proc.pid)
        except psutil.Error:
            continue
    return swept


def become_subreaper() -> bool:
    """Makes orphaned descendants re-parent to this process (Linux prctl); True if it did."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(36, 1, 0, 0, 0)) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def run_script(
    sandbox: Sandbox,
    driver: ShellDriver,
    script: Path,
    *,
    label: str,
    cwd: Path,
    timeout: float,
    output_cap: int = 1024 * 1024,
    sink: EventSink | None = None,
    cast: Path | None = None,
    crash_on_event: bool = False,
    redact: tuple[str, ...] = (),
) -> RunRecord:
    """Runs ``script`` once in ``sandbox`` and records what happened.

    Args:
        crash_on_event: kill the run as soon as the CAS reports a crash point (the CAS
            then holds the answer of the mutating call it just committed).
        redact: secret values that must never reach the cast.
    """
    emit = sink or (lambda event: None)
    emit(RunStarted(label))
    ledger = _Tail(sandbox.ledger)
    events = _Tail(sandbox.events)
    argv = sandbox.command(driver.argv(script))
    writer = None
    if cast is not None:
        writer = CastWriter(
            cast,
            width=80,
            height=24,
            title=f"{label}: {script.name}",
            env={"SHELL": driver.name, "TERM": "xterm-256color"},
            redact=redact,
        )
    started = time.monotonic()
    child = pexpect.spawn(
        argv[0],
        argv[1:],
        env=sandbox.env(),
        cwd=str(cwd),
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(24, 80),
        echo=False,
    )
    # pexpect sleeps 0.1 s on close by default; typeshed does not know ptyproc.
    getattr(child, "ptyproc").delayafterclose = 0  # noqa: B009
    pid = child.pid
    assert pid is not None
    _ACTIVE_RUNS.add(pid)
    chunks: list[str] = []
    size = 0
    truncated = timed_out = False
    killed_at: int | None = None
    note: str | None = None
    calls: list[CallRecord] = []
    try:
        while True:
            try:
                text = child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                text = ""
            except pexpect.EOF:
                break
            now = time.monotonic() - started
            if text:
                if size < output_cap:
                    keep = text[: output_cap - size]
                    chunks.append(keep)
                    size += len(keep)
                    truncated = truncated or len(keep) < len(text)
                else:
                    truncated = True
                emit(OutputChunk(label, text))
                if writer is not None:
                    writer.output(text, at=now)
            for line in ledger.new_lines():
                call = _call(json.loads(line))
                calls.append(call)
                if writer is not None:
                    writer.marker(call.command, at=now)
            if crash_on_event and killed_at is None:
                for line in events.new_lines():
                    event = json.loads(line)
                    if event.get("event") == "crash-point":
                        killed_at = int(event.get("mutation", 0))
                if killed_at is not None:
                    note = f"killed right after mutating call {killed_at} reached the CAS"
                    _kill_tree(pid)
            if now > timeout and not timed_out:
                timed_out = True
                note = f"timed out after {timeout:g} s while running {_running_command(pid)}"
                _kill_tree(pid)
    finally:
        _kill_tree(pid)
        child.close(force=True)
        _ACTIVE_RUNS.discard(pid)
        if not sandbox.isolation.available:
            sweep_orphans(live_cas_pids())
        if writer is not None:
            writer.close()
    for line in ledger.new_lines():
        calls.append(_call(json.loads(line)))
    duration = time.monotonic() - started
    exit_code = child.exitstatus if not (timed_out or killed_at is not None) else None
    if exit_code is None and child.signalstatus is not None and note is None:
        note = f"the script was killed by signal {child.signalstatus}"
    if truncated:
        cap_note = f"output cut at {output_cap} characters"
        note = f"{note}; {cap_note}" if note else cap_note
    record = RunRecord(
        label=label,
        exit_code=exit_code,
        duration_s=duration,
        transcript=redact_text(plain_text("".join(chunks)), redact),
        cast=str(cast) if cast else None,
        calls=calls,
        timed_out=timed_out,
        killed_at_call=killed_at,
        truncated=truncated,
        note=note,
    )
    emit(RunFinished(record))
    return record
