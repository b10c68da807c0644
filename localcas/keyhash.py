"""Provides SCONE key hashes: Base58Check (version byte 0x01) over SHA-256 of a public key.

A key hash names an identity in access policies; `scone self show-key-hash` prints it.
The hashed input is the certificate's SubjectPublicKeyInfo in DER. This module reads that
field with a tiny DER walker instead of importing ``cryptography``, because the CLI uses
it on every start and ``cryptography.x509`` alone costs ~120 ms to import.
"""

from __future__ import annotations

import base64
import hashlib
import re

__all__ = [
    "b58check_decode",
    "b58check_encode",
    "cert_pem_blocks",
    "is_key_hash",
    "key_hash_of_cert_der",
    "key_hash_of_cert_pem",
    "pem_to_der",
    "spki_der_of_cert",
]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_VERSION = b"\x01"
_PEM_CERT = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.DOTALL
)


def b58check_encode(payload: bytes, version: bytes = _VERSION) -> str:
    """Encodes ``version + payload + checksum`` in the Bitcoin Base58 alphabet."""
    data = version + payload
    data += hashlib.sha256(hashlib.sha256(data).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _ALPHABET[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def b58check_decode(text: str) -> bytes | None:
    """Returns ``version + payload`` of a valid Base58Check string, else None."""
    number = 0
    for char in text:
        if char not in _INDEX:
            return None
        number = number * 58 + _INDEX[char]
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    data = b"\0" * pad + body
    if len(data) < 5:
        return None
    head, check = data[:-4], data[-4:]
    if hashlib.sha256(hashlib.sha256(head).digest()).digest()[:4] != check:
        return None
    return head


def is_key_hash(text: str) -> bool:
    """True when ``text`` is a SCONE key hash (Base58Check, version 1, 32-byte payload)."""
    decoded = b58check_decode(text)
    return decoded is not None and len(decoded) == 33 and decoded[:1] == _VERSION


def cert_pem_blocks(text: str) -> list[str]:
    """Every ``CERTIFICATE`` PEM block in ``text``, normalised to LF line endings."""
    blocks = []
    for match in _PEM_CERT.finditer(text):
        body = "".join(match.group(1).split())
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        blocks.append(
            "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
        )
    return blocks


def pem_to_der(pem: str) -> bytes:
    """The DER bytes of the first certificate in ``pem``; ValueError when there is none."""
    match = _PEM_CERT.search(pem)
    if match is None:
        raise ValueError("no PEM certificate found")
    return base64.b64decode("".join(match.group(1).split()), validate=True)


def _read_tlv(der: bytes, pos: int) -> tuple[int, int, int]:
    """Returns (tag, start of value, end of value) of the DER element at ``pos``."""
    if pos + 2 > len(der):
        raise ValueError("truncated DER")
    tag = der[pos]
    length = der[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(der):
            raise ValueError("bad DER length")
        length = int.from_bytes(der[pos : pos + count], "big")
        pos += count
    if pos + length > len(der):
        raise ValueError("truncated DER")
    return tag, pos, pos + length


def spki_der_of_cert(cert_der: bytes) -> bytes:
    """The SubjectPublicKeyInfo element (tag and length included) of an X.509 certificate."""
    _, cert_start, _ = _read_tlv(cert_der, 0)  # Certificate ::= SEQUENCE
    tag, tbs_start, tbs_end = _read_tlv(cert_der, cert_start)  # tbsCertificate
    if tag != 0x30:
        raise ValueError("not an X.509 certificate")
    pos = tbs_start
    if cert_der[pos] == 0xA0:  # [0] EXPLICIT version
        pos = _read_tlv(cert_der, pos)[2]
    # serialNumber, signature, issuer, validity, subject precede the key.
    for _ in range(5):
        pos = _read_tlv(cert_der, pos)[2]
    tag, _, end = _read_tlv(cert_der, pos)
    if tag != 0x30 or end > tbs_end:
        raise ValueError("not an X.509 certificate")
    return cert_der[pos:end]


def key_hash_of_cert_der(cert_der: bytes) -> str:
    """The SCONE key hash of the public key in a DER certificate."""
    return b58check_encode(hashlib.sha256(spki_der_of_cert(cert_der)).digest())


def key_hash_of_cert_pem(pem: str) -> str:
    """The SCONE key hash of the first certificate in ``pem`` (keys in the text are ignored)."""
    return key_hash_of_cert_der(pem_to_der(pem))
