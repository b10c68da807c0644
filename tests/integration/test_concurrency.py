"""Concurrency: racing updates keep the history linear; parallel CLIs share a config safely."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path
from typing import Any

import yaml

from localcas.instance import CasInstance
from tests.helpers import Shell
from tests.integration._support import (
    SETUP,
    RestClient,
    db_state,
    history,
    pem_blocks,
    store_problems,
    unique,
)

RACERS = 20

NEXT = (
    'printf \'name: $NS\\nversion: "0.3"\\npredecessor: $P\\n'
    'secrets:\\n  - {name: who, kind: ascii, value: "$WHO"}\\n\' > next.yml\n'
)
"""Assignment 4's update template, with a value that tells the racers apart."""


def _namespace(shell: Shell) -> tuple[str, str]:
    ns = unique()
    done = shell.run(
        SETUP + "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"
        f"scone session create -e NS={ns} ns.yml\n" + NEXT
    )
    return ns, done.stdout.strip()


def _secret_value(read_form: str) -> str:
    secrets = yaml.safe_load(read_form)["secrets"]
    assert len(secrets) == 1
    return str(secrets[0]["value"])


def _versions_of(cas: CasInstance, name: str) -> int:
    return sum(1 for row in db_state(cas.db)["versions"] if row[1] == name)


def test_twenty_cli_updates_with_one_predecessor(shell: Shell, cas: CasInstance) -> None:
    ns, first = _namespace(shell)
    scone = str(shell.home / ".course-tools" / "scone")
    create = [scone, "session", "create", "-e", f"NS={ns}", "-e", f"P={first}"]
    racers = [
        subprocess.Popen(
            [*create, "-e", f"WHO=racer-{i}", "next.yml"],
            cwd=shell.home,
            env=shell.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(RACERS)
    ]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        results.append((racer.returncode, out, err))
    winners = [i for i, (code, _, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, [r[0] for r in results]
    winner = winners[0]
    digest = results[winner][1].strip()
    for i, (_, _, err) in enumerate(results):
        if i == winner:
            continue
        head = err.splitlines()[0] if err else ""
        assert head.startswith("Error: "), err
        assert "predecessor" in head and first in head and "current" in head, head
    assert history(shell, ns) == [digest, first]
    assert _versions_of(cas, ns) == 2
    assert _secret_value(shell.run(f"scone session read {ns}").stdout) == f"racer-{winner}"


def test_twenty_rest_updates_released_together(shell: Shell, cas: CasInstance) -> None:
    ns, first = _namespace(shell)
    identity = shell.home / "identity.pem"
    config = json.loads((shell.home / ".cas" / "config.json").read_text())
    identity.write_text(config["identity"])
    client = RestClient(cas.address, shell.home / "cas_cert.crt", identity)
    ctx = client.context()
    # Handshakes first, then all twenty requests leave together.
    connections = [client.connect(ctx) for _ in range(RACERS)]
    gate = threading.Barrier(RACERS)
    answers: list[tuple[int, dict[str, Any]] | BaseException] = [ValueError()] * RACERS

    def race(i: int) -> None:
        session = {
            "name": ns,
            "version": "0.3",
            "predecessor": first,
            "secrets": [{"name": "who", "kind": "ascii", "value": f"thread-{i}"}],
        }
        try:
            gate.wait(timeout=30)
            answers[i] = client.post_session(ctx, session, conn=connections[i])
        except BaseException as err:  # reported by the assertions below
            answers[i] = err

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = [a[0] if isinstance(a, tuple) else repr(a) for a in answers]
    winners = [i for i, s in enumerate(statuses) if s == 200]
    assert len(winners) == 1, statuses
    assert statuses.count(409) == RACERS - 1, statuses
    for answer in answers:
        assert isinstance(answer, tuple)
        if answer[0] == 409:
            assert any("predecessor" in m for m in answer[1]["msg"]), answer
    won = answers[winners[0]]
    assert isinstance(won, tuple)
    assert history(shell, ns) == [won[1]["hash"], first]
    assert _versions_of(cas, ns) == 2
    assert _secret_value(shell.run(f"scone session read {ns}").stdout) == f"thread-{winners[0]}"
    assert store_problems(cas.db) == []


def test_parallel_clis_share_one_config(shell: Shell, cas: CasInstance, tmp_path: Path) -> None:
    # A fresh config that does not exist yet: attests (under two names of the same CAS)
    # and key-hash queries, which create the identity on first need, all at once.
    config = tmp_path / "shared" / ".cas" / "config.json"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(shell.env, SCONE_CLI_CONFIG=str(config), TMPDIR=str(scratch))
    mrenclave = shell.run(
        'curl -fsS "$SCONE_CAS_PAGE" | grep -oE "\\b[0-9a-f]{64}\\b" | head -n1'
    ).stdout.strip()
    names = [cas.address, f"{cas.address}:8081"]
    attest = ["cas", "attest", "-G", "--mrenclave", mrenclave, "--only_for_testing-ignore-signer"]
    attest.append("--only_for_testing-debug")
    commands = [[*attest, names[i % 2]] for i in range(6)]
    commands += [["self", "show-key-hash"] for _ in range(8)]
    commands += [["self", "show"] for _ in range(2)]
    order = [commands[i] for i in sorted(range(len(commands)), key=lambda i: (i * 7) % 16)]
    scone = str(shell.home / ".course-tools" / "scone")
    runs = [
        subprocess.Popen(
            [scone, *command],
            cwd=shell.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in order
    ]
    outputs = []
    for command, run in zip(order, runs, strict=True):
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, (command, err)
        outputs.append((command, out))

    data = json.loads(config.read_text())
    identity = data["identity"]
    assert identity.count("BEGIN PRIVATE KEY") == 1 and len(pem_blocks(identity)) == 1
    hashes = {out.strip() for command, out in outputs if command[-1] == "show-key-hash"}
    hashes |= {
        out.rsplit("Public key hash: ", 1)[1].strip()
        for command, out in outputs
        if command[-1] == "show"
    }
    (tmp_path / "me.pem").write_text(pem_blocks(identity)[0])
    on_file = shell.run(f"scone cert show-key-hash {tmp_path / 'me.pem'}").stdout.strip()
    assert hashes == {on_file}, hashes
    assert sorted(data["cas_db"]) == sorted(names)
    assert data["default_cas"] in names
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    leftovers = set(os.listdir(config.parent)) - {"config.json", "config.json.lock"}
    assert leftovers == set(), leftovers
    assert os.listdir(scratch) == []
    # And the file still works: a later run agrees and uses the attested CAS.
    done = subprocess.run(
        [scone, "session", "read", "example_session"],
        cwd=shell.home,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "not permitted" in done.stderr, done.stderr
