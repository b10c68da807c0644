"""Shared fixtures for the policy tests: two fixed self-signed P-256 test certificates."""

from __future__ import annotations

import pytest

from localcas.keyhash import key_hash_of_cert_pem

# Generated once with `openssl req -x509 -newkey ec` for these tests; no private key kept.
CERT_1 = """\
-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUPAzzOd4WlCSSjAoW3/apj24d9FYwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcG9saWN5LXRlc3QtMTAgFw0yNjEyMDQwOTQxMDJaGA8yMTI2
MTExMDA5NDEwMlowGDEWMBQGA1UEAwwNcG9saWN5LXRlc3QtMTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABIoA+Hv1OAmrstJbanHolvZRCFyGHXBe/DxBq2fVd6VC
BN5RTItCCzsmpOymFimiHW/09N+ShrHOFXogAV6ECqGjUzBRMB0GA1UdDgQWBBRZ
Fm/cRR21BN1VaJlfibjpCsIjXzAfBgNVHSMEGDAWgBRZFm/cRR21BN1VaJlfibjp
CsIjXzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIAtKOvl3/7Qt
+A3QTYRn69UTVH0d46s2rpndGnGM/GVoAiEAgpw71uZzofJ8RyDiasCVIAcfZbdg
wpfKixDH9FsQ7oM=
-----END CERTIFICATE-----
"""

CERT_2 = """\
-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUCbIzmP2QWuY+pQ4Lbd5D0aCaod4wCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcG9saWN5LXRlc3QtMjAgFw0yNjEyMDQwOTQxMDJaGA8yMTI2
MTExMDA5NDEwMlowGDEWMBQGA1UEAwwNcG9saWN5LXRlc3QtMjBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABNVPi7D5Q2j9RrKGdZn/hgAToDsKenKmJ2yigcRD+DgL
OwWVgYpz3GHnqKV8U4vi94tDljUhSWfSZwucsNAEHFOjUzBRMB0GA1UdDgQWBBTC
FF7tjv1ogsBtDTQAa7PeVMQSujAfBgNVHSMEGDAWgBTCFF7tjv1ogsBtDTQAa7Pe
VMQSujAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQCPeXpSNwWX
6thXY9uInh8Qxa6FKXpKn4l41b2+82AtUAIgLeK5karMTh67t8SQQ7GGHat9LLLE
Veq/wedx6ZwF3UY=
-----END CERTIFICATE-----
"""


@pytest.fixture
def cert() -> str:
    """A PEM certificate (LF line endings, canonical form)."""
    return CERT_1


@pytest.fixture
def other_cert() -> str:
    """A second, different PEM certificate."""
    return CERT_2


@pytest.fixture
def key_hash() -> str:
    """The SCONE key hash of the second certificate."""
    return key_hash_of_cert_pem(CERT_2)
