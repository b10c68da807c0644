"""Derived facts of a normalised session: its hash, language level and parent namespace."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from localcas.errors import PolicyError
from localcas.policy.schema import DEFAULT_VERSION, validate


def canonical_json(normalised: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: the bytes the session hash covers."""
    text = json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def session_hash(normalised: Mapping[str, Any]) -> str:
    """The 64-lower-case-hex SHA-256 of the canonical JSON of a normalised session.

    The creator is part of the hash, so it must be present (the CAS sets it on upload).
    The input is normalised again first, which changes nothing for a normalised form but
    keeps the hash independent of how the caller built the mapping.
    """
    if normalised.get("creator") is None:
        raise PolicyError(
            "cannot calculate the session hash: the session has no creator yet "
            "(the hash includes the creator's certificate, which CAS adds on upload)",
            path=("creator",),
        )
    return hashlib.sha256(canonical_json(validate(normalised))).hexdigest()


def version_at_least_03(normalised: Mapping[str, Any]) -> bool:
    """True for language versions "0.3" and "0.3.<n>" (a missing version counts as 0.2)."""
    version = str(normalised.get("version") or DEFAULT_VERSION)
    return version == "0.3" or version.startswith("0.3.")


def parent_name(name: str) -> str | None:
    """The enclosing namespace of a session name: "a/b/c" gives "a/b", "a" gives None."""
    parent, slash, _ = name.rpartition("/")
    return parent if slash and parent else None
