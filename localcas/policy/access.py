"""Validates who may do what: the ``access_policy`` section and the ``creator`` certificate."""

from __future__ import annotations

import re
from typing import Any

from localcas.keyhash import cert_pem_blocks, is_key_hash, pem_to_der, spki_der_of_cert
from localcas.policy.checks import (
    Path,
    as_list,
    as_mapping,
    as_str,
    check_keys,
    fail,
)

SPECIAL_ENTRIES = ("CREATOR", "ANY", "NONE")
ALONE_ENTRIES = ("ANY", "NONE")
OPERATIONS = ("read", "update", "create_sessions")

_REFERENCE_RE = re.compile(r"\$\$SCONE::[A-Za-z0-9_\-.~]{1,128}(?::[A-Za-z0-9_]+)?\$\$")
_HEX64_RE = re.compile(r"[0-9a-fA-F]{64}")
_ENTRY_FORMS = "CREATOR, ANY, NONE, a key hash, a PEM certificate or a $$SCONE::name$$ reference"


def normalise_certificate(text: str, path: Path, *, what: str) -> str:
    """The first PEM certificate in ``text`` in canonical form; rejects unreadable ones."""
    blocks = cert_pem_blocks(text)
    if not blocks:
        fail(
            f"{what} must be a PEM certificate (-----BEGIN CERTIFICATE----- ... "
            "-----END CERTIFICATE-----)",
            path,
        )
    try:
        spki_der_of_cert(pem_to_der(blocks[0]))
    except (ValueError, IndexError):
        fail(f"{what} is not a readable X.509 certificate", path)
    return blocks[0]


def normalise_creator(value: object, path: Path) -> str:
    """The creator's certificate (only the first PEM block counts)."""
    return normalise_certificate(as_str(value, path), path, what="creator")


def _entry(value: object, path: Path, *, version03: bool) -> str:
    if value is None:
        fail("empty list entry (a stray '-'?); remove it or write an entry such as CREATOR", path)
    text = as_str(value, path).strip()
    if text in SPECIAL_ENTRIES or _REFERENCE_RE.fullmatch(text) or is_key_hash(text):
        return text
    if "-----BEGIN" in text:
        if len(cert_pem_blocks(text)) > 1:
            fail("an entry may hold only one certificate; list each certificate separately", path)
        return normalise_certificate(text, path, what="the entry")
    if _HEX64_RE.fullmatch(text):
        if not version03:
            return text.lower()
        fail(
            "certificate hashes (64 hex digits) are only supported by version 0.2; "
            "use the key hash printed by `scone self show-key-hash` instead",
            path,
        )
    if text.upper() in SPECIAL_ENTRIES:
        fail(f"unknown entry {text!r}; write {text.upper()} in capital letters", path)
    fail(f"unknown entry {text!r}; use {_ENTRY_FORMS}", path)


def _entries(value: object, path: Path, *, version03: bool) -> list[str]:
    items = as_list(value, path, example="[CREATOR]")
    if not items:
        fail("must not be empty; write [NONE] to allow nobody", path)
    entries = [
        _entry(item, (*path, index), version03=version03) for index, item in enumerate(items)
    ]
    for alone in ALONE_ENTRIES:
        if alone in entries and len(entries) > 1:
            fail(f"{alone} must be the only entry of its list", path)
    return entries


def normalise_access_policy(value: object, path: Path, *, version03: bool) -> dict[str, Any]:
    """The access policy with defaults filled in (``value`` None means the key was absent).

    Defaults: read and update are ``[CREATOR]``; for 0.3 sessions create_sessions is a
    copy of the (normalised) update list.
    """
    mapping = as_mapping(value, path) if value is not None else {}
    if "create_sessions" in mapping and not version03:
        fail(
            'create_sessions needs version 0.3; add version: "0.3" to the session',
            (*path, "create_sessions"),
        )
    check_keys(mapping, OPERATIONS if version03 else OPERATIONS[:2], path)
    out: dict[str, Any] = {}
    for operation in ("read", "update"):
        if operation in mapping:
            out[operation] = _entries(mapping[operation], (*path, operation), version03=version03)
        else:
            out[operation] = ["CREATOR"]
    if version03:
        if "create_sessions" in mapping:
            out["create_sessions"] = _entries(
                mapping["create_sessions"], (*path, "create_sessions"), version03=True
            )
        else:
            out["create_sessions"] = list(out["update"])
    return out
