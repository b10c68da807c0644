"""Durability: kill -9 loses nothing acknowledged; a restarted CAS keeps its identity."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

from localcas.instance import CasInstance
from tests.helpers import Shell, make_shell
from tests.integration._support import (
    CURL,
    SETUP,
    RestClient,
    error_lines,
    pem_blocks,
    served_chain,
    store_problems,
    unique,
)

VALUE_URL = "https://cas:8081/v1/values/session=example_session,secret=example_value"


def _course_shell(tmp_path: Path, cas: CasInstance) -> Shell:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return make_shell(home, cas)


def _identity_file(shell: Shell) -> Path:
    path = shell.home / "identity.pem"
    path.write_text(json.loads((shell.home / ".cas" / "config.json").read_text())["identity"])
    return path


def test_kill_9_during_a_burst_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "cas" / "cas.db"
    acked: list[tuple[str, str]] = []  # (name, hash) in the order the CAS acknowledged
    lock = threading.Lock()
    first_ack = threading.Event()
    stop = threading.Event()
    crashes: list[BaseException] = []
    cas = CasInstance(db).start()
    try:
        shell = _course_shell(tmp_path, cas)
        shell.run(SETUP)
        client = RestClient(cas.address, shell.home / "cas_cert.crt", _identity_file(shell))
        prefix = unique("burst")

        def burst(worker: int) -> None:
            ctx = client.context()
            try:
                for i in range(5000):
                    if stop.is_set():
                        return
                    name = f"{prefix}-{worker}-{i}"
                    session: dict[str, Any] = {"name": name, "version": "0.3"}
                    status, body = client.post_session(ctx, session)
                    assert status == 201, body
                    with lock:
                        acked.append((name, body["hash"]))
                    first_ack.set()
                    session["predecessor"] = body["hash"]
                    session["secrets"] = [{"name": "n", "kind": "ascii", "value": str(i)}]
                    status, body = client.post_session(ctx, session)
                    assert status == 200, body
                    with lock:
                        acked.append((name, body["hash"]))
            except (OSError, http.client.HTTPException):
                return  # the CAS died under us: expected
            except BaseException as err:  # reported below
                crashes.append(err)

        workers = [threading.Thread(target=burst, args=(w,)) for w in range(2)]
        for worker in workers:
            worker.start()
        assert first_ack.wait(30), "no create was acknowledged"
        time.sleep(random.uniform(0.2, 0.8))  # kill at a random moment of the burst
        cas.kill()
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
        assert crashes == []
    finally:
        stop.set()
        cas.kill()
    with lock:
        acknowledged = list(acked)
    assert len(acknowledged) >= 4, acknowledged

    with CasInstance(db, cas.address) as again:
        assert store_problems(db) == []
        ctx = client.context()
        latest: dict[str, str] = {}
        for name, digest in acknowledged:
            status, body = client.get_session(ctx, name, digest)
            assert status == 200 and body["hash"] == digest, (name, digest, body)
            latest[name] = digest
        for name, digest in latest.items():
            status, body = client.get_session(ctx, name)
            assert status == 200, body
            # The acknowledged version is current, or an unacknowledged successor of it is.
            if body["hash"] != digest:
                assert f"predecessor: {digest}" in body["session"], (name, digest, body)
        assert again.process is not None and again.process.poll() is None


def test_restart_on_the_same_address_keeps_identity(tmp_path: Path) -> None:
    db = tmp_path / "cas" / "cas.db"
    ns = unique()
    with CasInstance(db) as first:
        address = first.address
        shell = _course_shell(tmp_path, first)
        done = shell.run(
            SETUP + "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"
            f"scone session create -e NS={ns} ns.yml\n"
        )
        digest = done.stdout.strip()
    with CasInstance(db, address) as second:
        done = shell.run("scone session read example_session", check=False)
        first_line = error_lines(done)[0]
        assert "not permitted" in first_line, first_line
        assert "TLS" not in done.stderr and "not the CAS that was attested" not in done.stderr
        shell.run(f"scone session read {ns} > r.yml")
        assert shell.run("scone session verify r.yml").stdout == digest + "\n"
        done = shell.run(f"scone session create -e NS={unique()} ns.yml")
        assert len(done.stdout.strip()) == 64
        shown = shell.run("scone cas show-certificate").stdout
        served = served_chain(shell, second.address)
        assert len(served) == 3, served
        assert pem_blocks(shown) == served[1:]
        done = shell.run(f"{CURL} --cacert cas_cert.crt {VALUE_URL}")
        assert json.loads(done.stdout)["value"] == "42"


def test_restart_on_another_address_keeps_the_chain(tmp_path: Path) -> None:
    db = tmp_path / "cas" / "cas.db"
    ns = unique()
    with CasInstance(db) as first:
        shell = _course_shell(tmp_path, first)
        done = shell.run(
            SETUP + 'curl -fsS "$SCONE_CAS_PAGE" | grep -oE "\\b[0-9a-f]{64}\\b" | head -n1 > M\n'
            "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"
            f"scone session create -e NS={ns} ns.yml\n"
        )
        digest = done.stdout.strip()
        old_address = first.address
    with CasInstance(db) as moved:
        assert moved.address != old_address
        shell.env["SCONE_CAS_ADDR"] = moved.address
        shell.env["SCONE_CAS_PAGE"] = moved.page_url
        # The old pinned chain verifies the new address's leaf.
        done = shell.run(f"{CURL} --cacert cas_cert.crt {VALUE_URL}")
        assert json.loads(done.stdout)["value"] == "42"
        # Re-attesting with the MRENCLAVE scraped from the old address works, same chain.
        done = shell.run(
            'scone cas attest -G --mrenclave "$(cat M)" --only_for_testing-ignore-signer'
            f" --only_for_testing-debug {moved.address}\n"
            f"scone cas show-certificate {moved.address}\n"
        )
        assert pem_blocks(done.stdout) == pem_blocks((shell.home / "cas_cert.crt").read_text())
        served = served_chain(shell, moved.address)
        assert served[1:] == pem_blocks((shell.home / "cas_cert.crt").read_text())
        shell.run(f"scone cas set-default {moved.address}")
        shell.run(f"scone session read {ns} > r.yml")
        assert shell.run("scone session verify r.yml").stdout == digest + "\n"
