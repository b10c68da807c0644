"""Tests for session_hash, read_form (and its round trip), load_session and the helpers."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import localcas
from localcas.errors import PolicyError
from localcas.policy import (
    canonical_json,
    load_session,
    parent_name,
    parse_template,
    read_form,
    session_hash,
    validate,
    version_at_least_03,
)

HASH = "1ffb67d636570ccae5b2e8f8a6c8c6f912f69cc1fe138443e69e42dc783793eb"
MRE = "bb79c285" * 8
REPO_ROOT = str(Path(localcas.__file__).resolve().parents[1])


def rich_session(cert: str, key_hash: str) -> dict[str, Any]:
    """A normalised session touching most features and the tricky scalar values."""
    return validate(
        {
            "name": "ns/app",
            "version": "0.3.10",
            "predecessor": HASH,
            "creator": cert,
            "access_policy": {"read": ["ANY"], "update": [key_hash, cert]},
            "secrets": [
                {"name": "zero", "kind": "ascii", "value": "007"},
                {"name": "truth", "kind": "ascii", "value": "true", "export_public": True},
                {"name": "ref", "kind": "ascii", "value": "$$SCONE::zero$$"},
                {"name": "empty", "kind": "ascii", "value": ""},
                {"name": "multi", "kind": "ascii", "value": "line 1\nline 2\n"},
                {"name": "quote", "kind": "ascii", "value": "it's: #1 ~ * & 'x'"},
                {"name": "uni", "kind": "ascii", "value": "grüße  "},
                {"name": "bin", "kind": "binary", "size": "32", "export": "ns/other"},
                {"name": "imp", "import": {"session": "ns/x", "secret": "s"}},
            ],
            "services": [
                {
                    "name": "svc",
                    "command": ["/bin/app", "0.3", "null"],
                    "environment": {"007": "0x1F", "A": "TRUE", "C": "~", "D": "yes"},
                    "image_name": "img",
                    "attestation": [
                        {"mrenclave": MRE},
                        {"signer": {"mrsigner": MRE, "isvsvn": "3"}},
                    ],
                }
            ],
            "images": [
                {
                    "name": "img",
                    "volumes": [{"name": "vol", "path": "/v"}],
                    "injection_files": [{"path": "/f", "content": "a: b\n", "permission": "0644"}],
                }
            ],
            "volumes": [{"name": "vol", "export": [{"session": "ns/other"}]}],
            "security": {
                "attestation": {
                    "mode": "none",
                    "tolerate": ["debug-mode"],
                    "ignore_advisories": "*",
                }
            },
        }
    )


def reparse(text: str) -> dict[str, Any]:
    return validate(parse_template(text, filename="r.yml", variables={}))


# --- session_hash --------------------------------------------------------------------


def test_hash_is_sha256_of_canonical_json(cert: str) -> None:
    session = validate({"name": "ns", "creator": cert})
    expected = hashlib.sha256(
        json.dumps(session, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert session_hash(session) == expected
    assert canonical_json(session).startswith(b'{"access_policy":')


def test_hash_is_stable_across_processes_and_key_order(cert: str) -> None:
    session = validate(
        {
            "name": "ns",
            "version": "0.3",
            "creator": cert,
            "secrets": [{"name": "s", "kind": "ascii", "value": "grüße"}],
        }
    )
    reordered = dict(reversed(list(session.items())))
    code = (
        "import json,sys; from localcas.policy import session_hash;"
        "print(session_hash(json.loads(sys.stdin.read())))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(session),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PYTHONPATH": REPO_ROOT},
    )
    assert other.stdout.strip() == session_hash(session) == session_hash(reordered)
    assert len(session_hash(session)) == 64


def test_hash_changes_with_creator_and_predecessor(cert: str, other_cert: str) -> None:
    base = validate({"name": "ns", "creator": cert})
    other_creator = validate({"name": "ns", "creator": other_cert})
    with_pred = validate({"name": "ns", "creator": cert, "predecessor": HASH})
    hashes = {session_hash(base), session_hash(other_creator), session_hash(with_pred)}
    assert len(hashes) == 3


def test_hash_needs_a_creator() -> None:
    with pytest.raises(PolicyError, match="creator"):
        session_hash(validate({"name": "ns"}))


def test_equivalent_descriptions_hash_alike(cert: str) -> None:
    explicit = {
        "name": "ns",
        "version": "0.2",
        "predecessor": None,
        "creator": cert,
        "access_policy": {"read": ["CREATOR"], "update": ["CREATOR"]},
    }
    assert session_hash(validate({"name": "ns", "creator": cert})) == session_hash(
        validate(explicit)
    )


# --- read_form -----------------------------------------------------------------------


def test_read_form_layout(cert: str) -> None:
    session = validate(
        {
            "name": "ns",
            "version": "0.3",
            "creator": cert,
            "secrets": [{"name": "s", "kind": "ascii", "value": "42"}],
        }
    )
    text = read_form(session)
    lines = text.splitlines()
    assert lines[:3] == ["version: '0.3'", "name: ns", "predecessor: null"]
    assert [line.split(":")[0] for line in lines if line[:1].isalpha()] == [
        "version",
        "name",
        "predecessor",
        "secrets",
        "access_policy",
        "creator",
    ]
    assert "- name: s" in lines
    assert "  value: '42'" in lines
    assert "  - CREATOR" in lines
    assert lines[lines.index("creator: |") + 1] == "  -----BEGIN CERTIFICATE-----"


def test_read_form_of_0_3_10_is_plain(cert: str) -> None:
    assert read_form(validate({"name": "n", "version": "0.3.10", "creator": cert})).startswith(
        "version: 0.3.10\n"
    )


def test_read_form_quotes_ambiguous_strings(cert: str, key_hash: str) -> None:
    text = read_form(rich_session(cert, key_hash))
    for fragment in (
        "value: '007'",
        "value: 'true'",
        "A: 'TRUE'",
        "'007': '0x1F'",
        "C: '~'",
        "D: 'yes'",
        "value: ''",
        "value: $$SCONE::zero$$",
    ):
        assert fragment in text
    assert "&id0" not in text  # the shared default lists are written out, not anchored
    assert "*id0" not in text


def test_round_trip_of_a_rich_session(cert: str, key_hash: str) -> None:
    session = rich_session(cert, key_hash)
    assert reparse(read_form(session)) == session


@pytest.mark.parametrize(
    "data",
    [
        {"name": "ns"},
        {"name": "ns", "version": "0.3", "access_policy": {"read": ["NONE"]}},
        {
            "name": "a/b",
            "version": "0.3",
            "secrets": [{"name": "x", "kind": "private-key", "migrate": False}],
        },
        {
            "name": "n",
            "version": "0.3",
            "services": [{"name": "s", "command": "./x 1 2", "environment": {}}],
            "security": {"attestation": {"mode": "none"}},
        },
        {"name": "n", "volumes": [], "secrets": []},
    ],
)
def test_round_trip_of_small_sessions(data: dict[str, Any], cert: str) -> None:
    for session in (validate(data), validate({**data, "creator": cert})):
        assert reparse(read_form(session)) == session


def test_read_form_reorders_json_sorted_input(cert: str, key_hash: str) -> None:
    # Environment keys keep their order as given; rich_session lists them sorted already.
    session = rich_session(cert, key_hash)
    from_json = json.loads(canonical_json(session))
    assert read_form(from_json) == read_form(session)


def test_read_form_output_with_a_dollar_variable_does_not_reparse() -> None:
    session = validate({"name": "n", "secrets": [{"name": "s", "kind": "ascii", "value": "$HOME"}]})
    with pytest.raises(PolicyError, match=r"\$HOME"):
        reparse(read_form(session))


# --- idempotency ---------------------------------------------------------------------


def test_validate_is_idempotent(cert: str, key_hash: str) -> None:
    session = rich_session(cert, key_hash)
    assert validate(session) == session
    assert validate(json.loads(json.dumps(session))) == session


# --- load_session --------------------------------------------------------------------


def test_load_session_attaches_positions() -> None:
    text = "name: ns\nversion: '0.3'\nsecrets:\n  - name: s\n    kind: text\n"
    with pytest.raises(PolicyError) as info:
        load_session(text, filename="s.yml", variables={})
    assert info.value.describe().startswith("secrets[0].kind: unknown kind 'text'")
    assert (info.value.line, info.value.column) == (5, 11)


def test_load_session_keeps_template_errors_and_returns_normalised() -> None:
    with pytest.raises(PolicyError) as info:
        load_session("name: $NS\n", filename="s.yml", variables={})
    assert (info.value.line, info.value.column) == (1, 7)
    assert load_session("name: $NS\n", filename="s.yml", variables={"NS": "x"})["name"] == "x"


# --- helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.3", True), ("0.3.10", True), ("0.2", False), (None, False), ("0.30", False)],
)
def test_version_at_least_03(version: str | None, expected: bool) -> None:
    session = {"name": "n"} if version is None else {"name": "n", "version": version}
    assert version_at_least_03(session) is expected


@pytest.mark.parametrize(
    ("name", "parent"), [("a/b/c", "a/b"), ("a/b", "a"), ("a", None), ("", None)]
)
def test_parent_name(name: str, parent: str | None) -> None:
    assert parent_name(name) == parent
