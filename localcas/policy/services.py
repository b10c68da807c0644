"""Validates ``services``, ``images`` and ``volumes`` (what runs, and what it mounts)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from localcas.policy.checks import (
    Path,
    as_hex,
    as_int,
    as_list,
    as_mapping,
    as_segment,
    as_str,
    as_str_list,
    check_keys,
    check_unique,
    fail,
    kind_of,
    plain,
)
from localcas.policy.secrets import normalise_exports, normalise_import

SERVICE_KEYS = (
    "name",
    "command",
    "environment",
    "pwd",
    "image_name",
    "attestation",
    "mrenclaves",
    "one_time_password_shared_secret",
    "fspf_path",
    "fspf_key",
    "fspf_tag",
    "platforms",
    "persistency",
)
SIGNER_KEYS = ("mrsigner", "isvprodid", "isvsvn", "isvsvn_min", "isvsvn_max")
IMAGE_KEYS = ("name", "volumes", "injection_files")
MOUNT_KEYS = ("name", "path", "update_policy")
UPDATE_POLICIES = ("rollback_protected", "ephemeral", "no_rollback_protection")
VOLUME_KEYS = ("name", "export", "import", "fspf_key", "fspf_tag")


def _mrenclaves(value: object, path: Path) -> list[str]:
    """One MRENCLAVE or a list of them, as a list of lower-case hex strings."""
    if isinstance(value, str):
        return [as_hex(value, path, digits=64, what="an MRENCLAVE")]
    items = as_list(value, path, example="[<64 hex digits>]")
    if not items:
        fail("needs at least one MRENCLAVE", path)
    return [
        as_hex(item, (*path, i), digits=64, what="an MRENCLAVE") for i, item in enumerate(items)
    ]


def _signer(value: object, path: Path) -> dict[str, Any]:
    mapping = as_mapping(value, path)
    check_keys(mapping, SIGNER_KEYS, path, required=("mrsigner",))
    if "isvsvn" in mapping and ("isvsvn_min" in mapping or "isvsvn_max" in mapping):
        fail("give either isvsvn or isvsvn_min/isvsvn_max, not both", path)
    out: dict[str, Any] = {
        "mrsigner": as_hex(mapping["mrsigner"], (*path, "mrsigner"), digits=64, what="mrsigner")
    }
    for key in SIGNER_KEYS[1:]:
        if key in mapping:
            out[key] = as_int(mapping[key], (*path, key), maximum=65535)
    if out.get("isvsvn_min", 0) > out.get("isvsvn_max", 65535):
        fail("isvsvn_min must not be larger than isvsvn_max", path)
    return out


def _attestation(value: object, path: Path) -> list[dict[str, Any]]:
    """Service attestation variants: a mapping is one variant, a list offers alternatives."""
    single = not isinstance(value, list | tuple)
    items = [value] if single else as_list(value, path)
    if not items:
        fail("needs at least one variant such as {mrenclave: [<64 hex>]}", path)
    variants = []
    for index, item in enumerate(items):
        here = path if single else (*path, index)
        mapping = as_mapping(item, here)
        check_keys(mapping, ("mrenclave", "signer"), here)
        if not mapping:
            fail("an attestation variant needs 'mrenclave' or 'signer'", here)
        variant: dict[str, Any] = {}
        if "mrenclave" in mapping:
            variant["mrenclave"] = _mrenclaves(mapping["mrenclave"], (*here, "mrenclave"))
        if "signer" in mapping:
            variant["signer"] = _signer(mapping["signer"], (*here, "signer"))
        variants.append(variant)
    return variants


def _environment(value: object, path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, item in as_mapping(value, path).items():
        here = (*path, key)
        if not key or "=" in key:
            fail(f"invalid environment variable name {key!r}", here)
        if isinstance(item, bool):
            out[key] = "true" if item else "false"
        elif isinstance(item, int | float):
            out[key] = str(item)
        elif isinstance(item, str):
            out[key] = item
        else:
            fail(
                f"an environment value must be text, not {kind_of(item)}; "
                "write '' for an empty value",
                here,
            )
    return out


def _command(value: object, path: Path) -> str | list[str]:
    if isinstance(value, str):
        return value
    return as_str_list(value, path, example="[/bin/app, --flag]")


def normalise_service(value: object, path: Path, *, images: Collection[str]) -> dict[str, Any]:
    """One entry of ``services``; ``images`` are the names defined under ``images``."""
    mapping = as_mapping(value, path)
    check_keys(mapping, SERVICE_KEYS, path, required=("name",))
    out: dict[str, Any] = {
        "name": as_segment(mapping["name"], (*path, "name"), what="service name")
    }
    for key in SERVICE_KEYS[1:]:
        if key not in mapping:
            continue
        raw, here = mapping[key], (*path, key)
        if key == "command":
            out[key] = _command(raw, here)
        elif key == "environment":
            out[key] = _environment(raw, here)
        elif key == "image_name":
            name = as_str(raw, here)
            if name not in images:
                known = ", ".join(images) if images else "none"
                fail(f"image {name!r} is not defined under 'images' (defined: {known})", here)
            out[key] = name
        elif key == "attestation":
            out[key] = _attestation(raw, here)
        elif key == "mrenclaves":
            out[key] = _mrenclaves(as_list(raw, here, example="[<64 hex digits>]"), here)
        elif key == "fspf_key":
            out[key] = as_hex(raw, here, digits=64, what="fspf_key")
        elif key == "fspf_tag":
            out[key] = as_hex(raw, here, digits=32, what="fspf_tag")
        elif key == "platforms":
            out[key] = as_str_list(raw, here)
        elif key == "one_time_password_shared_secret":
            out[key] = as_str(raw, here, allow_empty=False)
        else:  # pwd, fspf_path
            out[key] = as_str(raw, here)
    return out


def _mount(value: object, path: Path, *, volumes: Collection[str]) -> dict[str, str]:
    mapping = as_mapping(value, path)
    check_keys(mapping, MOUNT_KEYS, path, required=("name", "path"))
    name = as_segment(mapping["name"], (*path, "name"), what="volume name")
    if name not in volumes:
        fail(
            f"volume {name!r} is not declared under the top-level 'volumes'; add "
            f"`volumes: [{{name: {name}}}]` to the session",
            (*path, "name"),
        )
    mount_path = as_str(mapping["path"], (*path, "path"))
    if not mount_path.startswith("/"):
        fail(
            f"the mount path must be absolute (start with '/'), not {mount_path!r}", (*path, "path")
        )
    out = {"name": name, "path": mount_path}
    if "update_policy" in mapping:
        policy = as_str(mapping["update_policy"], (*path, "update_policy"))
        if policy not in UPDATE_POLICIES:
            fail(
                f"unknown update_policy {policy!r}; use one of {', '.join(UPDATE_POLICIES)}",
                (*path, "update_policy"),
            )
        out["update_policy"] = policy
    return out


def normalise_image(value: object, path: Path, *, volumes: Collection[str]) -> dict[str, Any]:
    """One entry of ``images``; ``volumes`` are the names declared under ``volumes``."""
    mapping = as_mapping(value, path)
    check_keys(mapping, IMAGE_KEYS, path, required=("name",))
    out: dict[str, Any] = {"name": as_segment(mapping["name"], (*path, "name"), what="image name")}
    if "volumes" in mapping:
        here = (*path, "volumes")
        mounts = as_list(mapping["volumes"], here, example="[{name: v, path: /data}]")
        out["volumes"] = [_mount(m, (*here, i), volumes=volumes) for i, m in enumerate(mounts)]
    if "injection_files" in mapping:
        here = (*path, "injection_files")
        files = as_list(mapping["injection_files"], here)
        for index, item in enumerate(files):
            if not isinstance(item, str):  # {path, content, permission}: known keys first
                entry = as_mapping(item, (*here, index))
                first = [key for key in ("path", "content", "permission") if key in entry]
                files[index] = {key: entry[key] for key in [*first, *entry]}
        out["injection_files"] = plain(files, here)
    return out


def normalise_volume(value: object, path: Path) -> dict[str, Any]:
    """One entry of the top-level ``volumes``."""
    mapping = as_mapping(value, path)
    check_keys(mapping, VOLUME_KEYS, path, required=("name",))
    out: dict[str, Any] = {"name": as_segment(mapping["name"], (*path, "name"), what="volume name")}
    if "import" in mapping:
        for key in ("export", "fspf_key", "fspf_tag"):
            if key in mapping:
                fail(f"'{key}' cannot be combined with 'import'", (*path, key))
        out["import"] = normalise_import(mapping["import"], (*path, "import"), item="volume")
    if "export" in mapping:
        out["export"] = normalise_exports(
            mapping["export"], (*path, "export"), allow_namespace=False
        )
    if "fspf_key" in mapping:
        out["fspf_key"] = as_hex(
            mapping["fspf_key"], (*path, "fspf_key"), digits=64, what="fspf_key"
        )
    if "fspf_tag" in mapping:
        out["fspf_tag"] = as_hex(
            mapping["fspf_tag"], (*path, "fspf_tag"), digits=32, what="fspf_tag"
        )
    return out


def normalise_services(
    value: object, path: Path, *, images: Collection[str]
) -> list[dict[str, Any]]:
    """The ``services`` list; names must be unique."""
    items = as_list(value, path, example="[{name: app, command: /bin/app}]")
    out = [normalise_service(item, (*path, i), images=images) for i, item in enumerate(items)]
    check_unique(((s["name"], (*path, i, "name")) for i, s in enumerate(out)), "service")
    return out


def normalise_images(
    value: object, path: Path, *, volumes: Collection[str]
) -> list[dict[str, Any]]:
    """The ``images`` list; names must be unique."""
    items = as_list(value, path, example="[{name: my_image}]")
    out = [normalise_image(item, (*path, i), volumes=volumes) for i, item in enumerate(items)]
    check_unique(((s["name"], (*path, i, "name")) for i, s in enumerate(out)), "image")
    return out


def normalise_volumes(value: object, path: Path) -> list[dict[str, Any]]:
    """The top-level ``volumes`` list; names must be unique."""
    items = as_list(value, path, example="[{name: my_volume}]")
    out = [normalise_volume(item, (*path, i)) for i, item in enumerate(items)]
    check_unique(((s["name"], (*path, i, "name")) for i, s in enumerate(out)), "volume")
    return out
