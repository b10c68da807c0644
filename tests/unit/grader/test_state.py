"""Snapshots of a real (in-process) CAS database and their normalised form."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.state import (
    FILE_CAP,
    Snapshot,
    SnapshotError,
    diff,
    normalise,
    render_diff,
    select,
    take_snapshot,
)
from localcas import bootstrap, tls
from localcas.access import Client
from localcas.cas import Cas
from localcas.store import Store

CHILD = "private_public_values"


@dataclass
class World:
    """One sandbox-like CAS: the database, the learner and what the 'script' did."""

    cas: Cas
    db: Path
    files: dict[str, Path]
    learner: Client
    identities: dict[str, str]
    baseline: Snapshot
    namespace: str
    hashes: list[str]

    def snapshot(self) -> Snapshot:
        return take_snapshot(self.db, self.files)

    def normalised(self, **options: Any) -> dict[str, Any]:
        return normalise(
            self.snapshot(), baseline=self.baseline, identities=self.identities, **options
        )


def _namespace(name: str, learner: Client, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "version": "0.3",
        "access_policy": {
            "read": ["CREATOR"],
            "update": ["CREATOR"],
            "create_sessions": [str(learner.key_hash)],
        },
        **extra,
    }


def _child(namespace: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"{namespace}/{CHILD}",
        "version": "0.3",
        "secrets": [
            {"name": "public", "kind": "ascii", "value": "007", "export_public": True},
            {"name": "private", "kind": "ascii", "size": 16},
        ],
        **extra,
    }


def _world(tmp: Path, suffix: str) -> World:
    """Seeds a CAS, then does what a learner's script would: namespace, child, update."""
    tmp.mkdir()
    store = Store(tmp / "cas.db")
    cas = Cas(store)
    bootstrap.seed(cas)
    learner = Client.from_cert_pem(tls.create_identity())
    operator = bootstrap.operator_client(store)
    identities = {str(learner.key_hash): "<learner>", str(operator.key_hash): "<operator>"}
    files = {"a2-namespace/state.env": tmp / "state.env", "missing.txt": tmp / "missing.txt"}
    baseline = take_snapshot(store.path, files)
    namespace = f"my_exercise-root-{suffix}"
    first = cas.upload(learner, _namespace(namespace, learner), "create")
    cas.upload(learner, _child(namespace), "create")
    second = cas.upload(learner, _namespace(namespace, learner, predecessor=first.hash), "create")
    (tmp / "state.env").write_text(
        f'export NS="{namespace}"\nexport NS_CREATED={first.hash}\nexport NS_HASH={second.hash}\n'
    )
    return World(
        cas, store.path, files, learner, identities, baseline, namespace, [first.hash, second.hash]
    )


@pytest.fixture
def world(tmp_path: Path) -> World:
    return _world(tmp_path / "a", "12345")


@pytest.fixture
def other(tmp_path: Path) -> World:
    return _world(tmp_path / "b", "98765")


def test_two_runs_with_different_names_and_secrets_normalise_equal(
    world: World, other: World
) -> None:
    raw_a, raw_b = world.snapshot(), other.snapshot()
    child_a, child_b = f"{world.namespace}/{CHILD}", f"{other.namespace}/{CHILD}"
    assert raw_a.session_names() != raw_b.session_names()
    assert raw_a.secrets[child_a]["private"]["value"] != raw_b.secrets[child_b]["private"]["value"]
    a = normalise(raw_a, baseline=world.baseline, identities=world.identities)
    b = normalise(raw_b, baseline=other.baseline, identities=other.identities)
    assert a["names"] == {"<NS1>": world.namespace}
    assert b["names"] == {"<NS1>": other.namespace}
    assert diff(a, b) == []
    a.pop("names")
    b.pop("names")
    assert a == b
    assert json.loads(json.dumps(a)) == a  # plain JSON, no timestamps or hashes left
    text = json.dumps(a)
    assert "created_at" not in text and world.hashes[0] not in text
    assert world.namespace not in text


def test_result_shape_hashes_and_identities(world: World) -> None:
    result = world.normalised()
    assert sorted(result["sessions"]) == ["<NS1>", f"<NS1>/{CHILD}", "example_session"]
    namespace = result["sessions"]["<NS1>"]
    assert namespace["versions"] == 2 and namespace["creator"] == "<learner>"
    assert namespace["current"] == namespace["history"][-1]
    assert namespace["current"]["name"] == "<NS1>"
    assert namespace["current"]["creator"] == "<learner>"
    assert namespace["current"]["predecessor"] == "<hash:<NS1>@1>"
    assert namespace["history"][0]["predecessor"] is None
    assert namespace["current"]["access_policy"]["create_sessions"] == ["<learner>"]
    example = result["sessions"]["example_session"]
    assert example["creator"] == "<operator>" and example["versions"] == 2
    assert example["current"]["predecessor"] == "<hash:example_session@1>"
    assert result["files"]["missing.txt"] is None


def test_state_env_text_is_normalised(world: World) -> None:
    text = world.normalised()["files"]["a2-namespace/state.env"]
    assert text == (
        'export NS="<NS1>"\nexport NS_CREATED=<hash:<NS1>@1>\nexport NS_HASH=<hash:<NS1>@2>\n'
    )


def test_explicit_secret_stays_and_generated_becomes_placeholder(
    world: World, other: World
) -> None:
    child = f"<NS1>/{CHILD}"
    assert world.normalised()["secrets"][child] == {
        "private": {"kind": "ascii", "value": "<generated:ascii>"},
        "public": {"kind": "ascii", "value": "007"},
    }
    raw = world.snapshot().secrets[f"{world.namespace}/{CHILD}"]["private"]["value"]
    assert raw not in json.dumps(world.normalised())
    # Without the blanket placeholder, a regenerated value is visible (and still hidden).
    a = world.normalised(secrets_generated=False)["secrets"][child]["private"]["value"]
    b = other.normalised(secrets_generated=False)["secrets"][child]["private"]["value"]
    assert a.startswith("<generated:ascii:") and a != b and raw not in a


def test_generated_value_copied_into_a_file_is_hidden(world: World) -> None:
    raw = world.snapshot().secrets[f"{world.namespace}/{CHILD}"]["private"]["value"]
    (world.files["a2-namespace/state.env"]).write_text(f"SECRET={raw}\n")
    assert world.normalised()["files"]["a2-namespace/state.env"] == "SECRET=<generated:ascii>\n"


def test_second_namespace_shows_as_added(world: World) -> None:
    before = world.normalised()
    second = f"my_exercise-root-{54321}"
    world.cas.upload(world.learner, _namespace(second, world.learner), "create")
    after = world.normalised()
    assert after["names"] == {"<NS1>": world.namespace, "<NS2>": second}
    changes = diff(before, after)
    assert [(c.path, c.kind) for c in changes] == [("sessions.<NS2>", "added")]
    assert changes[0].before is None and changes[0].after["creator"] == "<learner>"
    assert "+ added   sessions.<NS2>" in render_diff(changes).splitlines()


def test_extra_version_is_a_change_of_versions(world: World) -> None:
    before = world.normalised()
    name = f"{world.namespace}/{CHILD}"
    current = world.cas.store.current(name)
    assert current is not None
    world.cas.upload(world.learner, _child(world.namespace, predecessor=current.hash), "create")
    changes = {c.path: c for c in diff(before, world.normalised())}
    versions = changes[f"sessions.<NS1>/{CHILD}.versions"]
    assert (versions.before, versions.after, versions.kind) == (1, 2, "changed")
    predecessor = changes[f"sessions.<NS1>/{CHILD}.current.predecessor"]
    assert (predecessor.before, predecessor.after) == (None, f"<hash:<NS1>/{CHILD}@1>")
    assert f"sessions.<NS1>/{CHILD}.history" in changes  # lengths differ: one change
    # The generated value was kept on update, so the secrets did not change.
    assert not any(path.startswith("secrets") for path in changes)
    lines = render_diff(list(changes.values())).splitlines()
    assert f"~ changed sessions.<NS1>/{CHILD}.versions: 1 -> 2" in lines


def test_unknown_identity_and_names_under_baseline_namespaces(world: World) -> None:
    bob = Client.from_cert_pem(tls.create_identity())
    operator = bootstrap.operator_client(world.cas.store)
    world.cas.upload(bob, {"name": "bobs_namespace-777", "version": "0.3"}, "create")
    world.cas.upload(operator, {"name": "example_session/extra", "version": "0.3"}, "create")
    result = world.normalised()
    assert result["sessions"]["<NS2>"]["creator"] == "<identity1>"
    assert result["names"]["<identity1>"] == bob.key_hash
    assert result["sessions"]["example_session/extra"]["creator"] == "<operator>"


def test_without_baseline_every_name_is_new(world: World) -> None:
    result = normalise(world.snapshot(), baseline=None, identities=world.identities)
    assert result["names"] == {"<NS1>": "example_session", "<NS2>": world.namespace}


def test_take_snapshot_while_another_connection_writes(world: World) -> None:
    writer = sqlite3.connect(world.db, isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE sessions SET versions = 99 WHERE name = 'example_session'")
        writer.execute(
            "INSERT INTO secret_values VALUES ('example_session', 'extra', 'ascii', x'00')"
        )
        snapshot = world.snapshot()  # neither blocks nor sees the uncommitted change
        assert "extra" not in snapshot.secrets["example_session"]
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert "extra" in world.snapshot().secrets["example_session"]


def test_take_snapshot_never_creates_a_database(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot open"):
        take_snapshot(tmp_path / "none.db", {})
    assert not (tmp_path / "none.db").exists()


def test_declared_files_are_capped_and_decoded_leniently(tmp_path: Path) -> None:
    big, odd = tmp_path / "big.txt", tmp_path / "odd.txt"
    big.write_bytes(b"x" * (FILE_CAP + 10))
    odd.write_bytes(b"caf\xe9\n")
    db = tmp_path / "cas.db"
    Store(db).close()
    files = take_snapshot(db, {"big": big, "odd": odd, "dir": tmp_path}).files
    assert files["odd"] == "caf\ufffd\n"
    assert files["dir"] is None
    text = files["big"]
    assert text is not None and text.startswith("x" * FILE_CAP) and "truncated" in text


def test_select_reaches_into_a_normalised_snapshot(world: World) -> None:
    result = world.normalised()
    path = f'sessions["<NS1>/{CHILD}"].current.secrets[0].value'
    assert select(result, path) == "007"
    assert select(result, f"secrets.<NS1>/{CHILD}.private.value") == "<generated:ascii>"
    assert select(result, 'files["a2-namespace/state.env"]').startswith('export NS="<NS1>"')
    assert select(result, "sessions.<NS9>", default="none") == "none"
