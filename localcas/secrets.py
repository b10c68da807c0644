"""Provides secret values: explicit and generated, kept on update where the kind allows.

Generated values live in the store next to the session, never in the description, so
reading a session never reveals them; only ``export_public`` values leave the CAS through
the REST API (:func:`public_value`).
"""

from __future__ import annotations

import base64
import secrets as pyrandom
import string
from collections.abc import Mapping
from typing import Any

from localcas.store import SecretValue

__all__ = ["materialise", "public_value"]

_PRINTABLE = string.ascii_letters + string.digits + string.punctuation
_DEFAULT_SIZE = 20


def _generate(spec: Mapping[str, Any], values: Mapping[str, SecretValue]) -> bytes:
    kind = spec["kind"]
    size = int(spec.get("size", _DEFAULT_SIZE))
    if kind == "ascii":
        return "".join(pyrandom.choice(_PRINTABLE) for _ in range(size)).encode()
    if kind == "binary":
        return pyrandom.token_bytes(size)
    from localcas import secret_crypto  # cryptography is heavy: only when a key is needed

    if kind == "private-key":
        return secret_crypto.new_private_key().encode()
    issuer = values.get(str(spec.get("issuer", "")))
    key = values.get(str(spec.get("private_key", "")))
    return secret_crypto.new_certificate(
        common_name=str(spec.get("common_name", spec["name"])),
        dns=[str(d) for d in spec.get("dns", [])],
        is_ca=kind == "x509-ca",
        key_pem=None if key is None else key.value.decode(),
        issuer_pem=None if issuer is None else issuer.value.decode(),
    ).encode()


def _may_keep(spec: Mapping[str, Any], old_spec: Mapping[str, Any] | None) -> bool:
    """SCONE's migration table: ascii and binary kept, private keys only with migrate."""
    if old_spec is None or old_spec.get("kind") != spec["kind"] or "value" in old_spec:
        return False
    if spec["kind"] in ("ascii", "binary"):
        return bool(old_spec.get("size", _DEFAULT_SIZE) == spec.get("size", _DEFAULT_SIZE))
    if spec["kind"] == "private-key":
        return bool(spec.get("migrate")) and bool(old_spec.get("migrate"))
    return False  # x509 certificates are always regenerated


def materialise(
    description: Mapping[str, Any],
    previous_description: Mapping[str, Any] | None,
    previous_values: Mapping[str, SecretValue],
) -> dict[str, SecretValue]:
    """The secret values of a new version: explicit, kept from the previous, or generated.

    Imported secrets have no value of their own; they are resolved when used.
    """
    old_specs = {
        s["name"]: s for s in (previous_description or {}).get("secrets", []) if "import" not in s
    }
    values: dict[str, SecretValue] = {}
    # Keys before certificates, so an x509 secret can use a private-key secret.
    ordered = sorted(
        (s for s in description.get("secrets", []) if "import" not in s),
        key=lambda s: s["kind"] in ("x509", "x509-ca"),
    )
    # CA certificates before the certificates they issue.
    ordered.sort(key=lambda s: {"x509-ca": 1, "x509": 2}.get(s["kind"], 0))
    for spec in ordered:
        name, kind = spec["name"], spec["kind"]
        if "value" in spec:
            raw = spec["value"]
            data = bytes.fromhex(raw) if kind == "binary" else str(raw).encode()
            values[name] = SecretValue(kind, data)
        elif name in previous_values and _may_keep(spec, old_specs.get(name)):
            values[name] = previous_values[name]
        else:
            values[name] = SecretValue(kind, _generate(spec, values))
    return values


def public_value(value: SecretValue) -> dict[str, Any]:
    """The body `/v1/values` serves for an ``export_public`` secret.

    SCONE documents only ascii (kind ``string``). Our choices for the rest: binary as
    base64, a private key as its public key PEM (kind ``public-key``), certificates as PEM.
    """
    if value.kind == "ascii":
        kind, text = "string", value.value.decode()
    elif value.kind == "binary":
        kind, text = "binary", base64.b64encode(value.value).decode()
    elif value.kind == "private-key":
        from localcas import secret_crypto

        kind, text = "public-key", secret_crypto.public_key_pem(value.value.decode())
    else:
        from localcas import secret_crypto

        kind, text = value.kind, secret_crypto.certificate_only(value.value.decode())
    return {"kind": kind, "value": text, "expires": None, "renew": None}
