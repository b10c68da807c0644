"""Provides ``python -m localcas serve``: start a CAS and run until SIGTERM or SIGINT."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from localcas import bootstrap
from localcas.attestation import cas_mrenclave
from localcas.cas import Cas
from localcas.faults import load_plan
from localcas.server.api import ApiContext
from localcas.server.docs_page import DocsServer
from localcas.server.listener import ApiListener
from localcas.server.tlsio import server_context
from localcas.store import Store

__all__ = ["serve"]


def serve(
    address: str,
    db: Path,
    *,
    port: int = 8081,
    enclave_port: int = 18765,
    docs_port: int = 8080,
    request_log: Path | None = None,
    fault_plan: Path | None = None,
    events: Path | None = None,
) -> int:
    """Runs a CAS until a termination signal; returns the process exit code.

    Prints ``localcas ready on ADDRESS`` once every listener accepts connections.
    """
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    db.parent.mkdir(parents=True, exist_ok=True)
    store = Store(db)
    authority = bootstrap.load_authority(store)
    leaf_cert, leaf_key = bootstrap.server_leaf(store, authority, address)
    cas = Cas(store)
    bootstrap.seed(cas)
    context = ApiContext(
        cas,
        authority.chain,
        request_log=_request_logger(request_log),
        faults=None if fault_plan is None else load_plan(fault_plan),
        events=_request_logger(events),
    )
    tls = server_context(leaf_cert, leaf_key, authority.chain)
    enclave_context = ApiContext(cas, authority.chain, enclave=True, lock=context.lock)
    started: list[ApiListener] = []
    try:
        api = ApiListener(address, port, tls, context)
        started.append(api)
        enclave = ApiListener(address, enclave_port, tls, enclave_context)
        started.append(enclave)
        docs = DocsServer(address, docs_port, cas_mrenclave())
    except OSError as err:
        for listener in started:
            listener.stop()
        store.close()
        print(
            f"localcas: cannot listen on {address} ports {port}/{enclave_port}/{docs_port}:"
            f" {err.strerror}. Is another CAS running there? Stop it, or choose another"
            " --address.",
            file=sys.stderr,
        )
        return 2
    api.start()
    enclave.start()
    docs.start()
    print(f"localcas ready on {address}", flush=True)
    stop.wait()
    api.stop()
    enclave.stop()
    docs.stop()
    store.close()
    return 0


def _request_logger(path: Path | None) -> Any:
    """A function appending one JSON line per call to ``path`` (flushed at once)."""
    if path is None:
        return None
    lock = threading.Lock()

    def log(record: dict[str, Any]) -> None:
        line = json.dumps(record) + "\n"
        with lock, path.open("a", encoding="utf-8") as out:
            out.write(line)

    return log
