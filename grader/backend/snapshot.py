"""Provides :func:`rest_snapshot`: a :class:`~grader.state.Snapshot` taken from outside the CAS.

The black-box backend cannot read a CAS database, so a snapshot holds the sessions the
world's `scone session create|update` calls named (from the ledger), each with its history:
the current version from ``GET /v1/sessions/<name>``, then every older one by following
``predecessor`` (``?hash=``). Versions are read as the learner's identity; a session it
may not read cannot be told from one that does not exist, and is left out. Secrets: only
public values can be seen (``/v1/values``); private ones are absent, which is why checks
on secrets are skipped by this backend.

A real CAS keeps no creation times that REST shows; the time a version was first seen in
the ledger (its ``after`` versions) stands in, which orders sessions as creation would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from grader.backend.rest import CasRest, RestError, Unreadable, Version, fingerprint
from grader.state import FILE_CAP, Snapshot, SnapshotError
from localcas.keyhash import key_hash_of_cert_pem

__all__ = ["HISTORY_LIMIT", "ledger_records", "read_files", "rest_snapshot", "touched_sessions"]

HISTORY_LIMIT = 200
"""Versions walked back per session at most (a loop guard)."""


def ledger_records(path: Path) -> list[dict[str, Any]]:
    """The ledger's records (none when it does not exist)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a kill
    return records


def touched_sessions(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every session an upload named (whether or not it went through), in first-seen order.

    Sessions that were only read are left out: on a shared CAS they are somebody else's
    (the default backend has them in its baseline, unchanged, so neither side shows a
    difference for them).
    """
    names: dict[str, None] = {}
    for record in records:
        if record.get("upload") or record.get("mutated"):
            for name in record.get("sessions", []):
                names.setdefault(str(name), None)
    return list(names)


def _first_seen(records: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], float]:
    seen: dict[tuple[str, str], float] = {}
    for record in records:
        for name, version in (record.get("after") or {}).items():
            if version:
                seen.setdefault((str(name), str(version)), float(record.get("ts", 0.0)))
    return seen


def _mentioned(records: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for record in records:
        for name in record.get("sessions", []):
            found.setdefault(str(name), float(record.get("ts", 0.0)))
    return found


def _description(version: Version) -> dict[str, Any]:
    try:
        parsed = yaml.safe_load(version.text)
    except yaml.YAMLError as err:
        raise SnapshotError(f"the CAS answered a session that is not YAML: {err}") from err
    return parsed if isinstance(parsed, dict) else {}


HashOf = Callable[[str, Version], "str | None"]
"""(session name, version without a hash) -> its hash, asked some other way."""


def _history(
    client: CasRest, name: str, hash_of: HashOf | None
) -> tuple[list[tuple[str, str, dict[str, Any]]], str] | None:
    """[(hash, fingerprint, description)] oldest first, and the current hash; None when
    the session does not exist or the client may not read it."""
    try:
        current = client.version(name)
    except Unreadable:
        return None
    if current is None:
        return None
    seen_as = fingerprint(current)
    assert seen_as is not None
    # Older versions' hashes are their successors' predecessors; the current one's hash is
    # in the answer (localcas) or must be asked for (hash_of), else its text stands in.
    head = current.hash or (hash_of(name, current) if hash_of else None) or seen_as
    chain = [(head, seen_as, _description(current))]
    seen = {head}
    while len(chain) < HISTORY_LIMIT:
        predecessor = chain[-1][2].get("predecessor")
        if not isinstance(predecessor, str) or not predecessor or predecessor in seen:
            break
        try:
            older = client.version(name, predecessor)
        except Unreadable:
            break  # e.g. the identity may read the current version only
        if older is None:
            break
        seen.add(predecessor)
        chain.append((predecessor, fingerprint(older) or predecessor, _description(older)))
    chain.reverse()
    return chain, head


def _creator(description: Mapping[str, Any]) -> str:
    pem = description.get("creator")
    if isinstance(pem, str):
        try:
            return key_hash_of_cert_pem(pem)
        except ValueError:
            return ""
    return ""


def read_files(files: Mapping[str, Path]) -> dict[str, str | None]:
    """The declared files' text (None when missing), cut at :data:`grader.state.FILE_CAP`."""
    texts: dict[str, str | None] = {}
    for label, path in files.items():
        try:
            with path.open("rb") as handle:
                data = handle.read(FILE_CAP + 1)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            texts[label] = None
            continue
        except OSError as err:
            raise SnapshotError(f"cannot read {path}: {err}") from err
        text = data[:FILE_CAP].decode("utf-8", errors="replace")
        texts[label] = (
            text + "\n[… truncated: the file is larger than 256 KiB]"
            if (len(data) > FILE_CAP)
            else text
        )
    return texts


def rest_snapshot(
    client: CasRest | None,
    public: CasRest | None,
    records: list[dict[str, Any]],
    files: Mapping[str, Path],
    hash_of: HashOf | None = None,
) -> Snapshot:
    """The sessions the ledger ``records`` name, read over REST, and the declared files.

    Args:
        client: REST as the learner (None: the learner has no identity yet, so nothing
            it could have created).
        public: REST as a public client, for public values.
        hash_of: how to learn a current version's hash when REST does not say it.

    Raises:
        SnapshotError: the CAS could not be asked, or answered nonsense.
    """
    sessions: dict[str, dict[str, Any]] = {}
    secrets: dict[str, dict[str, dict[str, str]]] = {}
    first_seen, mentioned = _first_seen(records), _mentioned(records)
    try:
        for name in touched_sessions(records) if client is not None else []:
            assert client is not None
            found = _history(client, name, hash_of)
            if found is None:
                continue  # absent, or the learner may not read it: invisible from outside
            chain, head = found
            fallback = mentioned.get(name, float("inf"))
            sessions[name] = {
                "current": head,
                "versions": [
                    {
                        "hash": digest,
                        "seq": seq + 1,
                        "predecessor": description.get("predecessor"),
                        "creator_key_hash": _creator(description),
                        "description": description,
                        "created_at": first_seen.get(
                            (name, digest), first_seen.get((name, seen_as), fallback)
                        ),
                    }
                    for seq, (digest, seen_as, description) in enumerate(chain)
                ],
            }
            values = public.public_values(name) if public is not None else {}
            for secret, item in sorted(values.items()):
                value = str(item.get("value", "")) if isinstance(item, dict) else str(item)
                kind = str(item.get("kind", "")) if isinstance(item, dict) else ""
                digest = hashlib.sha256(value.encode()).hexdigest()
                secrets.setdefault(name, {})[secret] = {
                    "kind": kind,
                    "digest": digest,
                    "value": value,
                }
    except RestError as err:
        raise SnapshotError(f"cannot read the CAS over REST: {err}") from err
    return Snapshot(sessions=sessions, secrets=secrets, files=read_files(files))
