"""Provides `scone self …` and `scone cert show-key-hash`."""

from __future__ import annotations

from localcas.cli.context import Invocation
from localcas.errors import CliError
from localcas.keyhash import cert_pem_blocks, key_hash_of_cert_pem

__all__ = ["cert_show_key_hash", "self_show", "self_show_certificate", "self_show_key_hash"]


def _certificate(inv: Invocation) -> str:
    return cert_pem_blocks(inv.identity())[0]


def self_show(inv: Invocation) -> None:
    """Prints the identity's certificate and its public key hash."""
    cert = _certificate(inv)
    inv.out.write(f"Certificate:\n{cert}Public key hash: {key_hash_of_cert_pem(cert)}\n")


def self_show_key_hash(inv: Invocation) -> None:
    """Prints the identity's key hash (what access policies list)."""
    inv.out.write(key_hash_of_cert_pem(_certificate(inv)) + "\n")


def self_show_certificate(inv: Invocation) -> None:
    """Prints the identity's certificate (PEM)."""
    inv.out.write(_certificate(inv))


def cert_show_key_hash(inv: Invocation) -> None:
    """Prints the key hash of the certificate in a PEM file."""
    path = inv.args.file
    try:
        with open(path, encoding="utf-8") as src:
            text = src.read()
    except OSError as err:
        raise CliError(f"Cannot read certificate file {path}: {err.strerror}") from err
    if not cert_pem_blocks(text):
        raise CliError(f"{path} holds no PEM certificate")
    try:
        inv.out.write(key_hash_of_cert_pem(text) + "\n")
    except ValueError as err:
        raise CliError(f"{path} holds no valid X.509 certificate: {err}") from err
