"""Provides ``python -m localcas``: the CAS server command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Parses the command line and runs the chosen verb."""
    parser = argparse.ArgumentParser(
        prog="python -m localcas", description="localcas: a local stand-in for SCONE's CAS"
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    serve = verbs.add_parser("serve", help="run a CAS until SIGTERM or SIGINT")
    serve.add_argument("--address", required=True, help="loopback address, e.g. 127.3.0.1")
    serve.add_argument("--db", required=True, type=Path, help="SQLite database file")
    serve.add_argument("--port", type=int, default=8081, help="client API port (HTTPS)")
    serve.add_argument(
        "--enclave-port",
        type=int,
        default=18765,
        help="enclave API port (HTTPS; used by the emulated SCONE runtime)",
    )
    serve.add_argument("--docs-port", type=int, default=8080, help="MRENCLAVE page (HTTP)")
    serve.add_argument("--request-log", type=Path, help="append one JSON line per request")
    serve.add_argument("--fault-plan", type=Path, help="inject one fault (see localcas.faults)")
    serve.add_argument("--events", type=Path, help="append fault events (crash points) here")
    args = parser.parse_args(argv)
    from localcas.errors import LocalCasError
    from localcas.server.main import serve as run

    try:
        return run(
            args.address,
            args.db,
            port=args.port,
            enclave_port=args.enclave_port,
            docs_port=args.docs_port,
            request_log=args.request_log,
            fault_plan=args.fault_plan,
            events=args.events,
        )
    except LocalCasError as err:
        print(f"localcas: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
