"""Provides the CLI's state file (``~/.cas/config.json``): attested CASes and the identity.

Writes are atomic (a temporary file renamed over the old one, mode 0600) and
read-modify-write sequences hold an exclusive ``flock`` on ``config.json.lock``, so
parallel invocations sharing one file neither corrupt it nor lose each other's changes.
A file that does not parse is never overwritten.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from localcas.errors import ConfigError

__all__ = ["Config", "config_path"]


def config_path(explicit: str | None) -> Path:
    """``-c/--config``, else ``$SCONE_CLI_CONFIG``, else ``~/.cas/config.json``."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("SCONE_CLI_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cas" / "config.json"


class Config:
    """The CLI state at ``path``; :meth:`update` for changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"cas_db": {}}
        except OSError as err:
            raise ConfigError(f"cannot read CLI config {self.path}: {err.strerror}") from err
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(
                f"CLI config {self.path} is not valid JSON (line {err.lineno} column"
                f" {err.colno}); it was left untouched: fix it, or move it away to start afresh"
            ) from err
        if not isinstance(data, dict) or not isinstance(data.get("cas_db", {}), dict):
            raise ConfigError(
                f"CLI config {self.path} is not a scone config (expected an object with"
                " 'cas_db'); it was left untouched: fix it, or move it away to start afresh"
            )
        data.setdefault("cas_db", {})
        return data

    @contextlib.contextmanager
    def update(self) -> Iterator[dict[str, Any]]:
        """Locks the file, re-reads it, yields the data to change, and writes it back."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.data = self._load()
            yield self.data
            self._write()

    def _write(self) -> None:
        import tempfile  # only writers pay for it

        fd, tmp = tempfile.mkstemp(prefix=".config.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self.data, out, indent=2)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def identity(self) -> str:
        """The identity (key + certificate PEM), created and saved on first need."""
        existing = self.data.get("identity")
        if isinstance(existing, str) and "BEGIN CERTIFICATE" in existing:
            return existing
        with self.update() as data:
            if not (isinstance(data.get("identity"), str) and "CERTIFICATE" in data["identity"]):
                from localcas.tls import create_identity

                data["identity"] = create_identity()
        return str(self.data["identity"])
