"""Provides :class:`BlackboxSandbox`: a grading tree in front of a CAS the grader does not own.

It looks like a :class:`~grader.sandbox.Sandbox` to the plan, the shell driver and the
probes (same tree, HOME, tools, ledger, isolation, explicit environment), but:

- there is no CAS of its own: a :class:`~grader.backend.proxy.FaultProxy` on the sandbox's
  loopback address passes the standard ports through to the target CAS, and scripts get
  that address as ``SCONE_CAS_ADDR``;
- ``tools/scone`` is the shim (grader.backend.shim) around the real `scone`, which writes
  the ledger, and ``tools/docker`` is the machine's docker (the real SCONE runtime); the
  shim's settings, mutation counter, crash point and in-flight calls live in ``shim/``
  (visible to scripts: see docs/blackbox.md for what that allows);
- the CLI config is ``$SCONE_CLI_CONFIG`` = ``~/.cas/config.json`` of this sandbox, so every
  world starts with a new identity;
- the CAS cannot be rolled back: :meth:`reset` starts a new *world* instead (empty HOME,
  new identity, new ledger), in which the plan replays the prerequisites, which create
  fresh namespaces of their own. Sessions of earlier worlds stay on the CAS for ever and
  are listed in :attr:`created`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from grader.backend.proxy import Fault, FaultProxy
from grader.backend.rest import CasRest, RestError, Version, cli_config, fingerprint
from grader.backend.shim import write_shim
from grader.backend.snapshot import ledger_records, rest_snapshot
from grader.catalog import Catalog
from grader.environment import course_environment
from grader.errors import InfrastructureError
from grader.isolation import Isolation
from grader.sandbox import Checkpoint, Sandbox
from grader.state import Snapshot, SnapshotError
from localcas.instance import free_loopback_address

__all__ = ["BlackboxSandbox", "CasTarget"]

STANDARD_PORTS = {"api": 8081, "enclave": 18765, "page": 8080}


class CasTarget:
    """The CAS to grade against and the `scone` to use.

    Args:
        address: ``HOST`` or ``HOST:PORT`` of the client API (default port 8081); the
            enclave API (18765) and the MRENCLAVE page (8080) are expected on HOST.
        scone_cmd: a shell command line that runs the real `scone`; the call's
            arguments are appended.
        page: the URL scripts get as ``SCONE_CAS_PAGE``; default: port 8080 of HOST,
            reached through the proxy.
    """

    def __init__(self, address: str, scone_cmd: str, page: str | None = None) -> None:
        host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
        self.address = address
        self.host = host or address
        self.port = int(port) if port.isdigit() else STANDARD_PORTS["api"]
        self.scone_cmd = scone_cmd
        self.page = page

    def routes(self) -> dict[int, tuple[str, int]]:
        """Proxy port -> upstream (host, port)."""
        return {
            STANDARD_PORTS["api"]: (self.host, self.port),
            STANDARD_PORTS["enclave"]: (self.host, STANDARD_PORTS["enclave"]),
            STANDARD_PORTS["page"]: (self.host, STANDARD_PORTS["page"]),
        }


class BlackboxSandbox(Sandbox):
    """A sandbox whose scripts talk to ``target`` through a fault proxy and the shim."""

    def __init__(
        self,
        catalog: Catalog,
        target: CasTarget,
        *,
        base: Path | None = None,
        isolation: Isolation | None = None,
    ) -> None:
        super().__init__(catalog, base=base, isolation=isolation)  # picks self.address
        self.target = target
        self.proxy: FaultProxy | None = None
        self.created: dict[str, None] = {}
        """Every session this sandbox's worlds created on the CAS, in order."""
        self._counted: set[str] = set()
        self._redact: tuple[str, ...] = ()
        self._hashes: dict[str, str | None] = {}

    # -- paths ------------------------------------------------------------------------

    @property
    def shim_dir(self) -> Path:
        """The shim's settings and control files."""
        return self.root / "shim"

    @property
    def events(self) -> Path:
        """Crash points announced by the shim."""
        return self.shim_dir / "events.jsonl"

    @property
    def config(self) -> Path:
        """The learner's `scone` CLI config (``SCONE_CLI_CONFIG``)."""
        return self.home / ".cas" / "config.json"

    # -- life cycle -------------------------------------------------------------------

    def __enter__(self) -> BlackboxSandbox:
        for path in (self.home, self.tools, self.ledger.parent, self.private, self.stash):
            path.mkdir(parents=True, exist_ok=True)
        for path in (self.tmp, self.shim_dir / "inflight"):
            path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o700)
        conf = self.shim_dir / "conf.json"
        settings = {
            "scone_cmd": self.target.scone_cmd,
            "ledger": str(self.ledger),
            "control": str(self.shim_dir),
            "host": self.target.host,
            "port": self.target.port,
        }
        conf.write_text(json.dumps(settings), encoding="utf-8")
        write_shim(self.tools, conf)
        # The course's `docker` runs course images on the emulated runtime; against a real
        # CAS it is the machine's docker with the real SCONE runtime (OTP section).
        docker = self.tools / "docker"
        docker.write_text('#!/bin/sh\nexec docker "$@"\n', encoding="utf-8")
        docker.chmod(0o755)
        try:
            self.start_cas()
        except BaseException:
            self.close()  # `with` calls no __exit__ when __enter__ fails
            raise
        return self

    def close(self) -> None:
        """Stops the proxy and removes the tree; the CAS keeps what the runs created."""
        self._harvest()
        super().close()

    def start_cas(self, fault: dict[str, Any] | None = None) -> None:
        """Starts the proxy (the CAS itself is not ours to start).

        Raises:
            InfrastructureError: the proxy's ports are taken.
        """
        for attempt in range(3):
            if self.proxy is not None:
                break
            try:
                self.proxy = FaultProxy(self.address, self.target.routes()).start()
            except OSError as err:
                if attempt == 2:
                    raise InfrastructureError(
                        f"the fault proxy cannot listen on {self.address}: {err}"
                    ) from err
                # Taken since it was picked: another address (nothing has used this one yet).
                self.address = free_loopback_address()
        self.arm(fault)

    def stop_cas(self) -> None:
        """Stops the proxy."""
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None

    # -- running ----------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The course environment, pointed at the proxy, with this world's CLI config;
        ``SCONE_COURSE_LEDGER`` names the shim's ledger (probes read it)."""
        env = course_environment(
            home=self.home, tools=self.tools, cas_address=self.address, ledger=self.ledger
        )
        env["TMPDIR"] = str(self.tmp)
        env["SCONE_CLI_CONFIG"] = str(self.config)
        if self.target.page:
            env["SCONE_CAS_PAGE"] = self.target.page
        return env

    def checkpoint(self) -> Checkpoint:
        """Refused: a CAS the grader does not own cannot be rolled back.

        Raises:
            InfrastructureError: always.
        """
        raise InfrastructureError("a real CAS cannot be rolled back to a checkpoint")

    def restore(self, checkpoint: Checkpoint, fault: dict[str, Any] | None = None) -> None:
        """Refused, like :meth:`checkpoint` (the plan starts a new world instead)."""
        raise InfrastructureError("a real CAS cannot be rolled back to a checkpoint")

    def requests(self) -> list[dict[str, Any]]:
        """A real CAS keeps no request log for us: always empty."""
        return []

    # -- worlds and faults ------------------------------------------------------------

    def reset(self) -> None:
        """Starts a new world: empty HOME (new identity), new ledger, no fault."""
        self._harvest()
        worlds = len(list(self.private.glob("ledger-*.jsonl")))
        if self.ledger.exists():
            shutil.move(self.ledger, self.private / f"ledger-{worlds + 1}.jsonl")
        shutil.rmtree(self.home)
        self.home.mkdir()
        for name in ("mutations", "crash.json", "events.jsonl"):
            (self.shim_dir / name).unlink(missing_ok=True)
        for stale in (self.shim_dir / "inflight").glob("*.json"):
            stale.unlink(missing_ok=True)
        self._counted.clear()
        self.arm(None)

    def arm(self, fault: dict[str, Any] | None) -> None:
        """Plans ``fault`` (``crash`` in the shim, ``drop``/``refuse`` in the proxy)."""
        (self.shim_dir / "crash.json").unlink(missing_ok=True)
        (self.shim_dir / "mutations").unlink(missing_ok=True)
        if self.proxy is not None:
            self.proxy.arm(None)
        if fault is None:
            return
        kind, at = str(fault["kind"]), int(fault["at"])
        if kind == "crash":
            (self.shim_dir / "crash.json").write_text(json.dumps({"at": at}), encoding="utf-8")
        elif kind in ("drop", "refuse") and self.proxy is not None:
            self.proxy.arm(Fault(kind, at, self._committed, self._in_flight))
        else:
            raise InfrastructureError(f"the black-box backend has no fault {kind!r}")

    def _in_flight(self) -> bool:
        return any((self.shim_dir / "inflight").glob("*.json"))

    def _committed(self) -> bool:
        """True once per upload in flight whose sessions changed on the CAS since it began."""
        for path in sorted((self.shim_dir / "inflight").glob("*.json")):
            if path.name in self._counted:
                continue
            try:
                note = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # finished meanwhile
            client = self._client_for(note)
            if client is None:
                continue
            try:
                changed = any(
                    fingerprint(client.version(name)) != before
                    for name, before in note.get("sessions", {}).items()
                )
            except RestError:
                continue
            if changed:
                self._counted.add(path.name)
                return True
        return False

    def _client_for(self, note: dict[str, Any]) -> CasRest | None:
        """REST as the identity of a call in flight (None: it cannot be built)."""
        config = cli_config(Path(note.get("config", "")))
        if config is None:
            return None
        try:
            if note.get("identity"):
                config["identity"] = Path(note["identity"]).read_text(encoding="utf-8")
            return CasRest.from_config(config, self.target.host, self.target.port, note.get("cas"))
        except (OSError, ValueError):
            return None

    # -- what the backend reads -------------------------------------------------------

    def learner_rest(self) -> tuple[CasRest | None, CasRest | None]:
        """REST as the learner, and as a public client (None: not attested yet)."""
        config = cli_config(self.config)
        if config is None:
            return None, None
        try:
            learner = CasRest.from_config(config, self.target.host, self.target.port)
            public = CasRest.from_config(
                {**config, "identity": None}, self.target.host, self.target.port
            )
        except (OSError, ValueError):  # a config the CLI would not use either
            return None, None
        return learner, public

    def snapshot(self, files: dict[str, Path]) -> Snapshot:
        """This world's sessions (from the ledger) over REST, and the declared files.

        Raises:
            InfrastructureError: the CAS could not be read.
        """
        learner, public = self.learner_rest()
        records = ledger_records(self.ledger)
        try:
            snapshot = rest_snapshot(learner, public, records, files, self.hash_of)
        except SnapshotError as err:
            raise InfrastructureError(str(err)) from err
        self._redact = _generated_values(snapshot)
        return snapshot

    def hash_of(self, name: str, version: Version) -> str | None:
        """The hash of a version REST showed without one: what ``scone session verify`` of
        its read form prints (as the learner), or None when that fails."""
        key = hashlib.sha256(version.text.encode()).hexdigest()
        if key not in self._hashes:
            work = self.private / "verify"
            work.mkdir(exist_ok=True)
            (work / "session.yml").write_text(version.text + "\n", encoding="utf-8")
            command = ["/bin/sh", "-c", self.target.scone_cmd + ' "$@"', "scone"]
            try:
                done = subprocess.run(
                    [*command, "session", "verify", "session.yml"],
                    cwd=work,
                    env=self.env(),
                    capture_output=True,
                    text=True,
                    timeout=120,
                    stdin=subprocess.DEVNULL,
                )
            except (OSError, subprocess.TimeoutExpired):
                done = None
            found = re.findall(r"\b[0-9a-f]{64}\b", done.stdout) if done else []
            self._hashes[key] = found[-1] if done and done.returncode == 0 and found else None
        return self._hashes[key]

    def redactions(self) -> tuple[str, ...]:
        """Generated public values seen in the last snapshot."""
        return self._redact

    def mutations(self) -> int:
        """Mutating calls in this world's ledger."""
        return sum(1 for r in ledger_records(self.ledger) if r.get("mutated"))

    def _harvest(self) -> None:
        for record in ledger_records(self.ledger):
            if not record.get("mutated"):
                continue
            before = record.get("before") or {}
            for name in record.get("sessions", []):
                if not before.get(name):
                    self.created.setdefault(str(name), None)


def _generated_values(snapshot: Snapshot) -> tuple[str, ...]:
    found = []
    for session, values in snapshot.secrets.items():
        entry = snapshot.sessions.get(session, {})
        versions = entry.get("versions") or []
        specs = versions[-1]["description"].get("secrets", []) if versions else []
        given = {s.get("name") for s in specs if isinstance(s, dict) and "value" in s}
        for secret, item in values.items():
            if secret not in given and len(item.get("value", "")) >= 6:
                found.append(item["value"])
    return tuple(found)
