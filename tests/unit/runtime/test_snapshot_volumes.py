"""Grader snapshots see the runtime's state: volume tags and used OTP steps."""

from __future__ import annotations

from pathlib import Path

from grader.state import diff, normalise, take_snapshot
from localcas import tls
from localcas.access import Client
from localcas.cas import Cas
from localcas.store import Store


def test_volumes_and_otp_steps_are_in_the_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "cas.db"
    cas = Cas(Store(db))
    me = Client.from_cert_pem(tls.create_identity())
    cas.upload(me, {"name": "ns-1", "version": "0.3"}, "create")
    plain = normalise(take_snapshot(db, {}), baseline=None, identities={})
    assert "volumes" not in plain and "otp" not in plain  # Section 1 results keep their shape
    cas.store.volume("ns-1/app", "v")
    first = take_snapshot(db, {})
    assert first.volumes == {"ns-1/app/v": {"tag": None}}
    cas.store.swap_volume_tag("ns-1/app", "v", None, "ab" * 16)
    cas.store.use_otp_step("ns-1/app", "cd" * 32, 42)
    second = take_snapshot(db, {})
    assert second.otp == {"ns-1/app": {"cd" * 6: 42}}
    generated = normalise(second, baseline=None, identities={})
    assert generated["volumes"] == {"<NS1>/app/v": "initialised"}
    assert generated["otp"] == {"<NS1>/app": "used"}
    exact = normalise(second, baseline=None, identities={}, secrets_generated=False)
    assert exact["volumes"] == {"<NS1>/app/v": "initialised:" + "ab" * 6}
    before = normalise(first, baseline=None, identities={}, secrets_generated=False)
    assert diff(before, exact)  # a tag that moved is a change
