"""Tests for validate: services, images, volumes, security and the attestation cross rule."""

from __future__ import annotations

from typing import Any

import pytest

from localcas.errors import PolicyError
from localcas.policy import validate

MRE = "bb79c285" * 8
MRS = "0123456789abcdef" * 4
NO_ATTESTATION = {"attestation": {"mode": "none"}}


def session(**sections: Any) -> dict[str, Any]:
    return {"name": "ns/app", "version": "0.3", **sections}


def invalid(data: dict[str, Any]) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        validate(data)
    return info.value


# --- services ------------------------------------------------------------------------


def test_service_fields_are_normalised() -> None:
    service = {
        "name": "app",
        "command": ["/bin/app", "--x"],
        "environment": {"A": "1", "B": True, "C": 7, "D": ""},
        "pwd": "/root",
        "attestation": {"mrenclave": MRE.upper()},
        "one_time_password_shared_secret": "$$SCONE::otp:base32nopad$$",
        "fspf_path": "/fspf.pb",
        "fspf_key": "ab" * 32,
        "fspf_tag": "cd" * 16,
        "platforms": ["p1"],
    }
    out = validate(session(services=[service]))["services"][0]
    assert out["environment"] == {"A": "1", "B": "true", "C": "7", "D": ""}
    assert out["attestation"] == [{"mrenclave": [MRE]}]
    assert out["command"] == ["/bin/app", "--x"]
    assert set(out) == set(service)


def test_command_string_is_kept_as_a_string() -> None:
    out = validate(session(services=[{"name": "a", "command": "./x arg"}], security=NO_ATTESTATION))
    assert out["services"][0]["command"] == "./x arg"


def test_attestation_list_with_signer_variant() -> None:
    variants = [
        {"mrenclave": [MRE, MRE]},
        {"signer": {"mrsigner": MRS, "isvprodid": "1", "isvsvn_min": 2}},
    ]
    out = validate(session(services=[{"name": "a", "attestation": variants}]))
    assert out["services"][0]["attestation"] == [
        {"mrenclave": [MRE, MRE]},
        {"signer": {"mrsigner": MRS, "isvprodid": 1, "isvsvn_min": 2}},
    ]


@pytest.mark.parametrize(
    "attestation",
    [
        {"mrenclave": "abc"},
        {"mrenclave": []},
        [],
        {},
        {"mrenclaves": [MRE]},
        {"signer": {"isvsvn": 1}},
        {"signer": {"mrsigner": MRS, "isvsvn": 1, "isvsvn_max": 3}},
        {"signer": {"mrsigner": MRS, "isvsvn_min": 4, "isvsvn_max": 3}},
        "not a mapping",
    ],
)
def test_bad_service_attestation(attestation: object) -> None:
    err = invalid(session(services=[{"name": "a", "attestation": attestation}]))
    assert err.path[:3] == ("services", 0, "attestation")


def test_deprecated_mrenclaves_list() -> None:
    out = validate(session(services=[{"name": "a", "mrenclaves": [MRE]}]))
    assert out["services"][0]["mrenclaves"] == [MRE]
    err = invalid(session(services=[{"name": "a", "mrenclaves": MRE}]))
    assert err.path == ("services", 0, "mrenclaves")


@pytest.mark.parametrize(
    ("service", "key"),
    [
        ({"name": "a", "command": [1]}, "command"),
        ({"name": "a", "environment": {"X": None}}, "environment"),
        ({"name": "a", "environment": ["X=1"]}, "environment"),
        ({"name": "a", "environment": {"X=Y": "1"}}, "environment"),
        ({"name": "a", "fspf_key": "00"}, "fspf_key"),
        ({"name": "a", "fspf_tag": "ab" * 32}, "fspf_tag"),
        ({"name": "a", "one_time_password_shared_secret": ""}, "one_time_password_shared_secret"),
        ({"name": "a", "persistency": ["None"]}, "persistency"),
        ({"name": "a/b"}, "name"),
    ],
)
def test_bad_service_fields(service: dict[str, Any], key: str) -> None:
    assert invalid(session(services=[service], security=NO_ATTESTATION)).path[:3] == (
        "services",
        0,
        key,
    )


def test_service_names_are_unique_and_required() -> None:
    err = invalid(session(services=[{"name": "a"}, {"name": "a"}], security=NO_ATTESTATION))
    assert err.path == ("services", 1, "name")
    assert "missing required key 'name'" in invalid(session(services=[{"pwd": "/"}])).message


def test_image_name_must_name_a_defined_image() -> None:
    good = session(
        images=[{"name": "img"}],
        services=[{"name": "a", "image_name": "img"}],
        security=NO_ATTESTATION,
    )
    assert validate(good)["services"][0]["image_name"] == "img"
    err = invalid(
        session(
            images=[{"name": "img"}],
            services=[{"name": "a", "image_name": "other"}],
            security=NO_ATTESTATION,
        )
    )
    assert err.path == ("services", 0, "image_name")
    assert "defined: img" in err.message


# --- attestation cross rule ----------------------------------------------------------


def test_services_need_attestation_unless_mode_none() -> None:
    err = invalid(session(services=[{"name": "a"}]))
    assert err.path == ("services", 0)
    assert "mode: none" in err.message
    err = invalid(session(services=[{"name": "a"}], security={"attestation": {"mode": "maa"}}))
    assert err.path == ("services", 0)
    assert validate(session(services=[{"name": "a"}], security=NO_ATTESTATION))


def test_no_services_need_no_attestation() -> None:
    assert validate(session(secrets=[{"name": "x", "kind": "ascii"}]))


# --- images and volumes --------------------------------------------------------------


def test_images_mount_declared_volumes() -> None:
    out = validate(
        session(
            volumes=[{"name": "v1"}, {"name": "v2"}],
            images=[
                {
                    "name": "img",
                    "volumes": [
                        {"name": "v1", "path": "/data"},
                        {"name": "v2", "path": "/x", "update_policy": "ephemeral"},
                    ],
                    "injection_files": [
                        "/etc/a",
                        {"path": "/b", "content": "x", "permission": 420},
                    ],
                }
            ],
        )
    )
    assert out["images"][0]["volumes"][1] == {
        "name": "v2",
        "path": "/x",
        "update_policy": "ephemeral",
    }
    assert out["images"][0]["injection_files"][1] == {
        "path": "/b",
        "content": "x",
        "permission": "420",
    }


@pytest.mark.parametrize(
    ("mount", "fragment"),
    [
        ({"name": "undeclared", "path": "/d"}, "not declared"),
        ({"name": "v", "path": "relative"}, "absolute"),
        ({"name": "v", "path": "/d", "update_policy": "sometimes"}, "rollback_protected"),
        ({"name": "v"}, "missing required key 'path'"),
    ],
)
def test_bad_image_mounts(mount: dict[str, Any], fragment: str) -> None:
    err = invalid(session(volumes=[{"name": "v"}], images=[{"name": "i", "volumes": [mount]}]))
    assert fragment in err.message
    assert err.path[:4] == ("images", 0, "volumes", 0)


def test_image_names_unique_and_injection_files_shape() -> None:
    assert "duplicate" in invalid(session(images=[{"name": "i"}, {"name": "i"}])).message
    err = invalid(session(images=[{"name": "i", "injection_files": [3]}]))
    assert err.path == ("images", 0, "injection_files", 0)


def test_volume_forms() -> None:
    out = validate(
        session(
            volumes=[
                {"name": "a", "export": {"session": "ns/b"}},
                {"name": "b", "import": {"session": "ns/a", "volume": "a"}},
                {"name": "c", "fspf_key": "AB" * 32, "fspf_tag": "cd" * 16},
            ]
        )
    )
    assert out["volumes"] == [
        {"name": "a", "export": [{"session": "ns/b"}]},
        {"name": "b", "import": {"session": "ns/a", "volume": "a"}},
        {"name": "c", "fspf_key": "ab" * 32, "fspf_tag": "cd" * 16},
    ]


@pytest.mark.parametrize(
    ("volume", "fragment"),
    [
        ({"name": "a", "export": [{"namespace": "ns"}]}, "cannot be exported to a namespace"),
        (
            {"name": "a", "import": {"session": "x", "volume": "v"}, "fspf_key": "ab" * 32},
            "cannot be combined",
        ),
        ({"name": "a", "import": {"session": "x"}}, "volume"),
        ({"name": "a", "fspf_tag": "ab"}, "32 hexadecimal"),
        ({"name": "a", "size": 3}, "unknown key"),
    ],
)
def test_bad_volumes(volume: dict[str, Any], fragment: str) -> None:
    err = invalid(session(volumes=[volume]))
    assert fragment in err.message
    assert err.path[:2] == ("volumes", 0)


def test_volume_names_unique() -> None:
    assert invalid(session(volumes=[{"name": "a"}, {"name": "a"}])).path == ("volumes", 1, "name")


# --- security ------------------------------------------------------------------------


def test_security_gets_default_mode() -> None:
    assert validate(session(security={}))["security"] == {"attestation": {"mode": "hardware"}}
    assert validate(session(security={"attestation": {"singleton_enclaves": True}}))[
        "security"
    ] == {"attestation": {"mode": "hardware", "singleton_enclaves": True}}
    assert "security" not in validate(session())


def test_security_full_attestation_section() -> None:
    attestation = {
        "mode": "maa",
        "tolerate": ["debug-mode", "hyperthreading", "outdated-tcb"],
        "ignore_advisories": "*",
        "one_time_password_shared_secret": "BASE32SECRET3232BASE32SECRET3232",
        "trusted_scone_qe_pubkeys": ["k"],
        "service_access_token": "t",
    }
    out = validate(session(security={"attestation": attestation}))
    assert out["security"]["attestation"] == attestation


@pytest.mark.parametrize(
    ("attestation", "key"),
    [
        ({"mode": "off"}, "mode"),
        ({"tolerate": ["everything"]}, "tolerate"),
        ({"tolerate": "debug-mode"}, "tolerate"),
        ({"ignore_advisories": "*"}, "ignore_advisories"),
        ({"ignore_advisories": [1]}, "ignore_advisories"),
        ({"singleton_enclaves": "yes"}, "singleton_enclaves"),
        ({"one_time_password_shared_secret": None}, "one_time_password_shared_secret"),
        ({"modes": "none"}, "modes"),
    ],
)
def test_bad_security_attestation(attestation: dict[str, Any], key: str) -> None:
    err = invalid(session(security={"attestation": attestation}))
    assert err.path[:3] == ("security", "attestation", key)


def test_security_allows_only_attestation() -> None:
    assert invalid(session(security={"mode": "none"})).path == ("security", "mode")
