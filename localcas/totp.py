"""Provides TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) for the OTP checks.

The CAS accepts an OTP at most once per time step. :func:`matching_step` therefore says
*which* step a code belongs to (the current one, or the one before, to forgive a slow
container start), so the caller can refuse a second use of that step. Codes are compared
in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

__all__ = ["STEP", "code_at", "decode_secret", "matching_step", "now_step"]

STEP = 30
DIGITS = 6


def decode_secret(secret: str) -> bytes:
    """The key of a base32 secret (case, spaces and missing padding forgiven).

    Raises:
        ValueError: not base32.
    """
    text = "".join(secret.split()).upper()
    text += "=" * (-len(text) % 8)
    return base64.b32decode(text)


def code_at(key: bytes, step: int) -> str:
    """The 6-digit code of time step ``step`` (RFC 4226 dynamic truncation)."""
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def now_step(at: float | None = None) -> int:
    """The time step of ``at`` (default: now)."""
    return int((time.time() if at is None else at) // STEP)


def matching_step(secret: str, code: str, *, at: float | None = None, back: int = 1) -> int | None:
    """The step (current, or up to ``back`` before it) whose code is ``code``; else None."""
    try:
        key = decode_secret(secret)
    except ValueError:
        return None
    candidate = "".join(code.split())
    current = now_step(at)
    found = None
    for step in range(current - back, current + 1):
        # Check every candidate step, so timing does not tell which one matched.
        if hmac.compare_digest(code_at(key, step), candidate):
            found = step
    return found
