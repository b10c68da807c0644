"""Provides facts about a sandbox's identities and secrets, for normalising and redacting."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from grader.sandbox import Sandbox
from localcas.keyhash import key_hash_of_cert_pem

__all__ = ["OTHER_CONFIG", "identities_of", "secrets_in_db", "secrets_to_redact"]

OTHER_CONFIG = Path("identities") / "other" / "config.json"
"""Where (below the sandbox root) probes keep the second identity's CLI config."""


def _identity_key_hash(config: Path) -> str | None:
    try:
        identity = json.loads(config.read_text(encoding="utf-8")).get("identity")
        return key_hash_of_cert_pem(identity) if isinstance(identity, str) else None
    except (OSError, ValueError):
        return None


def identities_of(sandbox: Sandbox) -> dict[str, str]:
    """Key hash → label (``<learner>``, ``<other>``, ``<operator>``) as of now."""
    labels: dict[str, str] = {}
    operator = None
    try:
        with sqlite3.connect(f"file:{sandbox.db}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key='operator_identity'").fetchone()
        db.close()
        operator = row[0] if row else None
    except sqlite3.Error:
        pass
    if operator:
        labels[key_hash_of_cert_pem(operator)] = "<operator>"
    for config, label in (
        (sandbox.root / OTHER_CONFIG, "<other>"),
        (sandbox.home / ".cas" / "config.json", "<learner>"),
    ):
        key_hash = _identity_key_hash(config)
        if key_hash is not None:
            labels[key_hash] = label
    return labels


def secrets_to_redact(sandbox: Sandbox) -> tuple[str, ...]:
    """Values the CAS generated (they must never appear in a cast or a report).

    Private keys need no listing: every PEM private key block is redacted anyway.
    """
    return secrets_in_db(sandbox.db)


def secrets_in_db(path: Path) -> tuple[str, ...]:
    """The generated values of the CAS database at ``path`` (see :func:`secrets_to_redact`)."""
    found: list[str] = []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT s.session, s.secret, s.kind, s.value, v.description FROM secret_values s"
                " JOIN sessions n ON n.name = s.session JOIN versions v ON v.hash = n.current_hash"
            ).fetchall()
        db.close()
    except sqlite3.Error:
        return ()
    for _session, secret, kind, value, description in rows:
        specs = {s["name"]: s for s in json.loads(description).get("secrets", [])}
        if "value" in specs.get(secret, {}) or kind not in ("ascii", "binary"):
            continue
        text = bytes(value).decode(errors="replace") if kind == "ascii" else bytes(value).hex()
        if len(text) >= 6:
            found.append(text)
    return tuple(found)
