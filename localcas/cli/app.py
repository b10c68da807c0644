"""Provides the `scone` command line: argument parsing, dispatch, errors, course ledger.

Option spellings follow SCONE's CLI: top-level ``-c/--config``; inside `session` and
`cas version`, ``-c`` means ``--cas``; in `cas attest`, ``-c`` is the CAS key hash.
Arguments starting with ``@`` are read from a file, one per line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from typing import Any

from localcas import __version__
from localcas.cli.context import Invocation
from localcas.errors import CliError, ConfigError

__all__ = ["build_parser", "main"]

Handler = Callable[[Invocation], None]
_SECRETISH = re.compile(r"(?i)(secret|pass|token|key|otp|private)")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in SCONE's ``Error:`` shape, exit code 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"Error: {message}\nUsage: {self.format_usage().removeprefix('usage: ')}")


def _network_options(p: argparse.ArgumentParser, cas_flag: bool = True) -> None:
    if cas_flag:
        p.add_argument("-c", "--cas", help="CAS to use (default: the default CAS)")
    p.add_argument("--identity", help="identity file (private key + certificate PEM)")
    p.add_argument("--retries", help="network retries (env SCONE_CLI_RETRIES, default 3)")
    p.add_argument(
        "--only_for_testing-disable-attestation-verification",
        action="store_true",
        dest="only_for_testing_disable_attestation_verification",
        help="do not verify the CAS at all (testing only)",
    )


def _session_file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-e",
        "--env",
        action="append",
        metavar="VAR=VALUE",
        help="set a template variable (wins over --use-env)",
    )
    p.add_argument(
        "--use-env", action="store_true", help="take template variables from the environment"
    )
    p.add_argument("-n", "--name", help="override the session name")
    p.add_argument("--fail-on-warning", action="store_true", help="treat warnings as errors")
    p.add_argument("file", metavar="FILE", help="session file (a template)")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line; each leaf sets ``handler``."""
    from localcas.cli import cas_cmds, self_cmds, session_cmds

    root = _Parser(
        prog="scone",
        fromfile_prefix_chars="@",
        description=f"scone {__version__} (localcas stand-in for the SCONE CLI)",
    )
    root.add_argument(
        "-c", "--config", help="CLI config file (env SCONE_CLI_CONFIG, default ~/.cas/config.json)"
    )
    root.add_argument("-o", "--output", help="write output to this file instead of stdout")
    root.add_argument(
        "-V", "--version", action="version", version=f"scone {__version__} (localcas)"
    )
    groups = root.add_subparsers(dest="group", metavar="<SUBCOMMAND>", parser_class=_Parser)
    groups.required = True

    def leaf(parent: Any, name: str, handler: Handler, text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=text, description=text)
        p.set_defaults(handler=handler)
        return p

    session = groups.add_parser(
        "session", help="Manage CAS sessions", description="Manage CAS sessions"
    )
    sverbs = session.add_subparsers(dest="verb", metavar="<COMMAND>", parser_class=_Parser)
    sverbs.required = True
    for name, handler, text in (
        ("check", session_cmds.check, "Check a session file for syntax and validity (offline)"),
        ("create", session_cmds.create, "Create a session on CAS; prints its hash"),
        ("update", session_cmds.update, "Update a session on CAS; prints the new hash"),
        (
            "verify",
            session_cmds.verify,
            "Verify that a session file matches the active session; prints its hash",
        ),
    ):
        p = leaf(sverbs, name, handler, text)
        if name != "check":
            _network_options(p)
        _session_file_options(p)
    p = leaf(sverbs, "read", session_cmds.read, "Read the active session from CAS")
    _network_options(p)
    p.add_argument("session_name", metavar="NAME")

    cas = groups.add_parser(
        "cas", help="Attest and manage CAS instances", description="Attest and manage CAS instances"
    )
    cverbs = cas.add_subparsers(dest="verb", metavar="<COMMAND>", parser_class=_Parser)
    cverbs.required = True
    p = leaf(cverbs, "attest", cas_cmds.attest, "Attest a CAS and make it known to the CLI")
    _attest_options(p)
    leaf(cverbs, "list", cas_cmds.list_cas, "List attested CAS instances (* = default)")
    p = leaf(cverbs, "set-default", cas_cmds.set_default, "Set the default CAS")
    p.add_argument("cas_name", metavar="CAS")
    p = leaf(
        cverbs,
        "show-certificate",
        cas_cmds.show_certificate,
        "Print the CA chain of an attested CAS",
    )
    p.add_argument("cas_name", metavar="CAS", nargs="?")

    me = groups.add_parser(
        "self", help="Show the CLI's own identity", description="Show the CLI's own identity"
    )
    mverbs = me.add_subparsers(dest="verb", metavar="<COMMAND>", parser_class=_Parser)
    mverbs.required = True
    leaf(mverbs, "show", self_cmds.self_show, "Print the identity certificate and its key hash")
    leaf(
        mverbs,
        "show-key-hash",
        self_cmds.self_show_key_hash,
        "Print the identity's public key hash",
    )
    leaf(
        mverbs,
        "show-certificate",
        self_cmds.self_show_certificate,
        "Print the identity certificate",
    )

    cert = groups.add_parser(
        "cert", help="Inspect certificates", description="Inspect certificates"
    )
    cverbs2 = cert.add_subparsers(dest="verb", metavar="<COMMAND>", parser_class=_Parser)
    cverbs2.required = True
    p = leaf(
        cverbs2,
        "show-key-hash",
        self_cmds.cert_show_key_hash,
        "Print the key hash of a PEM certificate",
    )
    p.add_argument("file", metavar="FILE")
    return root


def _attest_options(p: argparse.ArgumentParser) -> None:
    flags = (
        ("-G", "--accept-group-out-of-date", "accept a CAS whose TCB is out of date"),
        (
            "-C",
            "--accept-configuration-needed",
            "accept a CAS whose platform needs configuration (e.g. hyperthreading)",
        ),
        (
            "-S",
            "--accept-sw-hardening-needed",
            "accept a CAS whose platform needs software hardening",
        ),
    )
    for short, long, text in flags:
        p.add_argument(short, long, action="store_true", help=text)
    for name, text in (
        (
            "only_for_testing-debug",
            "allow a CAS in debug mode (needs --only_for_testing-ignore-signer)",
        ),
        (
            "only_for_testing-ignore-signer",
            "do not verify the CAS signer; then an MRENCLAVE is mandatory",
        ),
        ("only_for_testing-trust-any", "accept any MRENCLAVE (debug CAS only)"),
        ("allow-cas-owner-secret-access", "accept a CAS whose owner can access its secrets"),
    ):
        p.add_argument(f"--{name}", action="store_true", dest=name.replace("-", "_"), help=text)
    p.add_argument("--mrenclave", action="append", help="expected MRENCLAVE (repeatable)")
    p.add_argument("--mrsigner", help="expected MRSIGNER (needs --isvprodid and --isvsvn)")
    p.add_argument("--isvprodid", help="expected ISVPRODID")
    p.add_argument("--isvsvn", help="minimum ISVSVN")
    p.add_argument("-c", dest="cas_key_hash", help="expected CAS key hash")
    p.add_argument("-s", dest="cas_software_key_hash", help="expected CAS software key hash")
    p.add_argument("--retries", help="network retries (env SCONE_CLI_RETRIES, default 3)")
    p.add_argument("address", metavar="ADDRESS")
    p.add_argument(
        "positional_mrenclave",
        metavar="_mrenclave",
        nargs="?",
        help="expected MRENCLAVE (deprecated form of --mrenclave)",
    )


def _masked(argv: list[str]) -> list[str]:
    out, mask_next = [], False
    for arg in argv:
        if mask_next:
            name, sep, _ = arg.partition("=")
            arg = f"{name}=***" if sep and _SECRETISH.search(name) else arg
            mask_next = False
        elif arg in ("-e", "--env"):
            mask_next = True
        out.append(arg)
    return out


def _ledger(path: str, argv: list[str], code: int, started: float, inv: Invocation | None) -> None:
    record = {
        "ts": time.time(),
        "argv": ["scone", *_masked(argv)],
        "cwd": os.getcwd(),
        "exit_code": code,
        "duration_s": round(time.perf_counter() - started, 4),
        "mutated": bool(inv and inv.mutated),
        "sessions": sorted(set(inv.sessions)) if inv else [],
    }
    line = (json.dumps(record) + "\n").encode()
    # One write on an O_APPEND descriptor: parallel invocations never interleave lines.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _report(err: CliError) -> None:
    lines = [f"Error: {err.message}", *(f"Caused by: {c}" for c in err.causes)]
    sys.stderr.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Runs one `scone` command; returns its exit code."""
    started = time.perf_counter()
    argv = sys.argv[1:] if argv is None else argv
    inv: Invocation | None = None
    code = 1
    try:
        args = build_parser().parse_args(argv)
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
        inv = Invocation(args, out)
        try:
            args.handler(inv)
            code = 0
        finally:
            out.flush()
            if out is not sys.stdout:
                out.close()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except CliError as err:
        _report(err)
        code = err.exit_code
    except ConfigError as err:
        _report(CliError(str(err)))
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0
    finally:
        ledger = os.environ.get("SCONE_COURSE_LEDGER")
        if ledger:
            try:
                _ledger(ledger, argv, code, started, inv)
            except OSError as err:
                sys.stderr.write(f"Warning: cannot append to SCONE_COURSE_LEDGER {ledger}: {err}\n")
    return code
