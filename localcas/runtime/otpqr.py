"""Provides ``otpqr``: the course's confidential QR-code generator (OTP Assignment 1).

It reads its whole configuration from the environment, which a SCONE policy provides
after attestation — so the OTP secret never appears on a command line or in a terminal:

- ``OTP_SINGLE_USE``: a marker file; the QR code is issued only when it does not exist
  yet (unless ``OTP_RESET`` is set), and it is created (and synced) before the QR code;
- ``OTP_ACCOUNT_NAME``, ``OTP_ACCOUNT_LOGIN``: issuer and account shown by authenticators;
- ``OTP_SECRET``: the base32 TOTP secret;
- ``OTP_OUTPUT_FILE``: where the SVG goes;
- optional ``OTP_RESET`` (skip the marker check) and ``OTP_URL`` (write an ``open <URL>``
  line instead of an SVG).

Errors print a usage text and ``error: opt_qr:  <message>`` on stderr, exit status 1.
Success prints nothing and exits 0. The SVG (200×200 points, error correction H) holds the
``otpauth://totp/…`` URI; the URI is also in the SVG's ``<desc>``, so that the course's
virtual authenticator (``scone-course otp``) can "scan" it without a camera.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from typing import TextIO
from urllib.parse import quote, urlencode

from localcas.runtime.container import Container
from localcas.totp import decode_secret

__all__ = ["main", "otpauth_uri"]

_USAGE = """\
otpqr: writes the QR code of a TOTP account to a file, at most once.

Configuration (environment variables, set by the SCONE policy):
  OTP_SINGLE_USE     marker file; the QR code is issued only while it does not exist
  OTP_ACCOUNT_NAME   issuer shown by the authenticator
  OTP_ACCOUNT_LOGIN  account (user) shown by the authenticator
  OTP_SECRET         base32 TOTP secret (never printed)
  OTP_OUTPUT_FILE    where to write the SVG
  OTP_RESET          optional: issue the QR code even if the marker exists
  OTP_URL            optional: write an `open <URL>` line instead of an SVG
"""
_REQUIRED = (
    "OTP_SINGLE_USE",
    "OTP_ACCOUNT_NAME",
    "OTP_ACCOUNT_LOGIN",
    "OTP_SECRET",
    "OTP_OUTPUT_FILE",
)


class _Refused(Exception):
    pass


def otpauth_uri(secret: str, login: str, account: str) -> str:
    """The key URI authenticator apps read: ``otpauth://totp/ACCOUNT:LOGIN?secret=…``."""
    label = quote(f"{account}:{login}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": account, "algorithm": "SHA1", "digits": "6", "period": "30"},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def _svg(uri: str) -> bytes:
    import segno

    code = segno.make(uri, error="h", micro=False)
    out = io.BytesIO()
    # Scale so the picture is about 200 points wide, as the original's.
    size = code.symbol_size(border=4)[0]
    code.save(
        out, kind="svg", scale=max(1, round(200 / size)), border=4, title="OTP account", desc=uri
    )
    return out.getvalue()


def _run(env: Mapping[str, str], container: Container) -> None:
    for name in _REQUIRED:
        if name not in env:
            raise _Refused(f"environment variable {name} not defined")
    try:
        decode_secret(env["OTP_SECRET"])
    except ValueError as err:
        raise _Refused("OTP_SECRET is not a base32 secret (RFC 4648: A-Z and 2-7)") from err
    marker = container.host(env["OTP_SINGLE_USE"])
    if "OTP_RESET" not in env and marker.exists():
        raise _Refused(f"OTP_SINGLE_USE (={env['OTP_SINGLE_USE']}) already exists!")
    uri = otpauth_uri(env["OTP_SECRET"], env["OTP_ACCOUNT_LOGIN"], env["OTP_ACCOUNT_NAME"])
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        with marker.open("w") as handle:
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise _Refused(
            f"cannot create OTP_SINGLE_USE (={env['OTP_SINGLE_USE']}): {err.strerror}"
        ) from err
    if "OTP_URL" in env:
        chart = "https://chart.googleapis.com/chart?" + urlencode(
            {"chs": "200x200", "chld": "H|0", "cht": "qr", "chl": uri}
        )
        data = f"open {chart}\n".encode()
    else:
        data = _svg(uri)
    output = container.host(env["OTP_OUTPUT_FILE"])
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as err:
        raise _Refused(
            f"cannot write OTP_OUTPUT_FILE (={env['OTP_OUTPUT_FILE']}): {err.strerror}"
        ) from err


def main(
    env: Mapping[str, str], args: list[str], container: Container, stderr: TextIO = sys.stderr
) -> int:
    """Runs otpqr; the exit status (0 issued, 1 refused)."""
    del args  # otpqr takes no arguments; everything comes from the environment
    try:
        _run(env, container)
    except _Refused as refused:
        stderr.write(_USAGE + f"\nerror: opt_qr:  {refused}\n")
        return 1
    return 0
