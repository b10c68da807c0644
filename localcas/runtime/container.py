"""Provides :class:`Container`: how a course program's paths map to the host.

No mount namespace is used (that needs privileges the course cannot assume). A course
program instead asks :meth:`Container.host` for the host path of each container path it
uses; the answer follows docker's rules: the longest matching mount wins (file-shield
volumes over ``-v`` binds over the image's own, throw-away file system).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Container"]


@dataclass
class Container:
    """The file-system view of one program run.

    Args:
        scratch: the container's own file system (removed after the run).
        binds: (host directory, container path) from ``-v``.
        cwd: the program's working directory (container path).
    """

    scratch: Path
    binds: list[tuple[str, str]] = field(default_factory=list)
    cwd: str = "/"
    overlays: list[tuple[str, str]] = field(default_factory=list)
    """(host directory, container path) of file-shield volumes (decrypted views)."""

    def absolute(self, path: str) -> str:
        """``path`` as an absolute, normalised container path."""
        return posixpath.normpath(posixpath.join(self.cwd, path))

    def host(self, path: str, *, shield: bool = True) -> Path:
        """The host path behind container path ``path`` (relative to :attr:`cwd`).

        Args:
            shield: False ignores the file-shield overlays (the encrypted files on disk).
        """
        target = self.absolute(path)
        mounts = [*self.binds, *(self.overlays if shield else [])]
        best: tuple[str, str] | None = None
        for host, inside in mounts:
            if (target == inside or target.startswith(inside.rstrip("/") + "/")) and (
                best is None or len(inside) >= len(best[1])
            ):
                best = (host, inside)
        if best is None:
            return self.scratch / target.lstrip("/")
        rest = posixpath.relpath(target, best[1])
        return Path(best[0]) if rest == "." else Path(best[0]) / rest
