"""Validates the ``secrets`` section and the export/import forms shared with volumes."""

from __future__ import annotations

import re
from typing import Any

from localcas.policy.checks import (
    Path,
    as_bool,
    as_hex,
    as_int,
    as_list,
    as_mapping,
    as_segment,
    as_session_ref,
    as_str,
    as_str_list,
    check_keys,
    check_unique,
    fail,
)

KINDS = ("ascii", "binary", "private-key", "x509", "x509-ca")
GENERATED_ONLY_KINDS = ("private-key", "x509", "x509-ca")
CERTIFICATE_KINDS = ("x509", "x509-ca")
CERTIFICATE_KEYS = ("private_key", "issuer", "common_name", "dns")
SECRET_KEYS = (
    "name",
    "kind",
    "value",
    "size",
    "export",
    "export_public",
    "import",
    "migrate",
    *CERTIFICATE_KEYS,
)
EXPORT_KEYS = ("session", "namespace", "session_hash")
# Generated secrets are produced by the stand-in CAS itself; this keeps requests sane.
MAX_SECRET_SIZE = 65536

_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2})+")


def _export_target(value: object, path: Path, *, allow_namespace: bool) -> dict[str, str]:
    if isinstance(value, str):  # 0.2 style: the name of the importing session
        return {"session": as_session_ref(value, path)}
    mapping = as_mapping(value, path)
    check_keys(mapping, EXPORT_KEYS, path)
    if ("session" in mapping) == ("namespace" in mapping):
        fail("an export target needs exactly one of 'session' or 'namespace'", path)
    if "namespace" in mapping:
        if not allow_namespace:
            fail(
                "volumes cannot be exported to a namespace; name the session instead",
                (*path, "namespace"),
            )
        if "session_hash" in mapping:
            fail("session_hash can only be given together with 'session'", (*path, "session_hash"))
        return {"namespace": as_session_ref(mapping["namespace"], (*path, "namespace"))}
    out = {"session": as_session_ref(mapping["session"], (*path, "session"))}
    if "session_hash" in mapping:
        out["session_hash"] = as_hex(
            mapping["session_hash"], (*path, "session_hash"), digits=64, what="session_hash"
        )
    return out


def normalise_exports(value: object, path: Path, *, allow_namespace: bool) -> list[dict[str, str]]:
    """``export`` as a list of targets; a single mapping or a session name is one target."""
    if isinstance(value, str) or (value is not None and not isinstance(value, list | tuple)):
        return [_export_target(value, path, allow_namespace=allow_namespace)]
    items = as_list(value, path, example="[{session: other-session}]")
    return [
        _export_target(item, (*path, index), allow_namespace=allow_namespace)
        for index, item in enumerate(items)
    ]


def normalise_import(value: object, path: Path, *, item: str) -> dict[str, str]:
    """``import: {session: S, <item>: N}`` where ``item`` is "secret" or "volume"."""
    if isinstance(value, str):
        fail(f"import must be a mapping such as {{session: other-session, {item}: name}}", path)
    mapping = as_mapping(value, path)
    check_keys(mapping, ("session", item), path, required=("session", item))
    return {
        "session": as_session_ref(mapping["session"], (*path, "session")),
        item: as_segment(mapping[item], (*path, item), what=f"{item} name"),
    }


def _value(value: object, kind: str | None, path: Path) -> str:
    if kind in GENERATED_ONLY_KINDS:
        fail(f"a {kind} secret cannot have a value; CAS generates it", path)
    text = as_str(value, path)
    if kind == "binary" and not _HEX_RE.fullmatch(text):
        fail("a binary value must be written as hex digits (an even number of them)", path)
    return text


def normalise_secret(value: object, path: Path) -> dict[str, Any]:
    """One entry of ``secrets`` in normalised form (``export_public`` always present)."""
    mapping = as_mapping(value, path)
    check_keys(mapping, SECRET_KEYS, path, required=("name",))

    def at(key: str) -> Path:
        return (*path, key)

    imported = "import" in mapping
    if imported:
        for key in ("value", "size", "export"):
            if key in mapping:
                fail(f"'{key}' cannot be combined with 'import'", at(key))
        if mapping.get("export_public") is True:
            fail(
                "an imported secret cannot be made public (export_public: true)",
                at("export_public"),
            )
    if "value" in mapping and "size" in mapping:
        fail("give either 'value' or 'size', not both", at("size"))

    out: dict[str, Any] = {"name": as_segment(mapping["name"], at("name"), what="secret name")}
    kind: str | None = None
    if "kind" in mapping:
        kind = as_str(mapping["kind"], at("kind"))
        if kind not in KINDS:
            fail(f"unknown kind {kind!r}; supported kinds: {', '.join(KINDS)}", at("kind"))
        out["kind"] = kind
    elif not imported:
        fail(
            f"missing required key 'kind' (one of {', '.join(KINDS)}); "
            "only imported secrets may leave it out",
            path,
        )
    if "value" in mapping:
        out["value"] = _value(mapping["value"], kind, at("value"))
    if "size" in mapping:
        out["size"] = as_int(mapping["size"], at("size"), minimum=1, maximum=MAX_SECRET_SIZE)
    if imported:
        out["import"] = normalise_import(mapping["import"], at("import"), item="secret")
    if "export" in mapping:
        out["export"] = normalise_exports(mapping["export"], at("export"), allow_namespace=True)
    out["export_public"] = (
        as_bool(mapping["export_public"], at("export_public"))
        if "export_public" in mapping
        else False
    )
    if "migrate" in mapping:
        out["migrate"] = as_bool(mapping["migrate"], at("migrate"))
    for key in CERTIFICATE_KEYS:
        if key not in mapping:
            continue
        if kind not in CERTIFICATE_KINDS:
            fail(f"'{key}' is only allowed for kinds x509 and x509-ca", at(key))
        if key == "dns":
            out[key] = as_str_list(mapping[key], at(key), example="[example.com]")
        elif key == "common_name":
            out[key] = as_str(mapping[key], at(key), allow_empty=False)
        else:
            out[key] = as_segment(mapping[key], at(key), what=f"{key} secret name")
    return out


def normalise_secrets(value: object, path: Path) -> list[dict[str, Any]]:
    """The ``secrets`` list; names must be unique."""
    items = as_list(value, path, example="[{name: my_secret, kind: ascii}]")
    secrets = [normalise_secret(item, (*path, index)) for index, item in enumerate(items)]
    check_unique(((s["name"], (*path, i, "name")) for i, s in enumerate(secrets)), "secret")
    return secrets
