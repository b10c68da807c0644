"""Provides :func:`record`: a scripted screencast of a solution, and :func:`reference_cast`.

A recording runs in a fresh grading sandbox (its own CAS on its own loopback address, the
course HOME, tools and environment). The reference solutions of the prerequisites run
first, unrecorded, exactly as the grader replays them; then the solution is typed, step
by step (see :mod:`course.recording.steps`), into an interactive shell in
``~/course/<id>``, and the cast is written:

- every value the sandbox CAS generated (and every PEM private key) is replaced by
  ``[REDACTED]``; the cast is written only at the end, when all generated values are
  known, so a secret created by the last step is hidden as well;
- the file appears whole or not at all (a temporary file in the same directory, renamed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pexpect
import psutil

from course.recording.errors import RecordError
from course.recording.steps import split_script
from course.recording.terminal import BASH_RC, XONSH_RC, Terminal
from course.recording.transcript import cast_text, normalise_transcript
from course.recording.typist import Typist
from grader import world
from grader.cast import CastWriter, read_cast
from grader.catalog import Assignment, Catalog
from grader.errors import GraderError
from grader.prerequisites import PrerequisiteFailed, replay_prerequisites, shell_for
from grader.sandbox import Sandbox
from grader.shells import driver_for

__all__ = ["RecordOptions", "Recording", "record", "reference_cast"]

RECORDER_VERSION = "1"
"""Part of the cache key of reference casts: bump it when recordings change shape."""


@dataclass(frozen=True)
class RecordOptions:
    """How to record (all optional)."""

    shell: str = "bash"
    solution: Path | None = None
    """The script to type; None: the assignment's reference solution."""
    cols: int = 100
    rows: int = 30
    idle_limit: float = 2.0
    """Players shorten pauses longer than this (seconds); stored in the cast header."""
    seed: str = "scone-course"
    """Seeds the typing rhythm (the assignment and shell are added to it)."""
    base: Path | None = None
    """Where sandboxes live (default: the grader's)."""


@dataclass(frozen=True)
class Recording:
    """What :func:`record` made."""

    cast: Path
    transcript: str
    """The normalised plain text (what ``--transcript`` writes)."""
    steps: int
    duration: float
    """Seconds of the cast (virtual time: typing rhythm plus real command time)."""


def check_output(path: Path, *, force: bool) -> None:
    """Refuses an output that exists (without ``force``) or cannot be written.

    Raises:
        RecordError: the message names the file and the fix.
    """
    if path.is_dir():
        raise RecordError(f"{path} is a directory; give a file name such as {path}/a0.cast")
    if path.exists() and not force:
        raise RecordError(f"{path} exists; pass --force to replace it")
    parent = path.parent
    if not parent.is_dir():
        raise RecordError(f"cannot write {path}: directory {parent} does not exist")
    # Try it: access(2) says yes to root even where writing fails (read-only mounts).
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as err:
        raise RecordError(f"cannot write {path}: {err.strerror}") from None
    os.close(fd)
    os.unlink(probe)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it on success, vanishes on failure."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` whole or not at all."""
    with _atomic(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def _shell_argv(sandbox: Sandbox, shell: str) -> list[str]:
    rc_dir = sandbox.root / "recorder"
    rc_dir.mkdir(exist_ok=True)
    if shell == "bash":
        rc = rc_dir / "bashrc"
        rc.write_text(BASH_RC, encoding="utf-8")
        return ["bash", "--noprofile", "--rcfile", str(rc), "--noediting", "-i"]
    rc = rc_dir / "xonshrc"
    rc.write_text(XONSH_RC, encoding="utf-8")
    xonsh = driver_for(Path("x.xsh"), "xonsh").argv(Path("-"))[0]
    return [xonsh, "--rc", str(rc), "-i", "--shell-type", "readline"]


def _kill_tree(child: pexpect.spawn[str]) -> None:
    """Ends the shell and whatever it left running (a background job, a stuck command)."""
    try:
        root = psutil.Process(child.pid)
        for process in [*root.children(recursive=True), root]:
            with suppress(psutil.Error):
                process.kill()
    except psutil.Error:
        pass
    child.close(force=True)


def demo_script(assignment: Assignment, shell: str) -> Path:
    """Where an assignment's screencast demo lives: ``screencast.sh`` / ``screencast.xsh``.

    A solution that is one command with subcommands (Section 2's) shows little when typed:
    it defines functions and runs ``create``. Its demo is what the screencast types
    instead, with the solution installed beside it as ``solution.sh`` (``.xsh``), the way
    the original course's screencasts call the script with one subcommand after another.
    """
    return assignment.directory / f"screencast{'.xsh' if shell == 'xonsh' else '.sh'}"


def _install_solution(sandbox: Sandbox, assignment: Assignment, solution: Path, shell: str) -> None:
    target = sandbox.workdir(assignment.id) / f"solution{'.xsh' if shell == 'xonsh' else '.sh'}"
    shutil.copyfile(solution, target)
    target.chmod(0o755)


def _type_solution(
    sandbox: Sandbox, assignment: Assignment, script: str, shell: str, options: RecordOptions
) -> tuple[list[tuple[float, str, str]], int]:
    steps = split_script(script, shell)
    env = sandbox.env()
    env["XONSH_SUPPRESS_WELCOME"] = "1"
    argv = sandbox.command(_shell_argv(sandbox, shell))
    child = pexpect.spawn(
        argv[0],
        argv[1:],
        env=env,
        cwd=str(sandbox.workdir(assignment.id)),
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(options.rows, options.cols),
        echo=False,
    )
    getattr(child, "ptyproc").delayafterclose = 0  # noqa: B009
    typist = Typist(f"{options.seed}:{assignment.id}:{shell}")
    terminal = Terminal(child, shell, typist, timeout=assignment.timeout)
    try:
        terminal.wait_for_prompt()
        terminal.type_steps(steps)
    except RecordError as err:
        tail = cast_text(terminal.events).strip().split("\n")[-3:]
        raise RecordError(f"{err}; last output: {' | '.join(tail)}") from None
    finally:
        _kill_tree(child)
    # The shell's first prompt opens the cast at once; a short pause ends it.
    return terminal.events, len([s for s in steps if s.lines])


def record(
    catalog: Catalog,
    assignment_id: str,
    output: Path,
    *,
    options: RecordOptions | None = None,
    transcript: Path | None = None,
    force: bool = False,
) -> Recording:
    """Records a screencast of a solution of ``assignment_id`` into ``output``.

    Raises:
        RecordError: bad input (unknown assignment, shell not offered, missing solution,
            output exists or cannot be written), or the solution failed while typed.
    """
    options = options or RecordOptions()
    try:
        assignment = catalog.get(assignment_id)
    except GraderError as err:
        raise RecordError(str(err)) from None
    if options.shell not in assignment.shells:
        raise RecordError(f"{assignment_id} is not offered in {options.shell}")
    solution = options.solution or assignment.reference(options.shell)
    if not solution.is_file():
        raise RecordError(f"no such solution: {solution}")
    check_output(output, force=force)
    if transcript is not None:
        check_output(transcript, force=force)
    demo = demo_script(assignment, options.shell)
    script = (demo if demo.is_file() else solution).read_text(encoding="utf-8")
    kind = "reference solution" if options.solution is None else solution.name
    if demo.is_file():
        kind = f"a demo of the {kind}"
    title = f"{assignment.title} ({assignment.id}, {kind}, {options.shell})"
    try:
        with Sandbox(catalog, base=options.base) as sandbox:
            replay_prerequisites(sandbox, catalog, assignment, options.shell)
            if demo.is_file():
                _install_solution(sandbox, assignment, solution, options.shell)
            before = world.secrets_to_redact(sandbox)
            events, steps = _type_solution(sandbox, assignment, script, options.shell, options)
            secrets = {*before, *world.secrets_to_redact(sandbox)}  # CastWriter adds their forms
    except PrerequisiteFailed as err:
        raise RecordError(f"{err}; run 'scone-course dev check' to see why") from None
    except GraderError as err:
        raise RecordError(f"the recording sandbox failed: {err}") from None
    with _atomic(output) as temporary:
        with CastWriter(
            temporary,
            width=options.cols,
            height=options.rows,
            title=title,
            env={
                "SHELL": "/bin/bash" if options.shell == "bash" else "xonsh",
                "TERM": "xterm-256color",
            },
            idle_time_limit=options.idle_limit,
            redact=sorted(secrets),
        ) as writer:
            for at, code, data in events:
                if code == "m":
                    writer.marker(data, at=at)
                else:
                    writer.output(data, at=at)
        _, written = read_cast(temporary)
    text = normalise_transcript(cast_text(written))
    if transcript is not None:
        write_text_atomic(transcript, text)
    duration = max((at for at, _, _ in written), default=0.0)
    return Recording(output, text, steps, duration)


def _cache_key(catalog: Catalog, assignment: Assignment, shell: str) -> str:
    digest = hashlib.sha256(f"{RECORDER_VERSION}:{shell}".encode())
    for prerequisite_id in (*assignment.prerequisites, assignment.id):
        part = catalog.get(prerequisite_id)
        path = part.reference(shell_for(part, shell))
        digest.update(path.read_bytes() if path.is_file() else b"-")
    demo = demo_script(assignment, shell)
    digest.update(demo.read_bytes() if demo.is_file() else b"-")
    return digest.hexdigest()[:16]


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/scone-course/casts`` (``~/.cache/…`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scone-course" / "casts"


def reference_cast(
    catalog: Catalog, assignment_id: str, shell: str = "bash", *, cache_dir: Path | None = None
) -> Path:
    """The reference screencast of ``assignment_id``, recorded on first use and cached.

    The cache key covers the reference solutions of the assignment and its prerequisites,
    so editing a solution records anew. Blocks while recording (seconds to a minute):
    call it from a worker thread in the TUI.

    Raises:
        RecordError: unknown assignment, shell not offered, or the recording failed.
    """
    try:
        assignment = catalog.get(assignment_id)
    except GraderError as err:
        raise RecordError(str(err)) from None
    if shell not in assignment.shells:
        raise RecordError(f"{assignment_id} is not offered in {shell}")
    directory = cache_dir or default_cache()
    directory.mkdir(parents=True, exist_ok=True)
    cast = directory / f"{assignment_id}.{shell}.{_cache_key(catalog, assignment, shell)}.cast"
    if not cast.is_file():
        record(catalog, assignment_id, cast, options=RecordOptions(shell=shell), force=True)
    return cast
