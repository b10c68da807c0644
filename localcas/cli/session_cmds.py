"""Provides `scone session check | create | update | verify | read`.

Templates are rendered and validated locally first, so errors point at a line and column
of the learner's file and nothing reaches the CAS. `read` stays lean: it only fetches and
prints the read form the CAS serves.
"""

from __future__ import annotations

import os
import re
from typing import Any

from localcas.cli.client import CasClient, Response, session_path
from localcas.cli.context import Invocation
from localcas.errors import CliError, PolicyError

__all__ = ["check", "create", "read", "update", "verify"]

_MAX_FILE = 1024 * 1024
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def _variables(inv: Invocation) -> dict[str, str]:
    values: dict[str, str] = dict(os.environ) if inv.args.use_env else {}
    for item in inv.args.env or []:  # -e wins over --use-env
        match = _ASSIGNMENT.match(item)
        if match is None:
            raise CliError(f"Invalid -e '{item}': expected VARIABLE=VALUE")
        values[match.group(1)] = match.group(2)
    return values


def _load(inv: Invocation) -> dict[str, Any]:
    """The substituted, validated description of ``args.file`` (with ``-n`` applied)."""
    from localcas import policy

    path = inv.args.file
    try:
        with open(path, encoding="utf-8") as src:
            text = src.read(_MAX_FILE + 1)
    except OSError as err:
        raise CliError(f"Cannot read session file '{path}': {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise CliError(f"Session file '{path}' is not UTF-8 text") from err
    if len(text) > _MAX_FILE:
        raise CliError(f"Session file '{path}' is larger than 1 MiB")
    try:
        document = policy.parse_template(text, filename=path, variables=_variables(inv))
    except PolicyError as err:
        raise _policy_failure(path, err) from err
    if inv.args.name:
        document["name"] = inv.args.name
    try:
        description = policy.validate(document)
    except PolicyError as err:
        where = policy.locate(text, err.path) if err.path else None
        raise _policy_failure(path, err.located(*where) if where else err) from err
    inv.sessions.append(description["name"])
    return description


def _policy_failure(path: str, err: PolicyError) -> CliError:
    if "Value for variable" in err.message:
        hint = "pass it with -e VARIABLE=VALUE or --use-env"
    else:
        hint = "fix the session file"
    where = f"{path}, line {err.line} column {err.column}" if err.line else path
    what = f"{err.dotted_path}: {err.message}" if err.path else err.message
    return CliError(
        f"{where}: {what} ({hint})",
        f"Parsing session from session template file '{path}' failed",
        err.describe(),
    )


def _fail(answer: Response, action: str) -> CliError:
    messages = answer.messages
    return CliError(f"{action}: {messages[0]}", *messages[1:])


def check(inv: Invocation) -> None:
    """Validates locally and prints the substituted session (as SCONE 6 does)."""
    from localcas import policy

    inv.out.write(policy.read_form(_load(inv)))


def _upload(inv: Invocation, description: dict[str, Any], mode: str, client: CasClient) -> None:
    answer = client.post("/v1/sessions", {"session": description, "mode": mode})
    if answer.status not in (200, 201):
        raise _fail(answer, f"Failed to {mode} session '{description['name']}'")
    inv.mutated = True
    inv.out.write(str(answer.body["hash"]) + "\n")


def create(inv: Invocation) -> None:
    """Uploads a new session (or, when the file has a predecessor, a new version)."""
    description = _load(inv)
    _upload(inv, description, "create", inv.cas_client())


def update(inv: Invocation) -> None:
    """Uploads a new version; fills in ``predecessor`` with the current hash when absent."""
    description = _load(inv)
    client = inv.cas_client()
    if description.get("predecessor") is None:
        current = _get(client, description["name"], None)
        description["predecessor"] = current["hash"]
    _upload(inv, description, "update", client)


def _get(client: CasClient, name: str, digest: str | None) -> dict[str, Any]:
    path = session_path(name) + (f"?hash={digest}" if digest else "")
    answer = client.get(path)
    if answer.status != 200:
        raise _fail(answer, f"Failed to read session '{name}'")
    body = answer.body
    assert isinstance(body, dict)
    return body


def verify(inv: Invocation) -> None:
    """Checks that the file describes the active session on CAS and prints its hash."""
    from localcas import policy

    description = _load(inv)
    name = description["name"]
    active = _get(inv.cas_client(), name, None)
    active_description = policy.validate(
        policy.parse_template(active["session"], filename="<cas>", variables={})
    )
    # A file as uploaded has no creator: CAS added the uploader's, so compare with that.
    description.setdefault("creator", active_description.get("creator"))
    digest = policy.session_hash(description)
    if digest != active["hash"]:
        raise CliError(
            f"Session file does not match the active session '{name}' on CAS",
            f"hash of the file: {digest}",
            f"hash of the active session: {active['hash']}",
        )
    inv.out.write(digest + "\n")


def read(inv: Invocation) -> None:
    """Prints the active session's read form (YAML)."""
    name = inv.args.session_name
    inv.sessions.append(name)
    body = _get(inv.cas_client(), name, None)
    text = str(body["session"])
    inv.out.write(text if text.endswith("\n") else text + "\n")
