"""Provides the durable CAS store: SQLite in WAL mode, every mutation one transaction.

Sessions are never deleted. Each upload adds a row to ``versions`` (the full, linear
history, readable by hash) and moves ``sessions.current_hash``; the move is guarded by the
hash the caller read before (optimistic concurrency), so of several concurrent updates with
the same predecessor exactly one commits. ``synchronous=FULL`` makes an acknowledged commit
survive even a power cut, not only a ``kill -9``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcas.errors import Conflict, StoreError

__all__ = ["SecretValue", "SessionVersion", "Store", "VolumeRecord"]

_SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    name TEXT PRIMARY KEY,
    current_hash TEXT NOT NULL,
    versions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    predecessor TEXT,
    creator_key_hash TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (name, seq)
);
CREATE TABLE IF NOT EXISTS volumes (
    session TEXT NOT NULL,
    volume TEXT NOT NULL,
    key BLOB NOT NULL,
    tag TEXT,
    PRIMARY KEY (session, volume)
);
CREATE TABLE IF NOT EXISTS otp_steps (
    session TEXT NOT NULL,
    secret_digest TEXT NOT NULL,
    last_step INTEGER NOT NULL,
    PRIMARY KEY (session, secret_digest)
);
CREATE TABLE IF NOT EXISTS secret_values (
    session TEXT NOT NULL,
    secret TEXT NOT NULL,
    kind TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (session, secret)
);
"""


@dataclass(frozen=True)
class SessionVersion:
    """One stored version of a session."""

    name: str
    hash: str
    seq: int
    """1 for the first version, counting up along the history."""
    predecessor: str | None
    creator_key_hash: str
    description: dict[str, Any]
    """The normalised description (what the hash is computed over)."""
    created_at: float


@dataclass(frozen=True)
class SecretValue:
    """The value CAS holds for one secret of a session's current version."""

    kind: str
    value: bytes


@dataclass(frozen=True)
class VolumeRecord:
    """The file-shield state CAS keeps for one volume: its key and its latest tag."""

    session: str
    volume: str
    key: bytes
    tag: str | None
    """None while the volume is uninitialised."""


class Store:
    """The CAS database. Thread-safe: one connection, serialised by a lock.

    Args:
        path: the SQLite file; created with its schema when missing.

    Raises:
        StoreError: the file is not a database of this schema.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._transaction() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row is None:
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
                elif row[0] != _SCHEMA_VERSION:
                    raise StoreError(
                        f"{path} has schema {row[0]}, this localcas expects {_SCHEMA_VERSION}"
                    )
        except sqlite3.DatabaseError as err:
            raise StoreError(f"cannot open CAS database {path}: {err}") from err

    def close(self) -> None:
        """Closes the connection (checkpointing the WAL)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so a read-check-write sequence
        # inside one transaction cannot interleave with another process's writer.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A value of the key-value table that holds the CA chain and operator identity."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, values: Mapping[str, str]) -> None:
        """Sets several meta values in one transaction."""
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    # -- sessions ---------------------------------------------------------------------

    def current(self, name: str) -> SessionVersion | None:
        """The active version of ``name``, or None when no such session exists."""
        with self._lock:
            row = self._db.execute(
                "SELECT v.* FROM sessions s JOIN versions v ON v.hash = s.current_hash"
                " WHERE s.name=?",
                (name,),
            ).fetchone()
        return None if row is None else _version(row)

    def version(self, name: str, digest: str) -> SessionVersion | None:
        """The version of ``name`` with hash ``digest`` (current or historic), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM versions WHERE name=? AND hash=?", (name, digest)
            ).fetchone()
        return None if row is None else _version(row)

    def history(self, name: str) -> list[SessionVersion]:
        """Every version of ``name``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM versions WHERE name=? ORDER BY seq", (name,)
            ).fetchall()
        return [_version(row) for row in rows]

    def names(self) -> list[str]:
        """All session names, sorted."""
        with self._lock:
            rows = self._db.execute("SELECT name FROM sessions ORDER BY name").fetchall()
        return [str(row[0]) for row in rows]

    def hash_exists(self, digest: str) -> bool:
        """True when any session, ever, had a version with this hash."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM versions WHERE hash=?", (digest,)).fetchone()
        return row is not None

    def commit_version(
        self,
        *,
        name: str,
        digest: str,
        description: Mapping[str, Any],
        creator_key_hash: str,
        expected_current: str | None,
        secrets: Mapping[str, SecretValue],
    ) -> SessionVersion:
        """Adds a version and makes it current, atomically.

        Args:
            expected_current: the hash the caller based this version on; None means the
                session must not exist yet.
            secrets: the complete set of secret values of the new version.

        Raises:
            Conflict: the session exists (for a create), or its current hash is no longer
                ``expected_current`` (someone else updated it first).
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT current_hash, versions FROM sessions WHERE name=?", (name,)
            ).fetchone()
            if expected_current is None and row is not None:
                raise Conflict(f"Session '{name}' already exists")
            if expected_current is not None and (row is None or row[0] != expected_current):
                current = "none" if row is None else row[0]
                raise Conflict(
                    f"Predecessor {expected_current} is not the current version of '{name}'"
                    f" (current: {current})"
                )
            if db.execute("SELECT 1 FROM versions WHERE hash=?", (digest,)).fetchone():
                raise Conflict(f"A session with hash {digest} existed before on this CAS")
            seq = 1 if row is None else int(row[1]) + 1
            created = time.time()
            db.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    digest,
                    name,
                    seq,
                    expected_current,
                    creator_key_hash,
                    json.dumps(description, sort_keys=True),
                    created,
                ),
            )
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE"
                " SET current_hash=excluded.current_hash, versions=excluded.versions",
                (name, digest, seq),
            )
            db.execute("DELETE FROM secret_values WHERE session=?", (name,))
            db.executemany(
                "INSERT INTO secret_values VALUES (?, ?, ?, ?)",
                [(name, key, val.kind, val.value) for key, val in secrets.items()],
            )
        return SessionVersion(
            name, digest, seq, expected_current, creator_key_hash, dict(description), created
        )

    def secret_values(self, session: str) -> dict[str, SecretValue]:
        """The secret values of the current version of ``session``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT secret, kind, value FROM secret_values WHERE session=?", (session,)
            ).fetchall()
        return {str(r[0]): SecretValue(str(r[1]), bytes(r[2])) for r in rows}

    # -- volumes and OTPs (the emulated runtime's state) -------------------------------

    def volume(self, session: str, name: str) -> VolumeRecord:
        """The record of a volume, created (fresh key, uninitialised) on first use."""
        import secrets

        with self._transaction() as db:
            row = db.execute(
                "SELECT key, tag FROM volumes WHERE session=? AND volume=?", (session, name)
            ).fetchone()
            if row is None:
                key = secrets.token_bytes(32)
                db.execute("INSERT INTO volumes VALUES (?, ?, ?, NULL)", (session, name, key))
                return VolumeRecord(session, name, key, None)
        return VolumeRecord(session, name, bytes(row[0]), row[1])

    def swap_volume_tag(self, session: str, name: str, old: str | None, new: str) -> bool:
        """Moves a volume's tag from ``old`` to ``new``; False when ``old`` is not current."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT tag FROM volumes WHERE session=? AND volume=?", (session, name)
            ).fetchone()
            if row is None or row[0] != old:
                return False
            db.execute(
                "UPDATE volumes SET tag=? WHERE session=? AND volume=?", (new, session, name)
            )
        return True

    def use_otp_step(self, session: str, secret_digest: str, step: int) -> bool:
        """Records the use of an OTP of ``step``; False when that step (or a later) was used."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT last_step FROM otp_steps WHERE session=? AND secret_digest=?",
                (session, secret_digest),
            ).fetchone()
            if row is not None and int(row[0]) >= step:
                return False
            db.execute(
                "INSERT INTO otp_steps VALUES (?, ?, ?) ON CONFLICT(session, secret_digest)"
                " DO UPDATE SET last_step=excluded.last_step",
                (session, secret_digest, step),
            )
        return True


def _version(row: tuple[Any, ...]) -> SessionVersion:
    digest, name, seq, predecessor, creator, description, created = row
    return SessionVersion(
        name=name,
        hash=digest,
        seq=int(seq),
        predecessor=predecessor,
        creator_key_hash=creator,
        description=json.loads(description),
        created_at=float(created),
    )
