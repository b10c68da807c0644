"""Validates a whole session description and returns its normalised form.

The normalised form is what the stand-in CAS stores, hashes and prints: plain JSON
types only, the documented defaults filled in (``version``, ``predecessor``,
``access_policy``, each secret's ``export_public``, ``security.attestation.mode``),
every other absent key left absent, and list order kept. Validating a normalised form
returns an equal dict, so :func:`validate` is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from localcas.policy.access import normalise_access_policy, normalise_creator
from localcas.policy.checks import (
    SEGMENT_RE,
    SEGMENT_RULE,
    Path,
    as_bool,
    as_mapping,
    as_str,
    as_str_list,
    check_keys,
    fail,
)
from localcas.policy.secrets import normalise_secrets
from localcas.policy.services import normalise_images, normalise_services, normalise_volumes

TOP_LEVEL_KEYS = (
    "name",
    "version",
    "predecessor",
    "creator",
    "access_policy",
    "secrets",
    "services",
    "images",
    "volumes",
    "security",
)
DEFAULT_VERSION = "0.2"
ATTESTATION_KEYS = (
    "mode",
    "tolerate",
    "ignore_advisories",
    "one_time_password_shared_secret",
    "trusted_scone_qe_pubkeys",
    "singleton_enclaves",
    "service_access_token",
)
ATTESTATION_MODES = ("hardware", "none", "maa")
TOLERATIONS = (
    "debug-mode",
    "hyperthreading",
    "insecure-igpu",
    "software-hardening-needed",
    "aepic-leak",
    "insecure-configuration",
    "outdated-tcb",
)

_VERSION_RE = re.compile(r"0\.2|0\.3(?:\.[0-9]+)?")
_HASH_RE = re.compile(r"[0-9a-fA-F]{64}")


def check_version(value: object) -> str:
    """The session language version; ``"0.2"``, ``"0.3"`` or ``"0.3.<n>"``."""
    path: Path = ("version",)
    if isinstance(value, int | float) and not isinstance(value, bool):
        fail(f'version must be a string such as "0.3", not the number {value}', path)
    text = as_str(value, path).strip()
    if not _VERSION_RE.fullmatch(text):
        fail(
            f'unsupported version {text!r}; supported versions: "0.2", "0.3" and '
            '"0.3.<n>" such as "0.3.10"',
            path,
        )
    return text


def check_session_name(value: object, path: Path = ("name",)) -> str:
    """A session name: '/'-separated segments, each from the RFC 3986 unreserved set."""
    if value is None or value == "":
        fail(
            "the session name is empty; if it comes from a template variable such as $NS, "
            "give that variable a value",
            path,
        )
    name = as_str(value, path)
    allowed = f"each '/'-separated part must be {SEGMENT_RULE}"
    if name.startswith("/") or name.endswith("/"):
        fail(f"invalid session name {name!r}: it must not start or end with '/'; {allowed}", path)
    for segment in name.split("/"):
        if segment == "":
            fail(f"invalid session name {name!r}: empty part between '/'; {allowed}", path)
        if segment in (".", ".."):
            fail(f"invalid session name {name!r}: '.' and '..' are not names; {allowed}", path)
        if not SEGMENT_RE.fullmatch(segment):
            bad = sorted({c for c in segment if not SEGMENT_RE.fullmatch(c)})
            what = f"characters {''.join(bad)!r} not allowed" if bad else "part too long"
            fail(f"invalid session name {name!r} ({what}): {allowed}", path)
    return name


def check_predecessor(value: object) -> str | None:
    """None for a first version, otherwise the 64-hex hash of the version it replaces."""
    if value is None:
        return None
    text = as_str(value, ("predecessor",)).strip()
    if not _HASH_RE.fullmatch(text):
        fail(
            f"predecessor must be the 64-hex-digit hash of the current session version "
            f"(or null for a new session), not {text!r}",
            ("predecessor",),
        )
    return text.lower()


def _attestation_section(value: object, path: Path) -> dict[str, Any]:
    mapping = as_mapping(value, path) if value is not None else {}
    check_keys(mapping, ATTESTATION_KEYS, path)
    out: dict[str, Any] = {"mode": "hardware"}
    for key in ATTESTATION_KEYS:
        if key not in mapping:
            continue
        raw, here = mapping[key], (*path, key)
        if key == "mode":
            mode = as_str(raw, here)
            if mode not in ATTESTATION_MODES:
                fail(f"unknown mode {mode!r}; use one of {', '.join(ATTESTATION_MODES)}", here)
            out[key] = mode
        elif key == "tolerate":
            tolerate = as_str_list(raw, here, example="[debug-mode, hyperthreading]")
            for index, item in enumerate(tolerate):
                if item not in TOLERATIONS:
                    fail(
                        f"unknown tolerate entry {item!r}; allowed: {', '.join(TOLERATIONS)}",
                        (*here, index),
                    )
            out[key] = tolerate
        elif key == "ignore_advisories":
            out[key] = raw if raw == "*" else as_str_list(raw, here, example="[INTEL-SA-00334]")
        elif key == "singleton_enclaves":
            out[key] = as_bool(raw, here)
        elif key == "trusted_scone_qe_pubkeys":
            out[key] = as_str_list(raw, here)
        else:  # one_time_password_shared_secret, service_access_token
            out[key] = as_str(raw, here, allow_empty=False)
    if out.get("ignore_advisories") == "*" and "debug-mode" not in out.get("tolerate", []):
        fail(
            'ignore_advisories: "*" is only allowed together with tolerate: [debug-mode]',
            (*path, "ignore_advisories"),
        )
    return out


def _security(value: object, path: Path) -> dict[str, Any]:
    mapping = as_mapping(value, path) if value is not None else {}
    check_keys(mapping, ("attestation",), path)
    return {"attestation": _attestation_section(mapping.get("attestation"), (*path, "attestation"))}


def _check_services_attested(normalised: Mapping[str, Any]) -> None:
    security = normalised.get("security")
    mode = security["attestation"]["mode"] if security else "hardware"
    if mode == "none":
        return
    for index, service in enumerate(normalised.get("services", [])):
        if "attestation" not in service and "mrenclaves" not in service:
            fail(
                f"service {service['name']!r} has no attestation; add `attestation: "
                "{mrenclave: [<64 hex digits>]}` to it, or disable attestation with "
                "`security: {attestation: {mode: none}}`",
                ("services", index),
            )


def validate(data: Mapping[str, Any]) -> dict[str, Any]:
    """Checks a session description and returns its normalised form (a new dict).

    Raises :class:`~localcas.errors.PolicyError` with the path of the offending entry.
    """
    mapping = as_mapping(data, ())
    check_keys(mapping, TOP_LEVEL_KEYS, ())
    if "name" not in mapping:
        fail("missing required key 'name'; every session needs a name", ())
    version = check_version(mapping["version"]) if "version" in mapping else DEFAULT_VERSION
    version03 = version != DEFAULT_VERSION
    out: dict[str, Any] = {
        "version": version,
        "name": check_session_name(mapping["name"]),
        "predecessor": check_predecessor(mapping.get("predecessor")),
    }
    volumes: list[dict[str, Any]] | None = None
    images: list[dict[str, Any]] | None = None
    if "volumes" in mapping:
        volumes = normalise_volumes(mapping["volumes"], ("volumes",))
    if "images" in mapping:
        declared = [volume["name"] for volume in volumes or []]
        images = normalise_images(mapping["images"], ("images",), volumes=declared)
    if "services" in mapping:
        known = [image["name"] for image in images or []]
        out["services"] = normalise_services(mapping["services"], ("services",), images=known)
    if images is not None:
        out["images"] = images
    if volumes is not None:
        out["volumes"] = volumes
    if "secrets" in mapping:
        out["secrets"] = normalise_secrets(mapping["secrets"], ("secrets",))
    out["access_policy"] = normalise_access_policy(
        mapping.get("access_policy"), ("access_policy",), version03=version03
    )
    if "security" in mapping:
        out["security"] = _security(mapping["security"], ("security",))
    if mapping.get("creator") is not None:
        out["creator"] = normalise_creator(mapping["creator"], ("creator",))
    _check_services_attested(out)
    return out


__all__ = ["check_session_name", "validate"]
