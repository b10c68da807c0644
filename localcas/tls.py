"""Provides the CAS certificate chain and CLI identities (real P-256 keys and X.509).

The CAS chain mirrors SCONE's: a self-signed root ``CN=cas`` issues the intermediate
``CN=cas-instance``, which issues the TLS leaf with SAN ``cas``, ``localhost`` and the
CAS's IP address. `scone cas show-certificate` prints intermediate + root, which is what
curl needs as ``--cacert``. This module imports ``cryptography``; keep it off the CLI's
common path (only the first use of an identity needs it).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "CasAuthority",
    "create_authority",
    "create_identity",
    "issue_leaf",
    "leaf_matches_address",
]

# SCONE's CA certificates are valid until 4096; the CLI identity from 1975 to 4096.
_FAR_FUTURE = dt.datetime(4096, 1, 1, tzinfo=dt.UTC)
_EPOCH_1975 = dt.datetime(1975, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CasAuthority:
    """The persistent CA of one CAS instance (PEM strings)."""

    root_cert: str
    root_key: str
    intermediate_cert: str
    intermediate_key: str

    @property
    def chain(self) -> str:
        """Intermediate then root: the output of `scone cas show-certificate`."""
        return self.intermediate_cert + self.root_cert


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    path_length: int | None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(_FAR_FUTURE)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def create_authority() -> CasAuthority:
    """A fresh root ``CN=cas`` and intermediate ``CN=cas-instance`` (both CA:TRUE)."""
    root_key, inter_key = _new_key(), _new_key()
    root = _ca_cert("cas", root_key, "cas", root_key, None)
    inter = _ca_cert("cas-instance", inter_key, "cas", root_key, 0)
    return CasAuthority(_cert_pem(root), _key_pem(root_key), _cert_pem(inter), _key_pem(inter_key))


def issue_leaf(authority: CasAuthority, address: str) -> tuple[str, str]:
    """Issues the TLS server certificate for ``address``; returns (cert PEM, key PEM)."""
    inter_key = serialization.load_pem_private_key(authority.intermediate_key.encode(), None)
    assert isinstance(inter_key, ec.EllipticCurvePrivateKey)
    key = _new_key()
    names: list[x509.GeneralName] = [x509.DNSName("cas"), x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(address)))
    except ValueError:
        names.append(x509.DNSName(address))
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("cas"))
        .issuer_name(_name("cas-instance"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(inter_key, hashes.SHA256())
    )
    return _cert_pem(cert), _key_pem(key)


def leaf_matches_address(cert_pem: str, address: str) -> bool:
    """True when the leaf names ``address`` in its SAN (a new address needs a new leaf)."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    try:
        return ipaddress.ip_address(address) in san.get_values_for_type(x509.IPAddress)
    except ValueError:
        return address in san.get_values_for_type(x509.DNSName)


def create_identity() -> str:
    """A new CLI identity: PKCS#8 P-256 key PEM followed by its self-signed certificate PEM.

    The certificate copies the shape of the real CLI's (rcgen) identity: subject and issuer
    ``CN=rcgen self signed cert``, serial 42, valid 1975 to 4096, SAN ``DNS:scone cli``.
    """
    key = _new_key()
    name = _name("rcgen self signed cert")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(42)
        .not_valid_before(_EPOCH_1975)
        .not_valid_after(_FAR_FUTURE)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("scone cli")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _key_pem(key) + _cert_pem(cert)
