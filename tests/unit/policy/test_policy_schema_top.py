"""Tests for validate: top-level keys, version, name, predecessor, creator, access_policy."""

from __future__ import annotations

from typing import Any

import pytest

from localcas.errors import PolicyError
from localcas.policy import validate

HASH = "5297ee7bf668836addda1bf89438da43211d049ecb9a42dbfaa7bf9de620698f"


def invalid(data: dict[str, Any]) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        validate(data)
    return info.value


def test_minimal_session_gets_exactly_the_documented_defaults() -> None:
    assert validate({"name": "ns"}) == {
        "version": "0.2",
        "name": "ns",
        "predecessor": None,
        "access_policy": {"read": ["CREATOR"], "update": ["CREATOR"]},
    }


def test_minimal_03_session_defaults_create_sessions() -> None:
    out = validate({"name": "ns", "version": "0.3"})
    assert out["access_policy"] == {
        "read": ["CREATOR"],
        "update": ["CREATOR"],
        "create_sessions": ["CREATOR"],
    }


def test_validate_returns_a_new_dict_and_leaves_input_alone() -> None:
    data: dict[str, Any] = {"name": "ns", "access_policy": {"read": ["ANY"]}}
    out = validate(data)
    out["access_policy"]["read"].append("x")
    assert data == {"name": "ns", "access_policy": {"read": ["ANY"]}}


def test_unknown_top_level_key_lists_allowed_keys_and_suggests() -> None:
    err = invalid({"name": "ns", "acess_policy": {}})
    assert err.path == ("acess_policy",)
    assert err.message.startswith("unknown key 'acess_policy'; allowed keys: name, version,")
    assert "did you mean 'access_policy'?" in err.message


def test_name_is_required() -> None:
    assert "missing required key 'name'" in invalid({"version": "0.3"}).message


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PolicyError):
        validate(["name"])  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["0.2", "0.3", "0.3.10", "0.3.0"])
def test_supported_versions(version: str) -> None:
    assert validate({"name": "a", "version": version})["version"] == version


@pytest.mark.parametrize("version", ["0.4", "0.1", "0.3.x", "0.3.", "1", "0.30", ""])
def test_unsupported_versions_name_the_supported_ones(version: str) -> None:
    err = invalid({"name": "a", "version": version})
    assert err.path == ("version",)
    assert '"0.2", "0.3"' in err.message


def test_numeric_version_from_json_asks_for_a_string() -> None:
    assert "string" in invalid({"name": "a", "version": 0.3}).message


@pytest.mark.parametrize(
    "name", ["a", "my_exercise--12345", "ns/child/grandchild", "x.y~z-1_2", "a" * 128]
)
def test_valid_names(name: str) -> None:
    assert validate({"name": name})["name"] == name


@pytest.mark.parametrize(
    "name",
    ["a b", "/a", "a/", "a//b", "a/../b", ".", "..", "a" * 129, "nämé", "a:b", "x$y"],
)
def test_invalid_names_explain_the_allowed_characters(name: str) -> None:
    err = invalid({"name": name})
    assert err.path == ("name",)
    assert "A-Z, a-z, 0-9, '_', '-', '.' and '~'" in err.message


def test_empty_name_hints_at_template_variables() -> None:
    for name in ("", None):
        err = invalid({"name": name})
        assert "empty" in err.message
        assert "variable" in err.message


def test_name_must_be_a_string() -> None:
    assert "quotes" in invalid({"name": True}).message


def test_predecessor_is_lowercased_and_stripped() -> None:
    out = validate({"name": "a", "predecessor": f"  {HASH.upper()}\n"})
    assert out["predecessor"] == HASH


def test_predecessor_null_is_kept() -> None:
    assert validate({"name": "a", "predecessor": None})["predecessor"] is None


@pytest.mark.parametrize("bad", ["abc", HASH + "0", "g" * 64, True])
def test_bad_predecessor(bad: object) -> None:
    assert invalid({"name": "a", "predecessor": bad}).path == ("predecessor",)


def test_creator_is_normalised_to_its_first_pem_block(cert: str, other_cert: str) -> None:
    messy = "junk before\r\n" + cert.replace("\n", "\r\n") + other_cert
    assert validate({"name": "a", "creator": messy})["creator"] == cert


def test_absent_creator_stays_absent() -> None:
    assert "creator" not in validate({"name": "a"})


def test_bad_creator() -> None:
    assert invalid({"name": "a", "creator": "not a cert"}).path == ("creator",)
    garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    assert "readable" in invalid({"name": "a", "creator": garbage}).message


# --- access_policy -------------------------------------------------------------------


def test_create_sessions_defaults_to_a_copy_of_update(key_hash: str) -> None:
    out = validate(
        {"name": "a", "version": "0.3", "access_policy": {"update": [key_hash, "CREATOR"]}}
    )
    policy = out["access_policy"]
    assert policy == {
        "read": ["CREATOR"],
        "update": [key_hash, "CREATOR"],
        "create_sessions": [key_hash, "CREATOR"],
    }
    assert policy["create_sessions"] is not policy["update"]


def test_create_sessions_needs_version_03() -> None:
    err = invalid({"name": "a", "access_policy": {"create_sessions": ["CREATOR"]}})
    assert err.message.startswith("create_sessions needs version 0.3")
    assert err.path == ("access_policy", "create_sessions")


def test_access_policy_entry_forms(cert: str, key_hash: str) -> None:
    policy = {
        "read": ["ANY"],
        "update": ["CREATOR", key_hash, cert.replace("\n", "\r\n"), "$$SCONE::admin_cert$$"],
        "create_sessions": ["NONE"],
    }
    out = validate({"name": "a", "version": "0.3.10", "access_policy": policy})
    assert out["access_policy"] == {
        "read": ["ANY"],
        "update": ["CREATOR", key_hash, cert, "$$SCONE::admin_cert$$"],
        "create_sessions": ["NONE"],
    }


def test_certificate_hashes_only_in_version_02() -> None:
    out = validate({"name": "a", "access_policy": {"read": [HASH.upper()]}})
    assert out["access_policy"]["read"] == [HASH]
    err = invalid({"name": "a", "version": "0.3", "access_policy": {"read": [HASH]}})
    assert "key hash" in err.message
    assert err.path == ("access_policy", "read", 0)


@pytest.mark.parametrize("alone", ["ANY", "NONE"])
def test_any_and_none_must_be_alone(alone: str) -> None:
    err = invalid({"name": "a", "access_policy": {"read": ["CREATOR", alone]}})
    assert f"{alone} must be the only entry" in err.message


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        (["creator"], "capital"),
        (["somebody"], "unknown entry"),
        ([], "[NONE]"),
        (["CREATOR", None], "stray"),
        ("CREATOR", "list"),
        ([{"signer": "x"}], "string"),
        (["-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----"], "readable"),
    ],
)
def test_bad_access_policy_entries(entries: object, fragment: str) -> None:
    err = invalid({"name": "a", "access_policy": {"update": entries}})
    assert fragment in err.message
    assert err.path[:2] == ("access_policy", "update")


def test_two_certificates_in_one_entry_are_rejected(cert: str, other_cert: str) -> None:
    err = invalid({"name": "a", "access_policy": {"read": [cert + other_cert]}})
    assert "only one certificate" in err.message


def test_unknown_access_policy_operation() -> None:
    err = invalid({"name": "a", "version": "0.3", "access_policy": {"list": ["ANY"]}})
    assert err.path == ("access_policy", "list")
    assert "create_sessions" in err.message
