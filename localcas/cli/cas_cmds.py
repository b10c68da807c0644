"""Provides `scone cas attest | list | set-default | show-certificate`.

`attest` applies SCONE's flag rules before contacting the CAS, then checks the CAS's
(emulated) report against what the flags accept, and finally proves that the CAS's TLS
key chains to the reported certificate chain before pinning that chain in the config.
"""

from __future__ import annotations

import re
from typing import Any

from localcas.cli.client import CasClient
from localcas.cli.context import Invocation
from localcas.errors import CliError

__all__ = ["attest", "list_cas", "set_default", "show_certificate"]

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
# MRSIGNER a default `scone cas attest` demands; see localcas.attestation.SCONTAIN_MRSIGNER.
_ATTEST_FAILED = "Error during attestation of CAS"


def _flag_rules(args: Any, expected: list[str]) -> None:
    if args.only_for_testing_debug and not args.only_for_testing_ignore_signer:
        raise CliError(
            "--only_for_testing-debug is only allowed together with"
            " --only_for_testing-ignore-signer"
        )
    if args.only_for_testing_ignore_signer and not expected and not args.only_for_testing_trust_any:
        raise CliError(
            "With --only_for_testing-ignore-signer an expected MRENCLAVE is mandatory",
            "Pass --mrenclave <MRENCLAVE> (or, for a debug CAS, --only_for_testing-trust-any)",
        )
    for value in expected:
        if not _HEX64.match(value):
            raise CliError(
                f"'{value}' is not a valid MRENCLAVE: expected 64 hexadecimal digits",
                "Check how the MRENCLAVE was extracted from the CAS page",
            )


def _check_report(args: Any, report: Any, expected: list[str]) -> None:
    from localcas.attestation import SCONTAIN_MRSIGNER

    if not isinstance(report, dict) or "mrenclave" not in report or "chain" not in report:
        raise CliError(_ATTEST_FAILED, "The CAS sent no usable attestation report")
    causes: list[str] = []
    if not args.only_for_testing_ignore_signer and report.get("mrsigner") != SCONTAIN_MRSIGNER:
        causes.append(
            "CAS is not signed by the expected signer (Scontain). A test CAS can be accepted"
            " with --only_for_testing-ignore-signer and an expected --mrenclave"
        )
    if report.get("debug") and not args.only_for_testing_debug:
        causes.append(
            "CAS runs in debug mode; accept it only for testing with --only_for_testing-debug"
        )
    if args.only_for_testing_trust_any and not report.get("debug"):
        causes.append("--only_for_testing-trust-any is only allowed for a CAS in debug mode")
    status = report.get("tcb_status")
    accepted = {
        "GROUP_OUT_OF_DATE": args.accept_group_out_of_date,
        "CONFIGURATION_NEEDED": args.accept_configuration_needed,
        "SW_HARDENING_NEEDED": args.accept_sw_hardening_needed,
    }
    if status in accepted and not accepted[status]:
        flag = {
            "GROUP_OUT_OF_DATE": "-G/--accept-group-out-of-date",
            "CONFIGURATION_NEEDED": "-C/--accept-configuration-needed",
            "SW_HARDENING_NEEDED": "-S/--accept-sw-hardening-needed",
        }[status]
        causes.append(f"The CAS platform's TCB status is {status}; accept it with {flag}")
    if report.get("owner_secret_access") and not args.allow_cas_owner_secret_access:
        causes.append(
            "The CAS owner can access CAS secrets; accept with --allow-cas-owner-secret-access"
        )
    if causes:
        raise CliError(_ATTEST_FAILED, *causes)
    wanted = {e.lower() for e in expected}
    if wanted and str(report["mrenclave"]).lower() not in wanted:
        raise CliError(_ATTEST_FAILED, "Enclave hash does not match expectation:", *sorted(wanted))


def attest(inv: Invocation) -> None:
    """`scone cas attest [OPTIONS] <ADDRESS> [_mrenclave]`."""
    args = inv.args
    expected = list(args.mrenclave or []) + (
        [args.positional_mrenclave] if args.positional_mrenclave else []
    )
    expected = [e.strip() for e in expected]
    _flag_rules(args, expected)
    address = args.address.strip()
    host, _, port = address.partition(":")
    url = f"https://{host}:{port or 8081}/"
    first = CasClient(url, None, None, inv.retries())
    answer = first.get("/v1/attest")
    if answer.status != 200:
        raise CliError(_ATTEST_FAILED, f"The CAS answered {answer.status}: {answer.messages}")
    report = answer.body
    _check_report(args, report, expected)
    chain = str(report["chain"])
    # The report names a chain; the CAS must hold a TLS key certified under it.
    proof = CasClient(url, chain, None, inv.retries()).get("/v1/version")
    if proof.status != 200:
        raise CliError(_ATTEST_FAILED, "The CAS did not answer over the attested chain")
    with inv.config.update() as data:
        data["cas_db"][address] = {"url": url, "chain": chain, "ias_report": report}
        if not data.get("default_cas") or data["default_cas"] not in data["cas_db"]:
            data["default_cas"] = address
    inv.out.write(f"CAS {address} at {url} is trustworthy\n")
    version = report.get("cas_version", "unknown")
    inv.out.write(f"Version of attested CAS: {version} (emulated attestation, no enclave)\n")


def list_cas(inv: Invocation) -> None:
    """`scone cas list`: one line per attested CAS, ``*`` marks the default."""
    data = inv.config.data
    for name, entry in sorted(data.get("cas_db", {}).items()):
        mark = "*" if name == data.get("default_cas") else " "
        inv.out.write(f"{mark} {name}: {entry.get('url')}\n")


def set_default(inv: Invocation) -> None:
    """`scone cas set-default <CAS>`."""
    name = inv.args.cas_name
    with inv.config.update() as data:
        if name not in data.get("cas_db", {}):
            raise CliError(f"CAS '{name}' has not been attested; attest it first")
        data["default_cas"] = name


def show_certificate(inv: Invocation) -> None:
    """`scone cas show-certificate [CAS]`: the pinned chain (cas-instance, then cas)."""
    data = inv.config.data
    name = inv.args.cas_name or data.get("default_cas")
    if name is None:
        raise CliError("No CAS has been attested yet", "Run scone cas attest first")
    entry = data.get("cas_db", {}).get(name)
    if entry is None:
        raise CliError(f"CAS '{name}' has not been attested; attest it first")
    inv.out.write(str(entry["chain"]))
