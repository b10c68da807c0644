"""Provides :func:`parse_call`: what a `scone` command line is about, read from outside.

The black-box backend cannot ask the CLI what it did, so the shim reads the command line
itself: which CLI config it uses, which CAS, which sessions it names (for ``session
create|update|verify|check`` the ``name:`` of the file after variable substitution, or
``-n/--name``), and whether it may change the CAS (``create`` and ``update``). Whether it
*did* is decided later by comparing hashes. Argument files (``@FILE``) are not expanded:
their sessions go unnamed, and such a call counts as changing the CAS when it succeeds.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Call", "parse_call"]

UPLOADS = {"create", "update"}
"""`scone session` verbs that may change the CAS."""
_WITH_FILE = {"create", "update", "verify", "check", "calculate-hash", "sign", "encrypt"}
_TOP_VALUED = {"-c", "--config", "-o"}
_VALUED = {"-c", "--cas", "--identity", "--retries", "-e", "--env", "-n", "--name"}
_VARIABLE = re.compile(r"\$(?!\$)([A-Za-z_][A-Za-z0-9_]*)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Call:
    """A `scone` command line, as far as grading cares."""

    verb: str = ""
    """``session create``, ``cas attest``, … (empty when unknown)."""
    config: Path | None = None
    """``-c/--config`` when given (else ``$SCONE_CLI_CONFIG`` or ``~/.cas/config.json``)."""
    cas: str | None = None
    """``--cas`` when given."""
    identity: Path | None = None
    """``--identity`` when given."""
    sessions: list[str] = field(default_factory=list)
    may_mutate: bool = False
    named: bool = True
    """False when an upload's session name could not be worked out."""

    def config_path(self, env: dict[str, str]) -> Path:
        """The CLI config this call uses."""
        if self.config is not None:
            return self.config
        explicit = env.get("SCONE_CLI_CONFIG")
        if explicit:
            return Path(explicit).expanduser()
        return Path(env.get("HOME", "~")).expanduser() / ".cas" / "config.json"


def parse_call(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Call:
    """Reads ``argv`` (the arguments after ``scone``); never raises."""
    env = dict(os.environ) if env is None else env
    call = Call()
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in _TOP_VALUED and rest:
            value = rest.pop(0)
            if option != "-o":
                call.config = Path(value).expanduser()
    if len(rest) < 2:
        call.verb = " ".join(rest)
        return call
    group, sub, args = rest[0], rest[1], rest[2:]
    call.verb = f"{group} {sub}"
    if group != "session":
        return call
    variables: dict[str, str] = {}
    use_env = False
    name: str | None = None
    positional: list[str] = []
    while args:
        arg = args.pop(0)
        option, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if option in _VALUED:
            value = inline if eq else (args.pop(0) if args else "")
            if option in ("-e", "--env"):
                key, _, val = value.partition("=")
                variables[key] = val
            elif option in ("-n", "--name"):
                name = value
            elif option in ("-c", "--cas"):
                call.cas = value
            elif option == "--identity":
                call.identity = (cwd / value).resolve()
        elif arg == "--use-env":
            use_env = True
        elif arg == "--":
            positional.extend(args)
            break
        elif not arg.startswith("-"):
            positional.append(arg)
    call.may_mutate = sub in UPLOADS
    if sub == "read" and positional:
        call.sessions = [positional[0]]
    elif sub in _WITH_FILE and positional:
        if name is None:
            known = {**env, **variables} if use_env else variables
            name = _name_in_file(cwd / positional[0], known)
        if name:
            call.sessions = [name]
        else:
            call.named = False
    return call


def _name_in_file(path: Path, variables: dict[str, str]) -> str | None:
    """The ``name:`` of a session file after substitution; None when it cannot be read."""
    import yaml  # only uploads pay for it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    raw = data.get("name") if isinstance(data, dict) else None
    if not isinstance(raw, str):
        return None
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        key = match.group(1) or match.group(2)
        if key not in variables:
            missing = True
            return ""
        return variables[key]

    name = _VARIABLE.sub(substitute, raw)
    return None if missing or not name else name
