"""Parses the ``docker run`` subset the OTP section uses.

Accepted: ``run [--rm] [-i] [-t] [-it] [-e NAME=VALUE | --env NAME=VALUE] [-v HOST:PATH |
--volume HOST:PATH] [-w DIR | --workdir DIR] IMAGE [COMMAND ARG…]`` — what the course's
command lines contain (``-e NAME`` without a value takes it from the caller, as docker
does). Anything else is refused with a message that says what the stand-in supports.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DockerUsageError", "RunRequest", "parse_run"]

_SUPPORTED = (
    "the course's docker stand-in supports only: docker run [--rm] [-i] [-t]"
    " [-e NAME=VALUE] [-v /HOST:/PATH] [-w /DIR] IMAGE [COMMAND ARG...]"
)


class DockerUsageError(ValueError):
    """The command line is not part of the supported subset (docker's exit status 125)."""


@dataclass
class RunRequest:
    """One parsed ``docker run``."""

    image: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    mounts: list[tuple[str, str]] = field(default_factory=list)
    """(host directory, container path) pairs, in command-line order."""
    workdir: str | None = None


def _value(args: list[str], index: int, flag: str) -> str:
    if index + 1 >= len(args):
        raise DockerUsageError(f"flag needs an argument: {flag}")
    return args[index + 1]


def _mount(spec: str) -> tuple[str, str]:
    host, sep, rest = spec.partition(":")
    path = rest.split(":")[0]
    if not sep or not host.startswith("/") or not path.startswith("/"):
        raise DockerUsageError(
            f"invalid volume specification '{spec}': use an absolute host path and an"
            ' absolute container path, e.g. -v "$PWD:/root"'
        )
    return posixpath.normpath(host), posixpath.normpath(path)


def parse_run(argv: list[str], caller_env: Mapping[str, str] = os.environ) -> RunRequest:
    """The request of ``docker ARGV`` (``argv`` starts with ``run``).

    Raises:
        DockerUsageError: not ``run``, an unsupported flag, or no image.
    """
    if not argv or argv[0] != "run":
        verb = argv[0] if argv else "(nothing)"
        raise DockerUsageError(f"'docker {verb}' is not available here; {_SUPPORTED}")
    args = argv[1:]
    request = RunRequest(image="", command=[])
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("-") or arg == "-":
            request.image = arg
            request.command = args[index + 1 :]
            return request
        name, eq, inline = arg.partition("=")
        if name in ("-e", "--env", "-v", "--volume", "-w", "--workdir"):
            if eq and name.startswith("--"):
                value = inline
            else:
                value = _value(args, index, name)
                index += 1
            if name in ("-e", "--env"):
                key, has, text = value.partition("=")
                if has:
                    request.env[key] = text
                elif key in caller_env:
                    request.env[key] = caller_env[key]
            elif name in ("-v", "--volume"):
                request.mounts.append(_mount(value))
            else:
                if not value.startswith("/"):
                    raise DockerUsageError(
                        f"the working directory '{value}' is invalid, it needs to be an absolute"
                        " path"
                    )
                request.workdir = posixpath.normpath(value)
        elif arg in ("--rm", "-i", "-t", "-it", "-ti", "--interactive", "--tty", "--init"):
            pass
        else:
            raise DockerUsageError(f"unknown flag: {arg}; {_SUPPORTED}")
        index += 1
    raise DockerUsageError(f"'docker run' requires at least 1 argument (the image); {_SUPPORTED}")
