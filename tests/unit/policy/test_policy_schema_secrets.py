"""Tests for validate: the secrets section and export/import forms."""

from __future__ import annotations

from typing import Any

import pytest

from localcas.errors import PolicyError
from localcas.policy import validate

HASH = "39ae54974c6892f7a3ee1492175fc092f50b31f9ed9f45e721125fcc332ef3c2"


def secrets_of(*secrets: dict[str, Any], version: str = "0.3") -> list[dict[str, Any]]:
    out = validate({"name": "s", "version": version, "secrets": list(secrets)})
    result: list[dict[str, Any]] = out["secrets"]
    return result


def invalid(*secrets: object) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        validate({"name": "s", "version": "0.3", "secrets": list(secrets)})
    return info.value


def test_ascii_secret_with_value_gets_export_public_false() -> None:
    assert secrets_of({"name": "v", "kind": "ascii", "value": "007"}) == [
        {"name": "v", "kind": "ascii", "value": "007", "export_public": False}
    ]


def test_generated_secrets_with_size_from_text_or_int() -> None:
    out = secrets_of(
        {"name": "a", "kind": "ascii", "size": "32"},
        {"name": "b", "kind": "binary", "size": 16},
        {"name": "k", "kind": "private-key", "migrate": True},
    )
    assert [s.get("size") for s in out] == [32, 16, None]
    assert out[2] == {"name": "k", "kind": "private-key", "export_public": False, "migrate": True}


def test_binary_value_must_be_even_length_hex() -> None:
    assert secrets_of({"name": "b", "kind": "binary", "value": "00ffAB"})[0]["value"] == "00ffAB"
    for bad in ("abc", "zz", ""):
        err = invalid({"name": "b", "kind": "binary", "value": bad})
        assert err.path == ("secrets", 0, "value")
        assert "hex" in err.message


def test_x509_fields() -> None:
    out = secrets_of(
        {"name": "ca_key", "kind": "private-key"},
        {"name": "ca", "kind": "x509-ca", "private_key": "ca_key", "common_name": "Course CA"},
        {"name": "cert", "kind": "x509", "issuer": "ca", "dns": ["cas", "localhost"]},
    )
    assert out[1]["common_name"] == "Course CA"
    assert out[2]["dns"] == ["cas", "localhost"]


@pytest.mark.parametrize("key", ["private_key", "issuer", "common_name", "dns"])
def test_x509_fields_rejected_for_other_kinds(key: str) -> None:
    value: object = ["x"] if key == "dns" else "x"
    err = invalid({"name": "a", "kind": "ascii", key: value})
    assert err.path == ("secrets", 0, key)
    assert "x509" in err.message


@pytest.mark.parametrize("kind", ["private-key", "x509", "x509-ca"])
def test_generated_only_kinds_cannot_have_a_value(kind: str) -> None:
    assert "cannot have a value" in invalid({"name": "a", "kind": kind, "value": "x"}).message


def test_kind_is_required_unless_imported() -> None:
    assert "kind" in invalid({"name": "a", "value": "x"}).message
    out = secrets_of({"name": "a", "import": {"session": "ns/other", "secret": "b"}})
    assert out == [
        {"name": "a", "import": {"session": "ns/other", "secret": "b"}, "export_public": False}
    ]


def test_unknown_kind_lists_supported_kinds() -> None:
    err = invalid({"name": "a", "kind": "string"})
    assert "ascii, binary, private-key, x509, x509-ca" in err.message


@pytest.mark.parametrize(
    "extra", [{"value": "x"}, {"size": 3}, {"export": "other"}, {"export_public": True}]
)
def test_import_excludes_value_size_export_and_public(extra: dict[str, Any]) -> None:
    err = invalid({"name": "a", "import": {"session": "o", "secret": "b"}, **extra})
    assert err.path == ("secrets", 0, next(iter(extra)))


@pytest.mark.parametrize(
    "bad_import", ["other", {"session": "o"}, {"secret": "b"}, {"session": "o", "secret": "a/b"}]
)
def test_bad_import_forms(bad_import: object) -> None:
    assert invalid({"name": "a", "import": bad_import}).path[:3] == ("secrets", 0, "import")


def test_value_and_size_are_exclusive() -> None:
    assert "not both" in invalid({"name": "a", "kind": "ascii", "value": "x", "size": 3}).message


@pytest.mark.parametrize("size", ["0", 0, -1, "abc", "1.5", True, "70000"])
def test_bad_sizes(size: object) -> None:
    assert invalid({"name": "a", "kind": "ascii", "size": size}).path == ("secrets", 0, "size")


def test_ascii_value_read_as_boolean_gets_a_quoting_hint() -> None:
    assert "quotes" in invalid({"name": "a", "kind": "ascii", "value": True}).message


def test_export_forms_are_normalised_to_a_list() -> None:
    out = secrets_of(
        {"name": "a", "kind": "ascii", "export": "ns/reader"},
        {"name": "b", "kind": "ascii", "export": {"session": "ns/reader"}},
        {
            "name": "c",
            "kind": "ascii",
            "export": [
                {"session": "ns/r", "session_hash": HASH.upper()},
                {"namespace": "ns"},
                "../sib",
            ],
        },
    )
    assert out[0]["export"] == [{"session": "ns/reader"}]
    assert out[1]["export"] == [{"session": "ns/reader"}]
    assert out[2]["export"] == [
        {"session": "ns/r", "session_hash": HASH},
        {"namespace": "ns"},
        {"session": "../sib"},
    ]


@pytest.mark.parametrize(
    "export",
    [
        {"session": "a", "namespace": "b"},
        {},
        {"namespace": "n", "session_hash": HASH},
        {"session": "a", "session_hash": "123"},
        {"session": "a b"},
        [None],
        {"to": "x"},
    ],
)
def test_bad_export_targets(export: object) -> None:
    err = invalid({"name": "a", "kind": "ascii", "export": export})
    assert err.path[:3] == ("secrets", 0, "export")


def test_export_public_must_be_boolean() -> None:
    assert secrets_of({"name": "a", "kind": "ascii", "export_public": True})[0]["export_public"]
    err = invalid({"name": "a", "kind": "ascii", "export_public": "yes"})
    assert "true or false" in err.message


def test_secret_names_are_segments_and_unique() -> None:
    assert "no '/'" in invalid({"name": "a/b", "kind": "ascii"}).message
    err = invalid({"name": "a", "kind": "ascii"}, {"name": "a", "kind": "binary"})
    assert err.path == ("secrets", 1, "name")
    assert "duplicate" in err.message


def test_secret_shape_errors() -> None:
    assert invalid({"kind": "ascii"}).message == "missing required key 'name'"
    assert invalid("name").path == ("secrets", 0)
    assert invalid({"name": "a", "kind": "ascii", "valeu": "x"}).path == ("secrets", 0, "valeu")
    with pytest.raises(PolicyError, match="must be a list"):
        validate({"name": "s", "secrets": {"name": "a"}})
