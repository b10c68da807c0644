"""Provides the plain-text transcript of a cast, with run-specific values normalised.

A transcript is what ``asciinema cat`` prints, as text (escape sequences gone, lines as
the terminal showed them), with every value that differs from one recording to the next
replaced by a stable placeholder, so that two recordings of the same solution give the
same transcript and a golden file can be compared in CI:

- the sandbox directory (``…/boxes/<id>``) → ``<sandbox>``;
- a loopback CAS address (``127.x.y.z``) → ``<cas-address>``;
- the random part of a namespace name → ``my_exercise-<user>-<suffix>``;
- a 64-hex-digit hash (session, MRENCLAVE) → ``<hash-1>``, ``<hash-2>``, … by first use;
- a random hex suffix of 16–40 digits (``otp-d57e…``) → ``otp-<suffix>``;
- a Base58 key hash → ``<key-hash-1>``, … by first use;
- the body of a PEM certificate (new keys every run) → ``<certificate-1>``, … by first use;
- a ``mktemp`` suffix of the course's files (``state.env.Ab12Cd``) → ``state.env.XXXXXX``.

Numbering by first use keeps the structure visible: when the same hash shows up twice,
both show the same placeholder, and a hash that changed where it should not shows as a
different number in the diff.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from grader.cast import read_cast
from grader.report.terminal import plain_text

__all__ = ["cast_text", "normalise_transcript", "transcript_of"]

_SANDBOX = re.compile(r"/[^\s'\"]*?/boxes/[0-9a-f]{12}")
_ADDRESS = re.compile(r"\b127\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")
_NAMESPACE = re.compile(r"\bmy_exercise-[A-Za-z0-9_.~]*-[0-9a-f]{8}\b")
_HASH = re.compile(r"\b[0-9a-f]{64}\b")
_HEX_SUFFIX = re.compile(r"\b([A-Za-z][A-Za-z0-9_.~]*)-[0-9a-f]{16,40}\b")
_KEY_HASH = re.compile(r"\b[1-9A-HJ-NP-Za-km-z]{40,50}\b")
_CERTIFICATE = re.compile(
    r"^([ \t]*)-----BEGIN CERTIFICATE-----\n(.*?)\n[ \t]*-----END CERTIFICATE-----",
    re.DOTALL | re.MULTILINE,
)
_MKTEMP = re.compile(r"\b([\w.-]+\.)[A-Za-z0-9]{6}\b(?=\W|$)")
_MKTEMP_BASES = ("state.env.", "cas_cert.crt.", "values.json.", "client.pem.")
_OTP_IN_CONFIG_ID = re.compile(r"(\w/[\w.~-]+)@\d{6}\b")
"""A one-time password appended to a service's config id: ``<session>/<service>@123456``."""


def cast_text(events: Iterable[tuple[float, str, str]]) -> str:
    """What ``asciinema cat`` shows: the output events, concatenated, as plain text."""
    raw = "".join(data for _, code, data in events if code == "o")
    text = plain_text(raw)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def _numbered(pattern: re.Pattern[str], name: str, text: str) -> str:
    seen: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(0), f"<{name}-{len(seen) + 1}>")

    return pattern.sub(placeholder, text)


def normalise_transcript(text: str) -> str:
    """Replaces the run-specific values of a transcript by stable placeholders."""
    certificates: dict[str, str] = {}

    def certificate(match: re.Match[str]) -> str:
        indent, body = match.group(1), match.group(2)
        key = "\n".join(line.strip() for line in body.split("\n"))
        label = certificates.setdefault(key, f"<certificate-{len(certificates) + 1}>")
        return (
            f"{indent}-----BEGIN CERTIFICATE-----\n{indent}{label}\n"
            f"{indent}-----END CERTIFICATE-----"
        )

    text = _CERTIFICATE.sub(certificate, text)
    text = _SANDBOX.sub("<sandbox>", text)
    text = _ADDRESS.sub("<cas-address>", text)
    text = _NAMESPACE.sub("my_exercise-<user>-<suffix>", text)
    text = _numbered(_HASH, "hash", text)
    text = _HEX_SUFFIX.sub(r"\1-<suffix>", text)
    text = _numbered(_KEY_HASH, "key-hash", text)
    text = _OTP_IN_CONFIG_ID.sub(r"\1@<otp>", text)

    def temp_name(match: re.Match[str]) -> str:
        base = match.group(1)
        return f"{base}XXXXXX" if base in _MKTEMP_BASES else match.group(0)

    return _MKTEMP.sub(temp_name, text)


def transcript_of(cast: Path) -> str:
    """The normalised transcript of the cast file at ``cast``.

    Raises:
        OSError: it cannot be read.
        ValueError: it is not asciicast v2.
    """
    _, events = read_cast(cast)
    return normalise_transcript(cast_text(events))
