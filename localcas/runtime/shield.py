"""Provides the emulated SCONE file shield for the volumes a policy mounts.

On disk a volume is a directory of encrypted files plus ``volume.fspf``, the protection
file: sealed with the volume's key (AES-GCM; the key is held by CAS), it lists every
file with the SHA-256 of its encrypted bytes and carries the volume's **tag**, which CAS
tracks. Opening a volume checks, in this order: the directory exists; an initialised
volume still has its ``volume.fspf``; the file opens with the key; its tag is the one CAS
holds (else ``the supplied tag is not fresh - suspected replay attack``); every listed
file is present and unmodified. The program then works on decrypted copies in a private
directory; afterwards changes are encrypted back, a new ``volume.fspf`` with a new tag is
written, CAS moves its tag, and the new protection file replaces the old one.

An uninitialised volume (CAS holds no tag) is initialised on first use, even when the
program writes nothing; plain files already in its directory are taken into it. A
``volume.fspf`` found in an uninitialised volume belongs to some other volume (one that
was replaced, e.g. by a roll-forward) and is refused. The format is localcas's own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FSPF", "OpenVolume", "ShieldError", "VolumeSpec", "commit", "open_volume"]

FSPF = "volume.fspf"
_MAGIC = b"LCFS1"
_NONCE = 12


class ShieldError(Exception):
    """The file shield refuses a volume; ``str(err)`` says why."""


@dataclass(frozen=True)
class VolumeSpec:
    """A volume as CAS describes it to the runtime."""

    path: str
    """Where the program sees it (container path)."""
    owner: str
    """The session that declares (exports) it."""
    name: str
    key: bytes
    tag: str | None
    """The tag CAS holds; None while the volume is uninitialised."""

    @property
    def ident(self) -> str:
        """``<owner>/<name>``: bound into every seal, so files cannot move between volumes."""
        return f"{self.owner}/{self.name}"


@dataclass
class OpenVolume:
    """A volume opened for one run."""

    spec: VolumeSpec
    directory: Path
    """The encrypted files on disk."""
    staging: Path
    """The decrypted view the program works on."""
    loaded: dict[str, bytes] = field(default_factory=dict)


def _aead(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _files(root: Path) -> dict[str, Path]:
    """Regular files below ``root`` by relative POSIX path (without the protection file)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative != FSPF and ".fspf-tmp" not in path.name:
            found[relative] = path
    return found


def _unseal_fspf(spec: VolumeSpec, raw: bytes) -> dict[str, Any]:
    from cryptography.exceptions import InvalidTag

    try:
        outer = json.loads(raw)
        nonce = bytes.fromhex(outer["nonce"])
        sealed = base64.b64decode(outer["sealed"])
        plain = _aead(spec.key).decrypt(nonce, sealed, spec.ident.encode())
        inner: dict[str, Any] = json.loads(plain)
    except (ValueError, KeyError, TypeError, InvalidTag) as err:
        raise ShieldError(
            f"the file system protection file {spec.path}/{FSPF} cannot be authenticated with"
            f" the key of volume '{spec.name}' (it was modified, or it belongs to another volume)"
        ) from err
    return inner


def open_volume(spec: VolumeSpec, directory: Path, staging: Path) -> OpenVolume:
    """Checks the volume in ``directory`` and decrypts it into ``staging``.

    Raises:
        ShieldError: the volume fails one of the checks in the module docstring.
    """
    if not directory.is_dir():
        raise ShieldError(
            f"the volume path {spec.path} of volume '{spec.name}' does not exist (the host"
            f" directory {directory} is missing; create it before the first run)"
        )
    staging.mkdir(parents=True, exist_ok=True)
    opened = OpenVolume(spec, directory, staging)
    fspf = directory / FSPF
    if spec.tag is None:
        if fspf.exists():
            raise ShieldError(
                f"volume '{spec.name}' is not initialised, but {spec.path}/{FSPF} exists: it"
                " belongs to another volume; remove it to start this volume afresh"
            )
        for relative, path in _files(directory).items():
            opened.loaded[relative] = b""  # taken in: counts as a change, so it is sealed
            _stage(staging, relative, path.read_bytes())
        return opened
    if not fspf.exists():
        raise ShieldError(
            f"the file system protection file {spec.path}/{FSPF} of the initialised volume"
            f" '{spec.name}' was removed"
        )
    inner = _unseal_fspf(spec, fspf.read_bytes())
    if inner.get("tag") != spec.tag:
        raise ShieldError("the supplied tag is not fresh - suspected replay attack")
    from cryptography.exceptions import InvalidTag

    for relative, digest in sorted(inner.get("files", {}).items()):
        path = directory / relative
        if not path.is_file():
            raise ShieldError(
                f"the file {spec.path}/{relative} of the protected volume '{spec.name}' is missing"
            )
        data = path.read_bytes()
        try:
            if hashlib.sha256(data).hexdigest() != digest or not data.startswith(_MAGIC):
                raise InvalidTag
            nonce = data[len(_MAGIC) : len(_MAGIC) + _NONCE]
            plain = _aead(spec.key).decrypt(
                nonce, data[len(_MAGIC) + _NONCE :], f"{spec.ident}:{relative}".encode()
            )
        except InvalidTag as err:
            raise ShieldError(
                f"the file {spec.path}/{relative} of the protected volume '{spec.name}' was"
                " modified (authentication failed)"
            ) from err
        opened.loaded[relative] = plain
        _stage(staging, relative, plain)
    return opened


def _stage(staging: Path, relative: str, data: bytes) -> None:
    target = staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".fspf-tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def commit(opened: OpenVolume, report_tag: Callable[[str | None, str], None]) -> str | None:
    """Seals what the program left in the staging directory; the new tag, or None.

    Nothing is written when an initialised volume did not change. ``report_tag(old,
    new)`` tells CAS the new tag; it raises when CAS refuses, and then the old
    ``volume.fspf`` stays (the new files do not match it: SCONE's volume would be
    equally broken by a refused update, and roll-forward is the way out).
    """
    spec = opened.spec
    now = {rel: path.read_bytes() for rel, path in _files(opened.staging).items()}
    if spec.tag is not None and now == opened.loaded:
        return None
    aead = _aead(spec.key)
    listing: dict[str, str] = {}
    opened.directory.mkdir(parents=True, exist_ok=True)
    for relative, plain in sorted(now.items()):
        nonce = secrets.token_bytes(_NONCE)
        sealed = _MAGIC + nonce + aead.encrypt(nonce, plain, f"{spec.ident}:{relative}".encode())
        listing[relative] = hashlib.sha256(sealed).hexdigest()
        target = opened.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, sealed)
    for relative in set(opened.loaded) - set(now):
        (opened.directory / relative).unlink(missing_ok=True)
    tag = secrets.token_hex(16)
    nonce = secrets.token_bytes(_NONCE)
    inner = json.dumps({"tag": tag, "files": listing}, sort_keys=True).encode()
    outer = {
        "format": "localcas-fspf/1",
        "volume": spec.ident,
        "nonce": nonce.hex(),
        "sealed": base64.b64encode(aead.encrypt(nonce, inner, spec.ident.encode())).decode(),
    }
    pending = opened.directory / (FSPF + ".fspf-tmp")
    pending.write_text(json.dumps(outer, indent=1) + "\n", encoding="utf-8")
    try:
        report_tag(spec.tag, tag)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, opened.directory / FSPF)
    return tag
