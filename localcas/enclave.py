"""Provides the enclave side of the CAS: service configuration after attestation and OTP.

The emulated runtime asks for the configuration of ``<session>/<service>[@<otp>]`` and
reports its program's MRENCLAVE. CAS checks the OTP first (when the policy asks for one:
at most one use per time step), then the MRENCLAVE against the service's attestation
(unless ``mode: none``), and answers with what only the policy defines: command,
environment (``$$SCONE::name$$`` placeholders filled), working directory, and the volumes
with their keys and latest tags. The wire format is ours; SCONE does not document it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from localcas import totp
from localcas.cas import Cas
from localcas.errors import LocalCasError, NotFound

__all__ = ["OTP_INVALID", "OTP_USED", "AttestationFailed", "service_config"]

OTP_INVALID = "The given One-time Password is invalid. Please try again."
OTP_USED = (
    "A One-time Password was already used within this time-step. Please try again in the"
    " next time-step"
)
_CONFIG_FAILED = "Failed to retrieve service attestation configuration"
_PLACEHOLDER = re.compile(r"\$\$SCONE::([A-Za-z0-9_.~-]+)(?::([a-z0-9]+))?\$\$")


class AttestationFailed(LocalCasError):
    """CAS refuses to configure the service; ``causes`` are SCONE's "Caused by" lines."""

    def __init__(self, *causes: str) -> None:
        self.causes = [_CONFIG_FAILED, *causes]
        super().__init__("; ".join(self.causes))


def _split(config_id: str) -> tuple[str, str, str | None]:
    path, _, otp = config_id.partition("@")
    session, _, service = path.rpartition("/")
    if not session or not service:
        raise AttestationFailed(f"SCONE_CONFIG_ID '{config_id}' is not <session>/<service>")
    return session, service, otp or None


def _encode(value: bytes, kind: str, fmt: str | None) -> str:
    if fmt in (None, "") and kind == "ascii":
        return value.decode()
    if fmt is None:
        return value.hex() if kind == "binary" else value.decode()
    if fmt == "hex":
        return value.hex()
    if fmt == "base64":
        return base64.b64encode(value).decode()
    if fmt == "base64url":
        return base64.urlsafe_b64encode(value).decode()
    if fmt in ("base32", "base32nopad"):
        text = base64.b32encode(value).decode()
        return text.rstrip("=") if fmt == "base32nopad" else text
    raise AttestationFailed(f"unknown secret format ':{fmt}'")


def _fill(cas: Cas, session: str, text: str) -> str:
    def one(match: re.Match[str]) -> str:
        try:
            value = cas.resolve_secret(session, match.group(1))
        except NotFound as err:
            raise AttestationFailed(str(err)) from err
        return _encode(value.value, value.kind, match.group(2))

    return _PLACEHOLDER.sub(one, text)


def _check_otp(cas: Cas, session: str, secret: str, otp: str | None, at: float | None) -> None:
    step = None if otp is None else totp.matching_step(secret, otp, at=at)
    if step is None:
        raise AttestationFailed(OTP_INVALID)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if not cas.store.use_otp_step(session, digest, step):
        raise AttestationFailed(OTP_USED)


def _allowed_mrenclaves(service: Mapping[str, Any]) -> set[str]:
    allowed = {m.lower() for m in service.get("mrenclaves", [])}
    for variant in service.get("attestation", []):
        allowed |= {m.lower() for m in variant.get("mrenclave", [])}
    return allowed


def _volumes(
    cas: Cas, session: str, description: Mapping[str, Any], service: Mapping[str, Any]
) -> list[dict[str, Any]]:
    images = {i["name"]: i for i in description.get("images", [])}
    declared = {v["name"]: v for v in description.get("volumes", [])}
    image = images.get(service.get("image_name", ""), {})
    mounted = []
    for mount in image.get("volumes", []):
        spec = declared[mount["name"]]
        owner, name = session, spec["name"]
        if "import" in spec:
            owner, name = spec["import"]["session"], spec["import"]["volume"]
            exporter = cas.store.current(owner)
            exported = (
                None
                if exporter is None
                else next(
                    (v for v in exporter.description.get("volumes", []) if v["name"] == name), None
                )
            )
            targets = [] if exported is None else exported.get("export", [])
            if not any(t.get("session") == session for t in targets):
                raise AttestationFailed(
                    f"volume '{mount['name']}' is imported from '{owner}', which does not"
                    f" export '{name}' to '{session}'"
                )
        record = cas.store.volume(owner, name)
        mounted.append(
            {
                "path": mount["path"],
                "owner": owner,
                "name": name,
                "key": record.key.hex(),
                "tag": record.tag,
            }
        )
    return mounted


def service_config(
    cas: Cas, config_id: str, mrenclave: str, at: float | None = None
) -> dict[str, Any]:
    """The configuration of a service for a program with ``mrenclave``.

    Raises:
        AttestationFailed: with SCONE's "Caused by" texts.
    """
    session, service_name, otp = _split(config_id)
    current = cas.store.current(session)
    if current is None:
        raise AttestationFailed(f"Session '{session}' not found")
    description = current.description
    service = next((s for s in description.get("services", []) if s["name"] == service_name), None)
    if service is None:
        raise AttestationFailed(f"Session '{session}' has no service '{service_name}'")
    security = (description.get("security") or {}).get("attestation") or {}
    secret = service.get("one_time_password_shared_secret") or security.get(
        "one_time_password_shared_secret"
    )
    if secret:
        _check_otp(cas, session, _fill(cas, session, str(secret)), otp, at)
    if security.get("mode", "hardware") != "none" and (
        mrenclave.lower() not in _allowed_mrenclaves(service)
    ):
        raise AttestationFailed(
            f"Attestation failed: MRENCLAVE {mrenclave} is not permitted by the policy"
            f" of service '{service_name}'"
        )
    command = service.get("command", [])
    if isinstance(command, str):
        command = command.split()
    return {
        "session": session,
        "service": service_name,
        "command": [_fill(cas, session, str(c)) for c in command],
        "environment": {
            k: _fill(cas, session, str(v)) for k, v in (service.get("environment") or {}).items()
        },
        "pwd": service.get("pwd", "/"),
        "volumes": _volumes(cas, session, description, service),
    }
