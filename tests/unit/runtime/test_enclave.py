"""The CAS side of the enclave API, in process: OTP once per step, MRENCLAVE, placeholders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localcas import tls, totp
from localcas.access import Client
from localcas.cas import Cas
from localcas.enclave import OTP_INVALID, OTP_USED, AttestationFailed, service_config
from localcas.store import Store

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = 1_700_000_000.0  # a fixed moment: step T // 30


@pytest.fixture
def cas(tmp_path: Path) -> Cas:
    return Cas(Store(tmp_path / "cas.db"))


@pytest.fixture
def me() -> Client:
    return Client.from_cert_pem(tls.create_identity())


def _session(name: str, **extra: Any) -> dict[str, Any]:
    service = {
        "name": "svc",
        "command": "/bin/otpqr --flag",
        "environment": {"S": "$$SCONE::s$$", "H": "$$SCONE::b:hex$$", "P": "plain"},
        "pwd": "/root",
        "attestation": [{"mrenclave": ["ab" * 32]}],
    }
    return {
        "name": name,
        "version": "0.3",
        "services": [service],
        "secrets": [
            {"name": "s", "kind": "ascii", "value": "hello"},
            {"name": "b", "kind": "binary", "value": "00ff"},
        ],
        **extra,
    }


def test_configuration_holds_only_policy_values(cas: Cas, me: Client) -> None:
    cas.upload(me, {"name": "ns", "version": "0.3"}, "create")
    cas.upload(me, _session("ns/app"), "create")
    config = service_config(cas, "ns/app/svc", "AB" * 32)
    assert config["command"] == ["/bin/otpqr", "--flag"]
    assert config["environment"] == {"S": "hello", "H": "00ff", "P": "plain"}
    assert config["pwd"] == "/root"
    with pytest.raises(AttestationFailed, match=r"MRENCLAVE .* is not permitted"):
        service_config(cas, "ns/app/svc", "cd" * 32)
    with pytest.raises(AttestationFailed, match="has no service 'other'"):
        service_config(cas, "ns/app/other", "ab" * 32)


def test_otp_is_accepted_once_per_step(cas: Cas, me: Client) -> None:
    security = {"attestation": {"mode": "none", "one_time_password_shared_secret": SECRET}}
    cas.upload(me, {"name": "ns", "version": "0.3"}, "create")
    cas.upload(me, _session("ns/otp", security=security), "create")
    key = totp.decode_secret(SECRET)
    step = totp.now_step(T)
    code = totp.code_at(key, step)
    for bad in (None, "000000" if code != "000000" else "111111"):
        suffix = "" if bad is None else f"@{bad}"
        with pytest.raises(AttestationFailed) as refused:
            service_config(cas, f"ns/otp/svc{suffix}", "00" * 32, at=T)
        assert refused.value.causes[-1] == OTP_INVALID
    service_config(cas, f"ns/otp/svc@{code}", "00" * 32, at=T)  # mode none: any MRENCLAVE
    with pytest.raises(AttestationFailed) as replayed:
        service_config(cas, f"ns/otp/svc@{code}", "00" * 32, at=T + 10)
    assert replayed.value.causes[-1] == OTP_USED
    # The previous step's code is forgiven (slow start) only if that step is still unused.
    with pytest.raises(AttestationFailed):
        service_config(cas, f"ns/otp/svc@{totp.code_at(key, step - 1)}", "00" * 32, at=T)
    service_config(cas, f"ns/otp/svc@{totp.code_at(key, step + 1)}", "00" * 32, at=T + 30)


def test_otp_steps_survive_a_restart(tmp_path: Path, me: Client) -> None:
    store = Store(tmp_path / "cas.db")
    assert store.use_otp_step("s", "d", 10)
    store.close()
    again = Store(tmp_path / "cas.db")
    assert not again.use_otp_step("s", "d", 10)
    assert not again.use_otp_step("s", "d", 9)
    assert again.use_otp_step("s", "d", 11)


def test_volume_import_needs_an_export(cas: Cas, me: Client) -> None:
    cas.upload(me, {"name": "ns", "version": "0.3"}, "create")
    exporter = {
        "name": "ns/a",
        "version": "0.3",
        "volumes": [{"name": "v", "export": [{"session": "ns/b"}]}],
    }
    cas.upload(me, exporter, "create")
    importer = {
        "name": "ns/b",
        "version": "0.3",
        "security": {"attestation": {"mode": "none"}},
        "services": [{"name": "svc", "image_name": "img"}],
        "images": [{"name": "img", "volumes": [{"name": "w", "path": "/data"}]}],
        "volumes": [{"name": "w", "import": {"session": "ns/a", "volume": "v"}}],
    }
    cas.upload(me, importer, "create")
    [volume] = service_config(cas, "ns/b/svc", "")["volumes"]
    assert (volume["owner"], volume["name"], volume["path"], volume["tag"]) == (
        "ns/a",
        "v",
        "/data",
        None,
    )
    assert cas.store.swap_volume_tag("ns/a", "v", None, "t1")
    assert not cas.store.swap_volume_tag("ns/a", "v", None, "t2")  # stale old tag
    assert service_config(cas, "ns/b/svc", "")["volumes"][0]["tag"] == "t1"
    importer["name"] = "ns/c"
    cas.upload(me, importer, "create")
    with pytest.raises(AttestationFailed, match="does not export 'v' to 'ns/c'"):
        service_config(cas, "ns/c/svc", "")
