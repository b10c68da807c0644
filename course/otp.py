"""Provides the course's virtual authenticator (`scone-course otp`, and a TUI panel).

A learner "scans" a QR code by giving its file: :func:`read_account` decodes the QR code
that the SVG draws (:mod:`course.qrdecode`) to its ``otpauth://totp/…`` URI, and
:func:`current_code` computes the code an authenticator app would show, with the seconds
it stays valid. When the modules cannot be read, the URI that the course's ``otpqr`` also
writes into the SVG's ``<desc>`` is used. An ``otpauth://`` URI or a bare base32 secret
works too. ``oathtool --totp -b SECRET`` gives the same codes.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from course.errors import CourseError
from course.qrdecode import QrDecodeError, decode_svg
from localcas import totp

__all__ = ["Account", "Code", "OtpError", "current_code", "load", "read_account", "show"]

_URI = re.compile(r"otpauth://totp/[^\s<>\"']+")


class OtpError(CourseError):
    """The QR code, URI or secret cannot be used as a TOTP account."""


@dataclass(frozen=True)
class Account:
    """A TOTP account as an authenticator stores it."""

    secret: str
    issuer: str = ""
    label: str = ""
    period: int = totp.STEP


@dataclass(frozen=True)
class Code:
    """What an authenticator shows: the code and how long it stays valid."""

    code: str
    seconds_left: int
    account: Account


def _from_uri(uri: str) -> Account:
    parts = urlsplit(uri)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    secret = query.get("secret", "")
    for key, wanted in (("algorithm", "SHA1"), ("digits", "6"), ("period", "30")):
        if key in query and query[key].upper() != wanted:
            raise OtpError(f"the account uses {key}={query[key]}; this authenticator does {wanted}")
    return _checked(Account(secret, query.get("issuer", ""), unquote(parts.path.lstrip("/"))))


def _checked(account: Account) -> Account:
    try:
        key = totp.decode_secret(account.secret)
    except ValueError:
        key = b""
    if not key:
        raise OtpError("the account has no valid base32 secret")
    return account


def read_account(source: str) -> Account:
    """The account in ``source``: the text of a QR-code SVG, an otpauth URI, or a secret.

    Raises:
        OtpError: nothing usable in ``source``.
    """
    text = source.strip()
    if text.startswith("otpauth://"):
        return _from_uri(text)
    if "<svg" in text:
        try:
            scanned = decode_svg(text)
        except QrDecodeError as err:
            found = _URI.search(html.unescape(text))
            if found is None:
                raise OtpError(
                    f"cannot read this QR code ({err}); give the otpauth:// URI or the"
                    " secret instead"
                ) from err
            scanned = found.group()
        if not scanned.startswith("otpauth://totp/"):
            raise OtpError(f"the QR code holds no TOTP account (it reads {scanned[:40]!r})")
        return _from_uri(scanned)
    # A bare secret: at least 16 base32 digits (80 bits), so that a mistyped file name
    # (any word is base32) is not taken for one.
    if re.fullmatch(r"[A-Za-z2-7 =]+", text) and len(text.replace(" ", "")) >= 16:
        return _checked(Account("".join(text.split())))
    raise OtpError("expected a QR-code SVG, an otpauth://totp/ URI or a base32 secret")


def current_code(account: Account, at: float | None = None) -> Code:
    """The code of ``account`` at ``at`` (default now) and its seconds left."""
    moment = time.time() if at is None else at
    step = totp.now_step(moment)
    code = totp.code_at(totp.decode_secret(account.secret), step)
    left = account.period - int(moment % account.period)
    return Code(code, left, account)


def show(source: str, at: float | None = None) -> Code:
    """The current code for a QR-code file's text, a URI or a secret (for the TUI)."""
    return current_code(read_account(source), at)


def load(argument: str) -> str:
    """The text behind a command-line argument: a file's content, or the argument.

    Raises:
        OtpError: the argument names a file that cannot be read.
    """
    if argument.startswith("otpauth://"):
        return argument
    path = Path(argument)
    if not path.exists():
        if argument.endswith(".svg") or "/" in argument:
            raise OtpError(f"no such file: {argument}")
        return argument
    try:
        return Path(argument).read_text(encoding="utf-8")
    except OSError as err:
        raise OtpError(f"cannot read {argument}: {err.strerror}") from err
