"""Provides access-policy decisions: who may read, update or create sessions below a name.

An identity is its TLS client certificate, and it is authorised by the certificate's
public key (its key hash), so a renewed certificate for the same key keeps its rights.
Policy entries: ``CREATOR``, ``ANY``, ``NONE``, key hashes, PEM certificates, and (0.2
sessions) SHA-256 hashes of the PEM certificate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from localcas.keyhash import cert_pem_blocks, key_hash_of_cert_pem

__all__ = ["Client", "Operation", "is_allowed", "policy_entries"]

Operation = Literal["read", "update", "create_sessions"]


@dataclass(frozen=True)
class Client:
    """The party behind one request: no certificate (a "public client") or one identity."""

    cert_pem: str | None = None
    key_hash: str | None = None

    @classmethod
    def from_cert_pem(cls, pem: str) -> Client:
        """A client identified by a PEM certificate."""
        normalised = cert_pem_blocks(pem)[0]
        return cls(normalised, key_hash_of_cert_pem(normalised))

    @property
    def is_public(self) -> bool:
        """True when the request carried no client certificate."""
        return self.key_hash is None


def policy_entries(description: Mapping[str, Any], operation: Operation) -> list[str]:
    """The entries listed for ``operation`` in a normalised description (defaults applied)."""
    policy = description.get("access_policy") or {}
    if operation == "create_sessions" and "create_sessions" not in policy:
        return list(policy.get("update", ["CREATOR"]))
    return list(policy.get(operation, ["CREATOR"]))


def is_allowed(
    client: Client,
    description: Mapping[str, Any],
    creator_key_hash: str,
    operation: Operation,
) -> bool:
    """Whether ``client`` may perform ``operation`` on the session described.

    Args:
        description: the normalised description of the session's current version.
        creator_key_hash: key hash of the identity that uploaded that version.
    """
    entries = policy_entries(description, operation)
    if "ANY" in entries:
        return True
    if client.key_hash is None or client.cert_pem is None:
        return False
    for entry in entries:
        if entry == "NONE":
            return False
        if entry == "CREATOR":
            if client.key_hash == creator_key_hash:
                return True
        elif entry == client.key_hash:
            return True
        elif "BEGIN CERTIFICATE" in entry:
            if key_hash_of_cert_pem(entry) == client.key_hash:
                return True
        elif len(entry) == 64 and entry == hashlib.sha256(client.cert_pem.encode()).hexdigest():
            return True
        # `$$SCONE::name$$` references are resolved at evaluation time by SCONE; an
        # unresolvable reference grants nothing, which is all the course needs.
    return False
