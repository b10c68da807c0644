"""Provides :func:`launch`: ``docker run`` of a course image on the emulated runtime.

Without ``SCONE_CONFIG_ID`` the program runs as a plain container would: with the ``-e``
variables and the ``-w`` directory. With it, the runtime first asks CAS for the service's
configuration (CAS checks the OTP and the MRENCLAVE), then gives the program only what
the policy defines — command arguments, environment, working directory — and mounts the
policy's volumes through the file shield. ``-e SCONE_HASH=1`` prints the program's
MRENCLAVE and stops. Failures print SCONE's ``[SCONE|FATAL]`` shape on stderr and exit
with 134, the status of a process ended by SIGABRT, as SCONE's runtime is.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from localcas.runtime import RuntimeFailure
from localcas.runtime.container import Container
from localcas.runtime.docker_args import DockerUsageError, RunRequest, parse_run
from localcas.runtime.enclave_client import ENCLAVE_PORT, EnclaveApiError, post
from localcas.runtime.images import find_image, mrenclave_of
from localcas.runtime.shield import OpenVolume, ShieldError, VolumeSpec, commit, open_volume

__all__ = ["launch"]

_INIT = "[SCONE|FATAL] src/process/init.c:476:__scone_prepare_secure_config(): "
_ABORT = (
    "[SCONE|ERROR] tools/starter/signal.c:70:die_by_signal(): Enclave terminated due to"
    " signal: Aborted"
)


def _fatal(what: str, causes: list[str], cas: str, config_id: str) -> RuntimeFailure:
    lines = [_INIT + f"Could not initialize enclave state: {what}"]
    for index, cause in enumerate(causes):
        prefix = (
            "CAS sent an attestation/configuration error: "
            if index == 0 and what == "Attestation failed"
            else ""
        )
        lines.append(f"  Caused by: {prefix}{cause}")
    lines.append(
        f"Note: Connecting to CAS at {cas} (port {ENCLAVE_PORT}) using service ID {config_id}"
    )
    lines.append(_ABORT)
    return RuntimeFailure(lines)


class _Run:
    """One program run: its container, configuration and volumes."""

    def __init__(self, request: RunRequest, scratch: Path) -> None:
        self.request = request
        self.container = Container(scratch / "rootfs", list(request.mounts), request.workdir or "/")
        self.config_id = request.env.get("SCONE_CONFIG_ID", "")
        self.cas = request.env.get("SCONE_CAS_ADDR", "cas")
        self.volumes: list[OpenVolume] = []
        self.staging = scratch / "shield"

    def configure(self, program: str) -> tuple[dict[str, str], list[str]]:
        """The program's environment and arguments (from CAS when confidential)."""
        if not self.config_id:
            env = {k: v for k, v in self.request.env.items() if not k.startswith("SCONE_")}
            return env, self.request.command[1:]
        try:
            config = post(
                self.cas,
                "/v1/enclave/config",
                {"config_id": self.config_id, "mrenclave": mrenclave_of(program)},
            )
        except EnclaveApiError as err:
            causes = (
                err.messages
                if err.status
                else ["Failed to retrieve service attestation configuration", *err.messages]
            )
            raise _fatal("Attestation failed", causes, self.cas, self.config_id) from err
        self.container.cwd = str(config.get("pwd") or "/")
        for index, volume in enumerate(config.get("volumes", [])):
            self._mount(index, volume)
        command = [str(c) for c in config.get("command", [])]
        env = {str(k): str(v) for k, v in (config.get("environment") or {}).items()}
        return env, command[1:]

    def _mount(self, index: int, volume: Mapping[str, Any]) -> None:
        spec = VolumeSpec(
            path=str(volume["path"]),
            owner=str(volume["owner"]),
            name=str(volume["name"]),
            key=bytes.fromhex(str(volume["key"])),
            tag=volume.get("tag"),
        )
        directory = self.container.host(spec.path, shield=False)
        staging = self.staging / str(index)
        staging.mkdir(parents=True)
        try:
            opened = open_volume(spec, directory, staging)
        except ShieldError as err:
            raise _fatal(
                "Volume initialization failed", [str(err)], self.cas, self.config_id
            ) from err
        self.volumes.append(opened)
        self.container.overlays.append((str(staging), spec.path))

    def seal(self) -> None:
        """Commits every volume the program changed (and initialises new ones)."""
        for opened in self.volumes:
            spec = opened.spec

            def report(old: str | None, new: str, spec: VolumeSpec = spec) -> None:
                post(
                    self.cas,
                    "/v1/enclave/volume-tag",
                    {"session": spec.owner, "volume": spec.name, "old": old, "new": new},
                )

            try:
                commit(opened, report)
            except EnclaveApiError as err:
                raise _fatal(
                    "Volume update failed", err.messages, self.cas, self.config_id
                ) from err


def _docker_error(message: str, code: int, stderr: TextIO) -> int:
    stderr.write(f"docker: {message}.\nSee 'docker run --help'.\n")
    return code


def launch(
    argv: list[str],
    caller_env: Mapping[str, str],
    *,
    stderr: TextIO = sys.stderr,
    stdout: TextIO = sys.stdout,
) -> int:
    """Runs ``docker ARGV``; the exit status."""
    try:
        request = parse_run(argv, caller_env)
    except DockerUsageError as err:
        return _docker_error(str(err), 125, stderr)
    image = find_image(request.image)
    if image is None:
        return _docker_error(
            f"Unable to find image '{request.image}' (the course provides: otpqr:scone)",
            125,
            stderr,
        )
    if not request.command:
        return _docker_error("Error response from daemon: No command specified", 125, stderr)
    program = request.command[0]
    module_name = image.programs.get(program)
    if module_name is None:
        known = ", ".join(sorted(image.programs))
        return _docker_error(
            f'exec: "{program}": executable file not found in image {image.name} (it has {known})',
            127,
            stderr,
        )
    if request.env.get("SCONE_HASH") == "1":
        stdout.write(mrenclave_of(program) + "\n")
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="scone-container-"))
    try:
        run = _Run(request, scratch)
        env, args = run.configure(program)
        module = importlib.import_module(module_name)
        status = int(module.main(env, args, run.container))
        run.seal()
        return status
    except RuntimeFailure as failure:
        stderr.write("\n".join(failure.lines) + "\n")
        return failure.exit_code
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
