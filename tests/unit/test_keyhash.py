"""Key hashes: Base58Check v1 over SHA-256 of the SubjectPublicKeyInfo, checked against openssl."""

from __future__ import annotations

import hashlib
import subprocess

import pytest

from localcas import keyhash, tls


def test_round_trip_and_checksum() -> None:
    payload = hashlib.sha256(b"any key").digest()
    text = keyhash.b58check_encode(payload)
    assert keyhash.b58check_decode(text) == b"\x01" + payload
    assert keyhash.is_key_hash(text)
    assert len(text) == 50 and text[0] in "34"
    broken = text[:-1] + ("2" if text[-1] != "2" else "3")
    assert not keyhash.is_key_hash(broken)
    assert not keyhash.is_key_hash("CREATOR")
    assert not keyhash.is_key_hash("0OIl")  # characters outside the alphabet


def test_leading_zero_bytes_are_kept() -> None:
    text = keyhash.b58check_encode(b"\0\0abc", version=b"\0")
    assert text.startswith("11")
    assert keyhash.b58check_decode(text) == b"\0\0\0abc"


def test_spki_matches_openssl(tmp_path) -> None:
    identity = tls.create_identity()
    pem = keyhash.cert_pem_blocks(identity)[0]
    (tmp_path / "c.pem").write_text(pem)
    pub = subprocess.run(
        ["openssl", "x509", "-in", str(tmp_path / "c.pem"), "-pubkey", "-noout"],
        capture_output=True,
        check=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True, check=True
    ).stdout
    assert keyhash.spki_der_of_cert(keyhash.pem_to_der(pem)) == der
    expected = keyhash.b58check_encode(hashlib.sha256(der).digest())
    assert keyhash.key_hash_of_cert_pem(identity) == expected


def test_pem_blocks_normalise_crlf() -> None:
    pem = keyhash.cert_pem_blocks(tls.create_identity())[0]
    assert keyhash.cert_pem_blocks(pem.replace("\n", "\r\n")) == [pem]


def test_garbage_is_rejected() -> None:
    with pytest.raises(ValueError):
        keyhash.pem_to_der("no certificate here")
    with pytest.raises(ValueError):
        keyhash.spki_der_of_cert(b"\x30\x03\x02\x01\x01")
