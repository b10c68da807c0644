"""Provides declared ``probe`` checks: a command run in the sandbox after run 1.

A probe runs bash in the assignment's directory with the course environment and a
``scone`` function (so it needs no alias), as the learner's identity or as ``other``: a
second identity with a CLI config of its own that attests the CAS first. Probes run
isolated like the learner's script, because they may source the learner's files.

For the OTP section a probe also has ``docker`` (the course's runtime launcher) and
``solution ARGS…``: the learner's script with arguments, in the shell it is written in.
A probe with ``restore: true`` leaves no trace: the CAS and HOME are saved before it and
put back after it, so what it does (issuing QR codes, using OTPs, tampering with a
volume) cannot change what run 2 starts from.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

from grader.catalog import CheckSpec
from grader.checks import ProbeOutcome
from grader.errors import InfrastructureError
from grader.sandbox import Checkpoint, Sandbox
from grader.world import OTHER_CONFIG

__all__ = ["run_probe"]

_PRELUDE = (
    'scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }\n'
    'docker() { "$SCONE_COURSE_TOOLS/docker" "$@"; }\n'
    'solution() { if [ -f solution.xsh ]; then xonsh --no-rc solution.xsh "$@";'
    ' else bash solution.sh "$@"; fi; }\n'
)
_ATTEST = (
    'M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE "[0-9a-f]{64}" | head -n1)\n'
    "scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug"
    ' --mrenclave "$M" "$SCONE_CAS_ADDR" > /dev/null\n'
)


def run_probe(
    sandbox: Sandbox, assignment_id: str, spec: CheckSpec, timeout: float = 30
) -> ProbeOutcome:
    """Runs the probe of ``spec`` (and puts the sandbox back afterwards when it says
    ``restore: true``).

    Raises:
        InfrastructureError: the second identity could not attest, or the sandbox could
            not be put back (not the learner's fault).
    """
    if not spec.options.get("restore"):
        return _run_probe(sandbox, assignment_id, spec, timeout)
    checkpoint = sandbox.checkpoint()
    try:
        return _run_probe(sandbox, assignment_id, spec, timeout)
    finally:
        _put_back(sandbox, checkpoint)


def _put_back(sandbox: Sandbox, checkpoint: Checkpoint) -> None:
    """Restores the CAS database and HOME of ``checkpoint`` without restarting the CAS.

    SQLite's backup API writes the saved pages into the live database under its lock; the
    CAS's connection sees them at its next transaction (the CAS is idle between probes).
    A restart would cost more than half a second per probe.
    """
    try:
        source = sqlite3.connect(checkpoint.db)
        target = sqlite3.connect(sandbox.db, timeout=30)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        shutil.rmtree(sandbox.home)
        shutil.copytree(checkpoint.home, sandbox.home, symlinks=True)
    except (OSError, sqlite3.Error) as err:
        raise InfrastructureError(
            f"the sandbox could not be put back after a probe: {err}"
        ) from err


def _run_probe(
    sandbox: Sandbox, assignment_id: str, spec: CheckSpec, timeout: float
) -> ProbeOutcome:
    command = str(spec.options["run"])
    identity = str(spec.options.get("as", "learner"))
    env = sandbox.env()
    script = _PRELUDE
    if identity == "other":
        config = sandbox.root / OTHER_CONFIG
        config.parent.mkdir(parents=True, exist_ok=True)
        env["SCONE_CLI_CONFIG"] = str(config)
        setup = subprocess.run(
            sandbox.command(["bash", "--noprofile", "--norc", "-c", _PRELUDE + _ATTEST]),
            cwd=sandbox.workdir(assignment_id),
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            # No controlling terminal: a probe (or an interactive shell it starts) must never
            # take over the terminal of the grader, or of the TUI that runs it.
            start_new_session=True,
        )
        if setup.returncode != 0:
            raise InfrastructureError(f"probe identity could not attest: {setup.stderr.strip()}")
    script += command + "\n"
    try:
        done = subprocess.run(
            sandbox.command(["bash", "--noprofile", "--norc", "-c", script]),
            cwd=sandbox.workdir(assignment_id),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # see above: never the grader's terminal
        )
    except subprocess.TimeoutExpired:
        return ProbeOutcome(None, f"the probe timed out after {timeout:g} s", command, identity)
    return ProbeOutcome(done.returncode, done.stdout, command, identity)
