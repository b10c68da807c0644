"""Provides CAS state snapshots and their normalised form (grading.md §1).

:func:`take_snapshot` reads a CAS database (read-only, safe while the CAS runs) and the
files an assignment declares. :func:`normalise` replaces what differs between two runs
of the same script — generated namespace names, session hashes, identities, generated
secret values, timestamps — by stable placeholders, so two snapshots can be compared
with :func:`grader.diff.diff`. The diff helpers are re-exported here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.diff import Change, diff, render_diff, select
from localcas.keyhash import is_key_hash, key_hash_of_cert_pem

__all__ = [
    "FILE_CAP",
    "Change",
    "Snapshot",
    "SnapshotError",
    "diff",
    "normalise",
    "render_diff",
    "select",
    "take_snapshot",
]

FILE_CAP = 256 * 1024
"""Bytes read of each declared file; the rest is cut off with a note."""

_TRUNCATED = "\n[… truncated: the file is larger than 256 KiB]"
# Characters of a session name segment other than "." (see localcas.policy.checks).
_SEGMENT_CHARS = r"A-Za-z0-9_~\-"
_PEM = r"-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?"
_HEX64 = r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])"
_KEY_HASH = r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{40,50}(?![0-9A-Za-z])"
# Generated values shorter than this are too likely to occur by chance in other text.
_MIN_SECRET_TEXT = 8


class SnapshotError(RuntimeError):
    """The CAS database or a declared file could not be read."""


@dataclass(frozen=True)
class Snapshot:
    """The CAS state and the declared files at one moment.

    Attributes:
        sessions: session name -> ``{"versions": [...], "current": hash}``; each version
            is ``{"hash", "seq", "predecessor", "creator_key_hash", "description",
            "created_at"}`` (description parsed from JSON), oldest first.
        secrets: session -> secret -> ``{"kind", "digest", "value"}``: the SHA-256 hex of
            the stored value and, for kinds ascii and binary only, the value as text
            (binary as hex). Keys and certificates are never copied here.
        files: label of a declared file -> its text, or None when it does not exist.
        volumes: ``<session>/<volume>`` -> ``{"tag"}``: the file-shield tag CAS holds
            (None while uninitialised). Keys are never copied here.
        otp: session -> SHA-256 prefix of an OTP secret -> the last time step in which
            an OTP of it was accepted.
    """

    sessions: dict[str, dict[str, Any]]
    secrets: dict[str, dict[str, dict[str, str]]]
    files: dict[str, str | None]
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    otp: dict[str, dict[str, int]] = field(default_factory=dict)

    def session_names(self) -> list[str]:
        """All session names, sorted."""
        return sorted(self.sessions)


def take_snapshot(db: Path, files: Mapping[str, Path]) -> Snapshot:
    """Reads the CAS database ``db`` and the declared ``files``.

    The database is opened read-only and read in one transaction, so a CAS writing at
    the same time neither blocks nor tears the snapshot (the store uses WAL mode).

    Args:
        db: the CAS's SQLite file.
        files: label (e.g. ``"a2-namespace/state.env"``) -> path of a declared file.

    Raises:
        SnapshotError: the database cannot be read, or a file exists but cannot be read.
    """
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as err:
        raise SnapshotError(f"cannot open CAS database {db}: {err}") from err
    try:
        connection.isolation_level = None  # we issue BEGIN ourselves
        connection.execute("BEGIN")
        versions = connection.execute(
            "SELECT hash, name, seq, predecessor, creator_key_hash, description, created_at"
            " FROM versions ORDER BY name, seq"
        ).fetchall()
        current = connection.execute("SELECT name, current_hash FROM sessions").fetchall()
        stored = connection.execute(
            "SELECT session, secret, kind, value FROM secret_values ORDER BY session, secret"
        ).fetchall()
        volume_rows = connection.execute(
            "SELECT session, volume, tag FROM volumes ORDER BY session, volume"
        ).fetchall()
        otp_rows = connection.execute(
            "SELECT session, secret_digest, last_step FROM otp_steps ORDER BY session"
        ).fetchall()
        connection.execute("COMMIT")
    except sqlite3.Error as err:
        raise SnapshotError(f"cannot read CAS database {db}: {err}") from err
    finally:
        connection.close()
    sessions: dict[str, dict[str, Any]] = {
        str(name): {"versions": [], "current": str(digest)} for name, digest in current
    }
    for digest, name, seq, predecessor, creator, description, created in versions:
        entry = sessions.setdefault(str(name), {"versions": [], "current": str(digest)})
        entry["versions"].append(
            {
                "hash": str(digest),
                "seq": int(seq),
                "predecessor": predecessor,
                "creator_key_hash": str(creator),
                "description": json.loads(description),
                "created_at": float(created),
            }
        )
    secrets: dict[str, dict[str, dict[str, str]]] = {}
    for session, secret, kind, value in stored:
        raw = bytes(value)
        item = {"kind": str(kind), "digest": hashlib.sha256(raw).hexdigest()}
        if kind == "ascii":
            item["value"] = raw.decode("utf-8", errors="replace")
        elif kind == "binary":
            item["value"] = raw.hex()
        secrets.setdefault(str(session), {})[str(secret)] = item
    volumes = {f"{session}/{volume}": {"tag": tag} for session, volume, tag in volume_rows}
    otp: dict[str, dict[str, int]] = {}
    for session, digest, step in otp_rows:
        otp.setdefault(str(session), {})[str(digest)[:12]] = int(step)
    return Snapshot(
        sessions,
        secrets,
        {label: _read_file(path) for label, path in files.items()},
        volumes,
        otp,
    )


def _read_file(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(FILE_CAP + 1)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as err:
        raise SnapshotError(f"cannot read {path}: {err}") from err
    text = data[:FILE_CAP].decode("utf-8", errors="replace")
    return text + _TRUNCATED if len(data) > FILE_CAP else text


def normalise(
    snapshot: Snapshot,
    *,
    baseline: Snapshot | None,
    identities: Mapping[str, str],
    secrets_generated: bool = True,
) -> dict[str, Any]:
    """The snapshot with run-specific values replaced by stable placeholders.

    Args:
        baseline: the state before the script ran (S0). Its session names stay; every
            top-level name segment that is new becomes ``<NS1>``, ``<NS2>``, … in order
            of first creation. None counts as an empty CAS: every name is new.
        identities: key hash -> label such as ``<learner>``; other identities become
            ``<identity1>``, ``<identity2>``, … in order of appearance.
        secrets_generated: True replaces each value the CAS generated by
            ``<generated:KIND>``. False adds the first 12 hex digits of the value's
            SHA-256 (``<generated:KIND:1a2b3c4d5e6f>``), for comparing two snapshots of
            the same CAS, where a regenerated secret is a real change.

    Returns:
        JSON-able ``{"sessions": {NAME: {"versions", "creator", "current", "history"}},
        "secrets": {NAME: {SECRET: {"kind", "value"}}}, "files": {LABEL: text or None},
        "names": {PLACEHOLDER: real name or key hash}}``. ``creator`` is the label of the
        uploader of the current version; ``history`` holds every normalised
        description, oldest first. Placeholders replace the real values in every string.
        When the emulated runtime was used, also ``"volumes": {NAME/VOLUME: "initialised"
        | "uninitialised"}`` and ``"otp": {NAME: "used"}``; with ``secrets_generated``
        False a volume's state carries the first 12 digits of its tag and an OTP entry
        its last accepted time step, so that a changed volume or a used OTP is a change.
    """
    return _Normaliser(snapshot, baseline, identities, secrets_generated).run()


class _Normaliser:
    """One normalisation: the placeholder tables and the single-pass text rewriter."""

    def __init__(
        self,
        snapshot: Snapshot,
        baseline: Snapshot | None,
        identities: Mapping[str, str],
        secrets_generated: bool,
    ) -> None:
        self.snapshot = snapshot
        self.identities = dict(identities)
        self.unknown: dict[str, str] = {}
        self.secrets_generated = secrets_generated
        # Sessions in the order they were first created: this order numbers the
        # namespaces and the unknown identities, and it is the same in every run of a
        # deterministic script, unlike the (random) names themselves.
        self.order = sorted(
            snapshot.sessions, key=lambda n: (_first_created(snapshot.sessions[n]), n)
        )
        self.names = self._namespace_placeholders(baseline)
        self.hashes = {
            version["hash"].lower(): (name, version["seq"])
            for name, entry in snapshot.sessions.items()
            for version in entry["versions"]
        }
        self.cert_hashes = self._certificate_hashes()
        self.generated = self._generated_texts()
        alternatives = [f"(?P<pem>{_PEM})"]
        if self.generated:
            literals = sorted(self.generated, key=len, reverse=True)
            alternatives.append("(?P<secret>" + "|".join(map(re.escape, literals)) + ")")
        alternatives.append(f"(?P<hex>{_HEX64})")
        if self.names:
            names = "|".join(map(re.escape, sorted(self.names, key=len, reverse=True)))
            # A name must not be part of a longer name: no name character before it,
            # none after it (a "." only counts when a name character follows it).
            alternatives.append(
                f"(?<![{_SEGMENT_CHARS}.])(?P<name>{names})"
                f"(?![{_SEGMENT_CHARS}]|\\.[{_SEGMENT_CHARS}])"
            )
        alternatives.append(f"(?P<keyhash>{_KEY_HASH})")
        # One pass over each string, so a placeholder just written is never rewritten.
        self.pattern = re.compile("|".join(alternatives))

    def _namespace_placeholders(self, baseline: Snapshot | None) -> dict[str, str]:
        known = set() if baseline is None else set(baseline.sessions)
        known_tops = {name.split("/")[0] for name in known}
        placeholders: dict[str, str] = {}
        for name in self.order:
            top = name.split("/")[0]
            if name not in known and top not in known_tops and top not in placeholders:
                placeholders[top] = f"<NS{len(placeholders) + 1}>"
        return placeholders

    def _certificate_hashes(self) -> dict[str, str]:
        """SHA-256 of each creator PEM -> its key hash (0.2 policies may list those)."""
        found: dict[str, str] = {}
        for entry in self.snapshot.sessions.values():
            for version in entry["versions"]:
                pem = version["description"].get("creator")
                if isinstance(pem, str):
                    found[hashlib.sha256(pem.encode()).hexdigest()] = version["creator_key_hash"]
        return found

    def _generated_texts(self) -> dict[str, str]:
        """Generated values as they may appear in other text -> their placeholder."""
        found: dict[str, str] = {}
        for session, values in self.snapshot.secrets.items():
            for secret, item in values.items():
                if not self._is_generated(session, secret) or "value" not in item:
                    continue
                placeholder = self._secret_placeholder(item)
                forms = [item["value"]]
                if item["kind"] == "binary":
                    forms.append(base64.b64encode(bytes.fromhex(item["value"])).decode())
                for form in forms:
                    if len(form) >= _MIN_SECRET_TEXT:
                        found[form] = placeholder
        return found

    def _is_generated(self, session: str, secret: str) -> bool:
        entry = self.snapshot.sessions.get(session)
        description = _current_description(entry) if entry else {}
        specs = [s for s in description.get("secrets", []) if s.get("name") == secret]
        return not specs or "value" not in specs[0]

    def _secret_placeholder(self, item: Mapping[str, str]) -> str:
        if self.secrets_generated:
            return f"<generated:{item['kind']}>"
        return f"<generated:{item['kind']}:{item['digest'][:12]}>"

    # -- identities and text ------------------------------------------------------------

    def identity(self, key_hash: str) -> str:
        """The label of a key hash, numbering unknown ones as they are met."""
        if key_hash in self.identities:
            return self.identities[key_hash]
        if key_hash not in self.unknown:
            self.unknown[key_hash] = f"<identity{len(self.unknown) + 1}>"
        return self.unknown[key_hash]

    def text(self, text: str) -> str:
        """``text`` with every run-specific value replaced."""
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group()
        group = match.lastgroup
        if group == "pem":
            try:
                return self.identity(key_hash_of_cert_pem(found))
            except ValueError:
                return found
        if group == "secret":
            return self.generated[found]
        if group == "hex":
            lowered = found.lower()
            if lowered in self.hashes:
                name, seq = self.hashes[lowered]
                return f"<hash:{self.text(name)}@{seq}>"
            if lowered in self.cert_hashes:
                return self.identity(self.cert_hashes[lowered])
            return found
        if group == "name":
            return self.names[found]
        return self.identity(found) if is_key_hash(found) else found

    def value(self, value: Any) -> Any:
        """A JSON value with :meth:`text` applied to every string (not to mapping keys)."""
        return _map_strings(value, self.text)

    # -- the result -----------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        sessions: dict[str, Any] = {}
        for name in self.order:
            entry = self.snapshot.sessions[name]
            history = []
            for version in entry["versions"]:
                self.identity(version["creator_key_hash"])  # numbered in order of uploads
                history.append(self.value(version["description"]))
            current = next(
                (i for i, v in enumerate(entry["versions"]) if v["hash"] == entry["current"]),
                len(entry["versions"]) - 1,
            )
            creator = entry["versions"][current]["creator_key_hash"] if history else None
            sessions[self.text(name)] = {
                "versions": len(history),
                "creator": None if creator is None else self.identity(creator),
                "current": history[current] if history else None,
                "history": history,
            }
        secrets: dict[str, Any] = {}
        rank = {name: index for index, name in enumerate(self.order)}
        # Creation order again (not the random names), for stable identity numbers.
        for session in sorted(self.snapshot.secrets, key=lambda s: (rank.get(s, len(rank)), s)):
            secrets[self.text(session)] = {
                secret: {
                    "kind": item["kind"],
                    "value": self._secret_placeholder(item)
                    if self._is_generated(session, secret) or "value" not in item
                    else self.text(item["value"]),
                }
                for secret, item in sorted(self.snapshot.secrets[session].items())
            }
        files = {
            label: None if text is None else self.text(text)
            for label, text in self.snapshot.files.items()
        }
        names = {placeholder: real for real, placeholder in self.names.items()}
        names.update({label: key_hash for key_hash, label in self.unknown.items()})
        result: dict[str, Any] = {
            "sessions": dict(sorted(sessions.items())),
            "secrets": dict(sorted(secrets.items())),
            "files": files,
            "names": names,
        }
        # Only when the runtime was used, so Section 1 results keep their shape.
        if self.snapshot.volumes:
            result["volumes"] = dict(
                sorted(
                    (self.text(name), self._volume_state(item.get("tag")))
                    for name, item in self.snapshot.volumes.items()
                )
            )
        if self.snapshot.otp:
            result["otp"] = dict(
                sorted(
                    (self.text(session), "used" if self.secrets_generated else steps)
                    for session, steps in self.snapshot.otp.items()
                )
            )
        return result

    def _volume_state(self, tag: str | None) -> str:
        if tag is None:
            return "uninitialised"
        return "initialised" if self.secrets_generated else f"initialised:{tag[:12]}"


def _first_created(entry: Mapping[str, Any]) -> float:
    versions = entry["versions"]
    return float(versions[0]["created_at"]) if versions else float("inf")


def _current_description(entry: Mapping[str, Any]) -> dict[str, Any]:
    for version in entry["versions"]:
        if version["hash"] == entry["current"]:
            description: dict[str, Any] = version["description"]
            return description
    return {}


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Mapping):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_map_strings(item, change) for item in value]
    return value
