"""Helpers shared by the bad-input, concurrency and durability tests.

Everything here talks to real processes (a CAS, the `scone` CLI, curl); the only shortcut
is :func:`db_state`, which opens the CAS database read-only to prove that nothing changed
(or that nothing is half-written) without trusting the CAS's own answers.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import sqlite3
import ssl
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from localcas.instance import CasInstance
from tests.helpers import ATTEST, Shell

CURL = 'curl -sS --connect-to "cas:8081:$SCONE_CAS_ADDR:8081"'
"""curl as the course uses it: the CAS's TLS name is `cas`, the address comes from the env."""

CLIENT_PEM = 'printf "\\n$(jq .identity ~/.cas/config.json | tr -d \'\\"\')" > client.pem\n'
"""The Assignment-3 recipe that turns the CLI identity into a curl client certificate."""

SETUP = (
    ATTEST + "scone self show-key-hash >/dev/null\n"
    "scone cas show-certificate > cas_cert.crt\n" + CLIENT_PEM
)
"""Attest, create the identity now (so later failures cannot be blamed on its creation),
and leave `cas_cert.crt` and `client.pem` in HOME."""


def unique(prefix: str = "ns") -> str:
    """A session name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def config_of(shell: Shell) -> Path:
    """The CLI config file the shell's `scone` uses."""
    explicit = shell.env.get("SCONE_CLI_CONFIG")
    return Path(explicit) if explicit else shell.home / ".cas" / "config.json"


def file_bytes(path: Path) -> bytes | None:
    """The file's content, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def db_state(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that describes CAS state (sessions, versions, secret values), read-only."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        return {
            "sessions": con.execute("SELECT * FROM sessions ORDER BY name").fetchall(),
            "versions": con.execute(
                "SELECT hash, name, seq, predecessor, creator_key_hash, description"
                " FROM versions ORDER BY hash"
            ).fetchall(),
            "secret_values": con.execute(
                "SELECT * FROM secret_values ORDER BY session, secret"
            ).fetchall(),
        }


@contextlib.contextmanager
def nothing_changes(cas: CasInstance, *files: Path) -> Iterator[None]:
    """Asserts that the CAS database and ``files`` (bytes, or absence) are as before."""
    before = (db_state(cas.db), [file_bytes(f) for f in files])
    yield
    after_db, after_files = db_state(cas.db), [file_bytes(f) for f in files]
    assert after_db == before[0], "the CAS state changed"
    for path, old, new in zip(files, before[1], after_files, strict=True):
        assert new == old, f"{path} changed"


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines of a failed `scone` run; checks exit code and the `Error: ` line."""
    assert done.returncode != 0, f"expected a failure, got exit 0:\n{done.stdout}"
    lines = done.stderr.splitlines()
    assert lines, "no error message on stderr"
    assert lines[0].startswith("Error: "), done.stderr
    return lines


def store_problems(db: Path) -> list[str]:
    """Inconsistencies of a CAS database: half-written sessions, broken histories."""
    problems: list[str] = []
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        check = con.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check}")
        versions = {
            row[0]: row
            for row in con.execute("SELECT hash, name, seq, predecessor FROM versions").fetchall()
        }
        sessions = con.execute("SELECT name, current_hash, versions FROM sessions").fetchall()
        names = {name for name, _, _ in sessions}
        for name, current, count in sessions:
            if current not in versions:
                problems.append(f"{name}: current hash {current} has no version row")
                continue
            if versions[current][1] != name or versions[current][2] != count:
                problems.append(f"{name}: current version row {versions[current]} vs {count}")
            chain, digest = [], current
            while digest is not None:
                row = versions.get(digest)
                if row is None:
                    problems.append(f"{name}: predecessor {digest} missing")
                    break
                chain.append(row[2])
                digest = row[3]
            if chain != list(range(count, 0, -1)):
                problems.append(f"{name}: history seqs {chain}, expected {count}..1")
        for digest, name, _, _ in versions.values():
            if name not in names:
                problems.append(f"version {digest} of {name} belongs to no session")
    return problems


def rest_session(shell: Shell, name: str, digest: str | None = None) -> dict[str, Any]:
    """`GET /v1/sessions/NAME[?hash=H]` with curl and the shell's identity (needs SETUP)."""
    query = f"?hash={digest}" if digest else ""
    done = shell.run(
        f"{CURL} --fail-with-body --cacert cas_cert.crt --cert client.pem"
        f' "https://cas:8081/v1/sessions/{name}{query}"'
    )
    body = json.loads(done.stdout)
    assert isinstance(body, dict)
    return body


def history(shell: Shell, name: str) -> list[str]:
    """The hashes of ``name`` from the current version back to the first, over REST."""
    hashes: list[str] = []
    current = rest_session(shell, name)
    predecessor = yaml.safe_load(current["session"])["predecessor"]
    hashes.append(current["hash"])
    while predecessor is not None:
        hashes.append(predecessor)
        predecessor = yaml.safe_load(rest_session(shell, name, predecessor)["session"])[
            "predecessor"
        ]
        assert len(hashes) < 1000, "predecessor chain does not end"
    return hashes


@dataclass
class RestClient:
    """A direct HTTPS client of one CAS (pinned chain, the CLI identity as client cert)."""

    address: str
    chain_file: Path
    identity_file: Path

    def context(self) -> ssl.SSLContext:
        """A TLS context that trusts only the attested chain and presents the identity."""
        ctx = ssl.create_default_context(cafile=str(self.chain_file))
        ctx.load_cert_chain(str(self.identity_file))
        return ctx

    def connect(self, ctx: ssl.SSLContext) -> http.client.HTTPSConnection:
        """A connection with the TLS handshake done (to send on later, all at once)."""
        conn = http.client.HTTPSConnection(self.address, 8081, context=ctx, timeout=30)
        conn.connect()
        return conn

    def post_session(
        self,
        ctx: ssl.SSLContext,
        session: dict[str, Any],
        mode: str = "create",
        conn: http.client.HTTPSConnection | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """`POST /v1/sessions` (on ``conn``, else a fresh connection); status and JSON body."""
        conn = conn or http.client.HTTPSConnection(self.address, 8081, context=ctx, timeout=30)
        try:
            body = json.dumps({"session": session, "mode": mode})
            conn.request("POST", "/v1/sessions", body, {"Content-Type": "application/json"})
            answer = conn.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            conn.close()

    def get_session(
        self, ctx: ssl.SSLContext, name: str, digest: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """`GET /v1/sessions/NAME[?hash=H]` on a fresh connection."""
        conn = http.client.HTTPSConnection(self.address, 8081, context=ctx, timeout=30)
        try:
            conn.request("GET", f"/v1/sessions/{name}" + (f"?hash={digest}" if digest else ""))
            answer = conn.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            conn.close()


def pem_blocks(text: str) -> list[str]:
    """The PEM certificates in ``text``, each normalised to end with one newline."""
    end = "-----END CERTIFICATE-----"
    return [
        block[block.index("-----BEGIN CERTIFICATE-----") :].strip() + f"\n{end}\n"
        for block in text.split(end)
        if "-----BEGIN CERTIFICATE-----" in block
    ]


def served_chain(shell: Shell, address: str) -> list[str]:
    """The certificates the CAS at ``address`` presents on 8081 (leaf first), via openssl."""
    done = shell.run(f"openssl s_client -connect {address}:8081 -showcerts </dev/null 2>/dev/null")
    return pem_blocks(done.stdout)
