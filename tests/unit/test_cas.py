"""CAS semantics in-process: create/update rules, history, namespaces, secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localcas import bootstrap, policy, tls
from localcas.access import Client
from localcas.cas import Cas
from localcas.errors import Conflict, NotFound, PermissionDenied, PolicyError
from localcas.store import Store


@pytest.fixture
def cas(tmp_path: Path) -> Cas:
    store = Store(tmp_path / "cas.db")
    cas = Cas(store)
    bootstrap.seed(cas)
    return cas


@pytest.fixture(scope="module")
def alice() -> Client:
    return Client.from_cert_pem(tls.create_identity())


@pytest.fixture(scope="module")
def bob() -> Client:
    return Client.from_cert_pem(tls.create_identity())


def _ns(name: str, version: str = "0.3", **extra: Any) -> dict[str, Any]:
    return {"name": name, "version": version, **extra}


def test_create_then_update_through_predecessor(cas: Cas, alice: Client) -> None:
    first = cas.upload(alice, _ns("ns1", "0.2"), "create")
    assert first.action == "created"
    second = cas.upload(alice, _ns("ns1", predecessor=first.hash), "create")
    assert second.action == "updated" and second.hash != first.hash
    history = cas.store.history("ns1")
    assert [v.hash for v in history] == [first.hash, second.hash]
    assert history[0].predecessor is None and history[1].predecessor == first.hash
    assert cas.read(alice, "ns1").hash == second.hash
    assert cas.read(alice, "ns1", first.hash).description["version"] == "0.2"


def test_hash_is_the_hash_of_the_read_form(cas: Cas, alice: Client) -> None:
    result = cas.upload(alice, _ns("ns2"), "create")
    version = cas.read(alice, "ns2")
    reparsed = policy.validate(
        policy.parse_template(policy.read_form(version.description), filename="r", variables={})
    )
    assert policy.session_hash(reparsed) == result.hash


def test_existing_name_and_stale_predecessor_conflict(cas: Cas, alice: Client) -> None:
    first = cas.upload(alice, _ns("ns3"), "create")
    with pytest.raises(Conflict, match="already exists"):
        cas.upload(alice, _ns("ns3"), "create")
    cas.upload(alice, _ns("ns3", predecessor=first.hash), "create")
    with pytest.raises(Conflict, match="not its current hash"):
        cas.upload(alice, _ns("ns3", predecessor=first.hash, version="0.3.10"), "create")
    assert len(cas.store.history("ns3")) == 2


def test_update_needs_existing_session(cas: Cas, alice: Client) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        cas.upload(alice, _ns("ghost", predecessor="ab" * 32), "create")
    with pytest.raises(NotFound):
        cas.upload(alice, _ns("ghost"), "update")


def test_only_the_creator_by_default(cas: Cas, alice: Client, bob: Client) -> None:
    first = cas.upload(alice, _ns("ns4"), "create")
    with pytest.raises(PermissionDenied):
        cas.read(bob, "ns4")
    with pytest.raises(PermissionDenied):
        cas.read(Client(), "ns4")
    with pytest.raises(PermissionDenied):
        cas.upload(bob, _ns("ns4", predecessor=first.hash), "create")
    with pytest.raises(PermissionDenied, match="create sessions"):
        cas.upload(bob, _ns("ns4/child"), "create")
    cas.upload(alice, _ns("ns4/child"), "create")


def test_namespace_rules(cas: Cas, alice: Client, bob: Client) -> None:
    with pytest.raises(NotFound, match="namespace 'nowhere' does not exist"):
        cas.upload(alice, _ns("nowhere/child"), "create")
    cas.upload(alice, _ns("old", "0.2"), "create")
    with pytest.raises(PermissionDenied, match=r"upgrade 'old' to version \"0.3\""):
        cas.upload(alice, _ns("old/child"), "create")
    policy_any = {"read": ["CREATOR"], "update": ["CREATOR"], "create_sessions": ["ANY"]}
    cas.upload(alice, _ns("open", access_policy=policy_any), "create")
    cas.upload(bob, _ns("open/bobs"), "create")
    keyed = {"read": [bob.key_hash], "update": ["CREATOR"], "create_sessions": ["NONE"]}
    cas.upload(alice, _ns("keyed", access_policy=keyed), "create")
    assert cas.read(bob, "keyed").name == "keyed"
    with pytest.raises(PermissionDenied):
        cas.read(alice, "keyed")  # read lists only bob, not the creator
    with pytest.raises(PermissionDenied):
        cas.upload(alice, _ns("keyed/x"), "create")


def test_missing_version_cannot_host_children(cas: Cas, alice: Client) -> None:
    cas.upload(alice, {"name": "plain"}, "create")
    assert cas.read(alice, "plain").description["version"] == "0.2"
    with pytest.raises(PermissionDenied, match=r"0\.3"):
        cas.upload(alice, _ns("plain/child"), "create")


def test_foreign_creator_is_refused(cas: Cas, alice: Client, bob: Client) -> None:
    assert bob.cert_pem is not None
    with pytest.raises(PolicyError, match="creator"):
        cas.upload(alice, _ns("ns5", creator=bob.cert_pem), "create")


def test_generated_secrets_kept_on_update_where_kind_allows(cas: Cas, alice: Client) -> None:
    secrets = [
        {"name": "a", "kind": "ascii", "export_public": True},
        {"name": "b", "kind": "binary", "size": 16, "export_public": True},
        {"name": "k", "kind": "private-key", "migrate": True, "export_public": True},
        {"name": "c", "kind": "x509", "private_key": "k", "export_public": True},
    ]
    first = cas.upload(alice, _ns("sec", secrets=secrets), "create")
    before = cas.store.secret_values("sec")
    assert len(before["a"].value) == 20 and len(before["b"].value) == 16
    assert "BEGIN PRIVATE KEY" in before["k"].value.decode()
    cas.upload(alice, _ns("sec", secrets=secrets, predecessor=first.hash), "update")
    after = cas.store.secret_values("sec")
    assert after["a"] == before["a"] and after["b"] == before["b"] and after["k"] == before["k"]
    assert after["c"] != before["c"]  # certificates are always regenerated
    values = cas.public_values("sec", None)["values"]
    assert values["a"]["kind"] == "string" and values["k"]["kind"] == "public-key"
    assert "PRIVATE" not in values["k"]["value"] and "PRIVATE" not in values["c"]["value"]


def test_public_values_only(cas: Cas, alice: Client) -> None:
    secrets = [
        {"name": "pub", "kind": "ascii", "value": "42", "export_public": True},
        {"name": "priv", "kind": "ascii", "value": "007"},
    ]
    cas.upload(alice, _ns("vals", secrets=secrets), "create")
    assert cas.public_values("vals", "pub")["value"] == "42"
    with pytest.raises(NotFound, match="not visible for a public client"):
        cas.public_values("vals", "priv")
    with pytest.raises(NotFound):
        cas.public_values("missing-session", "pub")
    assert cas.public_values("vals", None) == {
        "values": {"pub": {"kind": "string", "value": "42", "expires": None, "renew": None}}
    }


def test_seeded_example_session(cas: Cas, alice: Client) -> None:
    current = cas.store.current("example_session")
    assert current is not None and current.predecessor is not None
    assert cas.public_values("example_session", "example_value")["value"] == "42"
    with pytest.raises(PermissionDenied):
        cas.read(alice, "example_session")
    bootstrap.seed(cas)  # idempotent
    assert len(cas.store.history("example_session")) == 2


def test_secret_export_and_import(cas: Cas, alice: Client) -> None:
    exported = {"name": "shared", "kind": "ascii", "value": "s3", "export": {"session": "imp"}}
    cas.upload(alice, _ns("exp", secrets=[exported]), "create")
    imported = {"name": "mine", "import": {"session": "exp", "secret": "shared"}}
    cas.upload(alice, _ns("imp", secrets=[imported]), "create")
    cas.upload(alice, _ns("other", secrets=[imported]), "create")
    assert cas.resolve_secret("imp", "mine").value == b"s3"
    with pytest.raises(NotFound, match="does not export it to 'other'"):
        cas.resolve_secret("other", "mine")
    # Exporting to a namespace covers the namespace's sessions.
    by_ns = {"name": "shared", "kind": "ascii", "value": "n5", "export": [{"namespace": "team"}]}
    cas.upload(alice, _ns("exp2", secrets=[by_ns]), "create")
    cas.upload(alice, _ns("team"), "create")
    child_import = {"name": "mine", "import": {"session": "exp2", "secret": "shared"}}
    cas.upload(alice, _ns("team/app", secrets=[child_import]), "create")
    assert cas.resolve_secret("team/app", "mine").value == b"n5"


def test_pem_certificate_entry_grants_by_key(cas: Cas, alice: Client, bob: Client) -> None:
    assert bob.cert_pem is not None
    policy_ = {"read": ["CREATOR", bob.cert_pem], "update": ["CREATOR"]}
    cas.upload(alice, _ns("pem", access_policy=policy_), "create")
    assert cas.read(bob, "pem").name == "pem"
