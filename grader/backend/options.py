"""Provides the command-line options that choose a backend (``grade`` and ``batch``).

``--backend local`` (the default) grades against a private localcas per sandbox;
``--backend scone --cas-address ADDR [--scone-cmd "…"] [--cas-page URL]`` grades against
the CAS at ADDR with a real `scone` (grader.backend.scone). Batch workers are separate
processes, so the choice travels as a plain dict (:func:`backend_spec`).
"""

from __future__ import annotations

import argparse
from typing import Any

from grader.backend.base import Backend
from grader.errors import UsageError

__all__ = ["add_backend_options", "backend_from_args", "backend_from_spec", "backend_spec"]


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """Adds ``--backend``, ``--cas-address``, ``--scone-cmd`` and ``--cas-page``."""
    group = parser.add_argument_group("CAS backend")
    group.add_argument(
        "--backend",
        choices=["local", "scone"],
        default="local",
        help="local: a private localcas per sandbox (default); scone: a real CAS, black-box",
    )
    group.add_argument("--cas-address", help="scone backend: the CAS, HOST or HOST:PORT")
    group.add_argument(
        "--scone-cmd",
        help="scone backend: the command that runs the real scone"
        " (default: the course's docker alias, with --network host)",
    )
    group.add_argument(
        "--cas-page",
        help="scone backend: URL of a page listing the CAS's MRENCLAVE (SCONE_CAS_PAGE);"
        " default: port 8080 of the CAS address",
    )


def backend_spec(args: argparse.Namespace) -> dict[str, Any] | None:
    """The chosen backend as a plain dict (None: the default).

    Raises:
        UsageError: options that do not fit together.
    """
    extra = [o for o in ("cas_address", "scone_cmd", "cas_page") if getattr(args, o, None)]
    if getattr(args, "backend", "local") != "scone":
        if extra:
            option = "--" + extra[0].replace("_", "-")
            raise UsageError(f"{option} needs --backend scone")
        return None
    if not args.cas_address:
        raise UsageError("--backend scone needs --cas-address ADDR (the CAS to grade against)")
    return {"address": args.cas_address, "scone_cmd": args.scone_cmd, "page": args.cas_page}


def backend_from_spec(spec: dict[str, Any] | None) -> Backend | None:
    """The backend of :func:`backend_spec` (None: the default)."""
    if spec is None:
        return None
    from grader.backend.scone import DEFAULT_SCONE_CMD, SconeBackend
    from grader.backend.world import CasTarget

    command = spec.get("scone_cmd") or DEFAULT_SCONE_CMD
    return SconeBackend(CasTarget(str(spec["address"]), command, spec.get("page")))


def backend_from_args(args: argparse.Namespace) -> Backend | None:
    """The backend the options ask for (None: the default).

    Raises:
        UsageError: options that do not fit together.
    """
    return backend_from_spec(backend_spec(args))
