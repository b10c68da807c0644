"""Provides the `scone` command line: argument parsing, dispatch, errors, course ledger.

Option spellings follow SCONE's CLI: top-level ``-c/--config``; inside `session` and
`cas version`, ``-c`` means ``--cas``; in `cas attest`, ``-c`` is the CAS key hash.
Arguments starting with ``@`` are read from a file, one per line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from localcas import __version__
from localcas.cli.context import Invocation
from localcas.cli.masking import mask_argv
from localcas.errors import CliError, ConfigError

__all__ = ["build_parser", "main"]

Handler = Callable[[Invocation], None]


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


def _read_options(p: argparse.ArgumentParser) -> None:
    _network_options(p)
    p.add_argument("session_name", metavar="NAME")


def _uploading_options(p: argparse.ArgumentParser) -> None:
    _network_options(p)
    _session_file_options(p)


def _cas_name(optional: bool) -> Callable[[argparse.ArgumentParser], None]:
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("cas_name", metavar="CAS", nargs="?" if optional else None)

    return configure


def _file_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE")


Configure = Callable[[argparse.ArgumentParser], None] | None
# group -> (help, {verb: ("module:function" in localcas.cli, help, options)}). Handlers are
# named, not imported: a run imports only the module of the verb it runs.
_COMMANDS: dict[str, tuple[str, dict[str, tuple[str, str, Configure]]]] = {
    "session": (
        "Manage CAS sessions",
        {
            "check": (
                "session_cmds:check",
                "Check a session file for syntax and validity (offline)",
                _session_file_options,
            ),
            "create": (
                "session_cmds:create",
                "Create a session on CAS; prints its hash",
                _uploading_options,
            ),
            "update": (
                "session_cmds:update",
                "Update a session on CAS; prints the new hash",
                _uploading_options,
            ),
            "verify": (
                "session_cmds:verify",
                "Verify that a session file matches the active session; prints its hash",
                _uploading_options,
            ),
            "read": ("session_cmds:read", "Read the active session from CAS", _read_options),
        },
    ),
    "cas": (
        "Attest and manage CAS instances",
        {
            "attest": (
                "cas_cmds:attest",
                "Attest a CAS and make it known to the CLI",
                lambda p: _attest_options(p),
            ),
            "list": ("cas_cmds:list_cas", "List attested CAS instances (* = default)", None),
            "set-default": ("cas_cmds:set_default", "Set the default CAS", _cas_name(False)),
            "show-certificate": (
                "cas_cmds:show_certificate",
                "Print the CA chain of an attested CAS",
                _cas_name(True),
            ),
        },
    ),
    "self": (
        "Show the CLI's own identity",
        {
            "show": (
                "self_cmds:self_show",
                "Print the identity certificate and its key hash",
                None,
            ),
            "show-key-hash": (
                "self_cmds:self_show_key_hash",
                "Print the identity's public key hash",
                None,
            ),
            "show-certificate": (
                "self_cmds:self_show_certificate",
                "Print the identity certificate",
                None,
            ),
        },
    ),
    "cert": (
        "Inspect certificates",
        {
            "show-key-hash": (
                "self_cmds:cert_show_key_hash",
                "Print the key hash of a PEM certificate",
                _file_argument,
            ),
        },
    ),
}
_VALUED_ROOT_OPTIONS = ("-c", "--config", "-o", "--output")


def _selection(argv: list[str] | None) -> tuple[str | None, str | None]:
    """The group and verb ``argv`` names (None: configure everything)."""
    if argv is None or any(a.startswith("@") for a in argv):
        return None, None
    words, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED_ROOT_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
            if len(words) == 2:
                break
        elif words:
            break  # an option after the group: the verb must come first
    padded: list[str | None] = [*words, None, None]
    return padded[0], padded[1]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser; each verb sets ``handler`` to ``"module:function"``.

    Args:
        argv: when given, only the verb it names gets its options (building all of them
            costs every CLI start ~10 ms); None builds the complete parser.
    """
    group_wanted, verb_wanted = _selection(argv)
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
    for group, (group_help, verbs) in _COMMANDS.items():
        parser = groups.add_parser(group, help=group_help, description=group_help)
        if group_wanted not in (None, group):
            continue
        sub = parser.add_subparsers(dest="verb", metavar="<COMMAND>", parser_class=_Parser)
        sub.required = True
        for verb, (handler, verb_help, configure) in verbs.items():
            leaf = sub.add_parser(verb, help=verb_help, description=verb_help)
            leaf.set_defaults(handler=handler)
            if configure is not None and verb_wanted in (None, verb):
                configure(leaf)
    return root


def _handler(name: str) -> Handler:
    import importlib

    module, _, function = name.partition(":")
    handler: Handler = getattr(importlib.import_module(f"localcas.cli.{module}"), function)
    return handler


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


def _ledger(path: str, argv: list[str], code: int, started: float, inv: Invocation | None) -> None:
    record = {
        "ts": time.time(),
        "argv": ["scone", *mask_argv(argv)],
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
        args = build_parser(argv).parse_args(argv)
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
        inv = Invocation(args, out)
        try:
            _handler(args.handler)(inv)
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
