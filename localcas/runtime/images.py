"""Provides the course's container images and the programs in them.

An image here is a name and a table of programs: container path -> the Python module
that implements it (its ``main(env, args, container) -> int``). The MRENCLAVE of a
program is derived from its path and the localcas version: stable for one release, and
different for a different program, which is all an attestation policy can observe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from localcas import __version__

__all__ = ["IMAGES", "Image", "find_image", "mrenclave_of"]


@dataclass(frozen=True)
class Image:
    """A course image: its programs by container path."""

    name: str
    programs: Mapping[str, str]
    """Container path -> module (``localcas.runtime.otpqr``)."""


_OTPQR = Image("otpqr:scone", {"/bin/otpqr": "localcas.runtime.otpqr"})
IMAGES: dict[str, Image] = {"otpqr:scone": _OTPQR, "otpqr": _OTPQR, "otpqr:latest": _OTPQR}
"""What `docker run` finds; the course builds ``otpqr:scone`` (OTP Assignment 2)."""


def find_image(name: str) -> Image | None:
    """The image called ``name`` (``docker.io/library/`` prefixes are not used here)."""
    return IMAGES.get(name)


def mrenclave_of(program: str, version: str = __version__) -> str:
    """The MRENCLAVE (64 hex) that `SCONE_HASH=1` prints for ``program``."""
    return hashlib.sha256(f"localcas {version} emulated enclave {program}".encode()).hexdigest()
