"""Provides what every `scone` verb gets: arguments, config, output, and what it did."""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from localcas.cli.client import CasClient
from localcas.cli.config import Config, config_path
from localcas.errors import CliError

__all__ = ["Invocation"]


class Invocation:
    """One run of the CLI (a plain class: ``dataclasses`` costs the CLI ~9 ms to import).

    Attributes:
        args: the parsed command line.
        out: where the verb prints (stdout, or ``-o FILE``).
        mutated: True when the CAS acknowledged a change of its state (course ledger).
        sessions: sessions this run named or touched.
    """

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.mutated = False
        self.sessions: list[str] = []
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The CLI config, loaded on first use."""
        if self._config is None:
            self._config = Config(config_path(self.args.config))
        return self._config

    def retries(self) -> int:
        """``--retries``, else ``$SCONE_CLI_RETRIES``, else 3."""
        value = getattr(self.args, "retries", None)
        if value is None:
            value = os.environ.get("SCONE_CLI_RETRIES", "3")
        try:
            return int(value)
        except ValueError as err:
            raise CliError(f"--retries must be a whole number, got '{value}'") from err

    def identity(self) -> str:
        """The identity to present: ``--identity FILE`` or the config's."""
        path = getattr(self.args, "identity", None)
        if path:
            try:
                with open(path, encoding="utf-8") as src:
                    text = src.read()
            except OSError as err:
                raise CliError(f"Cannot read identity file {path}: {err.strerror}") from err
            if "PRIVATE KEY" not in text or "CERTIFICATE" not in text:
                raise CliError(f"Identity file {path} must hold a private key and a certificate")
            return text
        return self.config.identity()

    def cas_client(self, *, public: bool = False) -> CasClient:
        """A client for ``--cas`` (or the default CAS), pinned to its attested chain."""
        name = getattr(self.args, "cas", None)
        unverified = getattr(self.args, "only_for_testing_disable_attestation_verification", False)
        entries = self.config.data.get("cas_db", {})
        if name is None:
            name = self.config.data.get("default_cas")
            if name is None:
                if unverified:
                    raise CliError("No CAS given: pass --cas ADDRESS")
                raise CliError(
                    "No CAS has been attested yet",
                    "Attest one first: scone cas attest [flags] --mrenclave <MRENCLAVE> <ADDRESS>",
                )
        entry = entries.get(name)
        if entry is None and not unverified:
            raise CliError(
                f"CAS '{name}' has not been attested",
                f"Attest it first: scone cas attest [flags] --mrenclave <MRENCLAVE> {name}",
            )
        if entry is None:
            url, chain = f"https://{name}:8081/", None
        else:
            url, chain = str(entry["url"]), None if unverified else str(entry["chain"])
        return CasClient(url, chain, None if public else self.identity(), self.retries())
