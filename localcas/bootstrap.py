"""Provides first-start set-up of a CAS database: its CA chain, leaf, operator, seed data.

The chain is kept in the database, so a restarted CAS keeps its identity and CLIs that
attested it keep working. The TLS leaf is re-issued (under the same chain) when the CAS
starts on an address the stored leaf does not name.
"""

from __future__ import annotations

from localcas import tls
from localcas.access import Client
from localcas.cas import Cas
from localcas.store import Store

__all__ = ["EXAMPLE_SESSION", "load_authority", "operator_client", "seed", "server_leaf"]

EXAMPLE_SESSION = "example_session"


def load_authority(store: Store) -> tls.CasAuthority:
    """The CAS's CA chain, created on first start."""
    keys = ("root_cert", "root_key", "intermediate_cert", "intermediate_key")
    stored = [store.get_meta(k) for k in keys]
    if all(stored):
        return tls.CasAuthority(*[s for s in stored if s is not None])
    authority = tls.create_authority()
    store.set_meta({k: getattr(authority, k) for k in keys})
    return authority


def server_leaf(store: Store, authority: tls.CasAuthority, address: str) -> tuple[str, str]:
    """The TLS server certificate and key for ``address`` (re-issued when it changed)."""
    cert, key = store.get_meta("leaf_cert"), store.get_meta("leaf_key")
    if cert and key and tls.leaf_matches_address(cert, address):
        return cert, key
    cert, key = tls.issue_leaf(authority, address)
    store.set_meta({"leaf_cert": cert, "leaf_key": key})
    return cert, key


def operator_client(store: Store) -> Client:
    """The CAS operator's identity, which owns the seeded sessions (learners are not it)."""
    identity = store.get_meta("operator_identity")
    if identity is None:
        identity = tls.create_identity()
        store.set_meta({"operator_identity": identity})
    return Client.from_cert_pem(identity)


def seed(cas: Cas) -> None:
    """Creates ``example_session`` (public ``example_value`` = "42") once.

    It gets two versions, so that — as on SCONE's public CAS — its current version has a
    non-null predecessor.
    """
    if cas.store.current(EXAMPLE_SESSION) is not None:
        return
    operator = operator_client(cas.store)
    base = {
        "name": EXAMPLE_SESSION,
        "version": "0.3",
        "access_policy": {"read": ["CREATOR"], "update": ["CREATOR"]},
    }
    first = cas.upload(operator, base, "create")
    value = {"name": "example_value", "kind": "ascii", "value": "42", "export_public": True}
    cas.upload(operator, {**base, "predecessor": first.hash, "secrets": [value]}, "update")
