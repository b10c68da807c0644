"""Bad input: each is refused with a clear one-line cause, a non-zero exit, and no change.

Every CLI case checks that the first stderr line starts with ``Error: `` and names the
cause, and that neither the CAS database nor the CLI config changed. The HTTP cases
check status and JSON ``msg`` of the CAS client API, with real curl.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localcas.instance import CasInstance
from tests.helpers import ATTEST, Shell, make_shell
from tests.integration._support import (
    CURL,
    SETUP,
    config_of,
    error_lines,
    file_bytes,
    nothing_changes,
    unique,
)

NS_FILE = "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"
"""A namespace template (`-e NS=…`), version 0.3."""


def _create_namespace(shell: Shell, ns: str, version: str = '"0.3"') -> str:
    """Creates session ``ns`` (after SETUP); returns its hash."""
    line = f"version: {version}\\n" if version else ""
    done = shell.run(
        SETUP + f"printf 'name: {ns}\\n{line}' > mk.yml\nscone session create mk.yml\n"
    )
    return done.stdout.strip()


def _read(shell: Shell, name: str) -> str:
    return shell.run(f"scone session read {name}").stdout


# -- session files ---------------------------------------------------------------------


def test_malformed_yaml_names_line_and_column(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP + "printf 'name: $NS\\nversion: \"0.3\"\\n  access_policy: [\\n' > bad.yml")
    ns = unique()
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(f"scone session create -e NS={ns} bad.yml", check=False)
    first = error_lines(done)[0]
    assert "bad.yml" in first and "YAML" in first, first
    assert "line 3 column 3" in first, first
    assert "Parsing session from session template file 'bad.yml' failed" in done.stderr


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ('name: $NS\\nversion: "0.3"\\nfoo: 1\\n', "foo", 3),
        (
            'name: $NS\\nversion: "0.3"\\naccess_policy:\\n  read: [CREATOR]\\n'
            "  wrte: [CREATOR]\\n",
            "wrte",
            5,
        ),
    ],
    ids=["top-level", "in-access-policy"],
)
def test_unknown_key(shell: Shell, cas: CasInstance, text: str, key: str, line: int) -> None:
    shell.run(SETUP + f"printf '{text}' > unknown.yml")
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(f"scone session create -e NS={unique()} unknown.yml", check=False)
    first = error_lines(done)[0]
    assert "unknown key" in first.lower() and f"'{key}'" in first, first
    assert f"line {line} " in first, first


@pytest.mark.parametrize(
    ("text", "args", "cause"),
    [
        # The documented SCONE example: `name: $SESSION` on line 3.
        (
            'version: "0.3"\\n# the name comes from the caller\\nname: $SESSION\\n',
            "",
            "name: Value for variable $SESSION is missing at line 3 column 7",
        ),
        # Assignment 4 run without -e PREDECESSOR=...
        (
            'name: $NS\\nversion: "0.3"\\npredecessor: $PREDECESSOR\\n',
            f"-e NS={unique()}",
            "predecessor: Value for variable $PREDECESSOR is missing at line 3 column 14",
        ),
        (
            'name: $NS\\nversion: "0.3"\\nsecrets:\\n  - name: v\\n    kind: ascii\\n'
            "    value: $VALUE\\n",
            f"-e NS={unique()}",
            "Value for variable $VALUE is missing at line 6 column 12",
        ),
    ],
    ids=["documented-name", "predecessor", "nested-value"],
)
def test_missing_template_variable(
    shell: Shell, cas: CasInstance, text: str, args: str, cause: str
) -> None:
    shell.run(SETUP + f"printf '{text}' > session.yaml")
    variable = cause.split("$")[1].split()[0]
    for verb in ("check", "create"):
        with nothing_changes(cas, config_of(shell)):
            done = shell.run(f"scone session {verb} {args} session.yaml", check=False)
        lines = error_lines(done)
        assert f"${variable}" in lines[0] and "missing" in lines[0], lines[0]
        causes = [line for line in lines[1:] if line.startswith("Caused by: ")]
        assert "Caused by: Parsing session from session template file 'session.yaml' failed" in (
            causes
        ), lines
        assert any(line.endswith(cause) for line in causes), (cause, lines)


@pytest.mark.parametrize("user", ["jane doe", "jane@example.org"])
def test_invalid_session_name(shell: Shell, cas: CasInstance, user: str) -> None:
    # Assignment 2's NS="my_exercise-$USER-$RANDOM" with a $USER CAS names cannot hold.
    shell.env["USER"] = user
    shell.run(SETUP + "printf 'name: $NS\\nversion: \"0.2\"\\n' > session.yml")
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(
            'NS="my_exercise-$USER-$RANDOM"\nscone session create -e NS="$NS" session.yml',
            check=False,
        )
    first = error_lines(done)[0]
    assert "invalid session name" in first.lower(), first
    assert f"my_exercise-{user}-" in first, first
    assert "not allowed" in first, first


def test_dash_e_without_equals(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP + NS_FILE)
    with nothing_changes(cas, config_of(shell)):
        done = shell.run("scone session create -e NS ns.yml", check=False)
    first = error_lines(done)[0]
    assert "-e" in first and "'NS'" in first and "VARIABLE=VALUE" in first, first


# -- CAS semantics -----------------------------------------------------------------------


def test_existing_name(shell: Shell, cas: CasInstance) -> None:
    ns = unique()
    _create_namespace(shell, ns)
    before = _read(shell, ns)
    shell.run(NS_FILE)
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(f"scone session create -e NS={ns} ns.yml", check=False)
    first = error_lines(done)[0]
    assert f"'{ns}'" in first and "already exists" in first, first
    assert _read(shell, ns) == before


@pytest.mark.parametrize("verb", ["create", "update"])
def test_stale_predecessor(shell: Shell, cas: CasInstance, verb: str) -> None:
    ns = unique()
    h1 = _create_namespace(shell, ns)
    shell.run(
        'printf \'name: $NS\\nversion: "0.3"\\npredecessor: $P\\n'
        'secrets:\\n  - {name: v, kind: ascii, value: "$V"}\\n\' > next.yml\n'
        f"scone session create -e NS={ns} -e P={h1} -e V=first next.yml >/dev/null\n"
    )
    before = _read(shell, ns)
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(f"scone session {verb} -e NS={ns} -e P={h1} -e V=2 next.yml", check=False)
    first = error_lines(done)[0]
    assert "predecessor" in first and h1 in first and "current" in first, first
    assert "read it again" in done.stderr, done.stderr
    assert _read(shell, ns) == before


@pytest.mark.parametrize("what", ["read", "update", "auto-update", "child"])
def test_no_permission(shell: Shell, cas: CasInstance, tmp_path: Path, what: str) -> None:
    ns = unique()
    h = _create_namespace(shell, ns)
    before = _read(shell, ns)
    other = make_shell(shell.home, cas)
    other.env["SCONE_CLI_CONFIG"] = str(tmp_path / "other" / "config.json")
    other.run(ATTEST + "scone self show-key-hash >/dev/null")
    command = {
        "read": f"scone session read {ns}",
        "update": f'printf \'name: {ns}\\nversion: "0.3"\\npredecessor: {h}\\n'
        "access_policy: {read: [ANY], update: [ANY]}\\n' > steal.yml\n"
        "scone session create steal.yml",
        "auto-update": f'printf \'name: {ns}\\nversion: "0.3"\\n'
        "access_policy: {read: [ANY], update: [ANY]}\\n' > steal.yml\n"
        "scone session update steal.yml",
        "child": f"printf 'name: {ns}/intruder\\nversion: \"0.3\"\\n' > c.yml\n"
        "scone session create c.yml",
    }[what]
    with nothing_changes(cas, config_of(shell), config_of(other)):
        done = other.run(command, check=False)
    first = error_lines(done)[0].lower()
    assert "not permitted" in first or "not allowed" in first, first
    assert ns in first, first
    assert _read(shell, ns) == before


def test_missing_parent_namespace(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP)
    parent = unique()
    shell.run(f"printf 'name: {parent}/child\\nversion: \"0.3\"\\n' > child.yml")
    with nothing_changes(cas, config_of(shell)):
        done = shell.run("scone session create child.yml", check=False)
    first = error_lines(done)[0]
    assert f"'{parent}'" in first and "does not exist" in first, first
    assert "namespace" in first, first


@pytest.mark.parametrize("version", ['"0.2"', ""], ids=["0.2", "versionless"])
def test_old_parent_namespace_says_upgrade(shell: Shell, cas: CasInstance, version: str) -> None:
    ns = unique()
    _create_namespace(shell, ns, version)
    shell.run(f"printf 'name: {ns}/child\\nversion: \"0.3\"\\n' > child.yml")
    with nothing_changes(cas, config_of(shell)):
        done = shell.run("scone session create child.yml", check=False)
    lines = error_lines(done)
    assert f"'{ns}'" in lines[0] and "namespace" in lines[0], lines[0]
    assert "upgrade" in done.stderr and '"0.3"' in done.stderr, done.stderr


@pytest.mark.parametrize("with_predecessor", [False, True])
def test_update_of_missing_session(shell: Shell, cas: CasInstance, with_predecessor: bool) -> None:
    ns = unique()
    extra = f"predecessor: {'ab' * 32}\\n" if with_predecessor else ""
    shell.run(SETUP + f"printf 'name: {ns}\\nversion: \"0.3\"\\n{extra}' > up.yml")
    with nothing_changes(cas, config_of(shell)):
        done = shell.run("scone session update up.yml", check=False)
    first = error_lines(done)[0]
    assert f"'{ns}'" in first and ("not found" in first or "does not exist" in first), first


# -- which CAS --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["read example_session", "create ns.yml"])
def test_unattested_cas(shell: Shell, cas: CasInstance, command: str) -> None:
    shell.run(SETUP + NS_FILE)
    verb, arg = command.split()
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(
            f"scone session {verb} --cas scone-cas.cf -e NS={unique()} {arg}"
            if verb == "create"
            else f"scone session {verb} --cas scone-cas.cf {arg}",
            check=False,
        )
    first = error_lines(done)[0]
    assert "'scone-cas.cf'" in first and "not been attested" in first, first


@pytest.mark.parametrize(
    "command",
    ["session read example_session", "session create -e NS=x ns.yml", "cas show-certificate"],
)
def test_no_cas_attested(shell: Shell, cas: CasInstance, command: str) -> None:
    shell.run(NS_FILE)
    with nothing_changes(cas, config_of(shell)):
        done = shell.run(f"scone {command}", check=False)
    first = error_lines(done)[0]
    assert "no cas has been attested" in first.lower(), first
    assert "scone cas attest" in done.stderr, done.stderr


def test_cas_that_is_down(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with CasInstance(tmp_path / "down" / "cas.db") as down:
        shell = make_shell(home, down)
        shell.run(SETUP + NS_FILE)
    config = config_of(shell)
    before = file_bytes(config)
    for command in ("scone session read example_session", "scone session create -e NS=x ns.yml"):
        done = shell.run(command, check=False)
        first = error_lines(done)[0]
        assert "connection refused" in first.lower(), first
        assert down.address in first, first
    assert file_bytes(config) == before


def test_wrong_mrenclave(shell: Shell, cas: CasInstance) -> None:
    wrong = (
        'scone cas attest -G --mrenclave "$(printf %064d 7)" --only_for_testing-ignore-signer'
        ' --only_for_testing-debug "$SCONE_CAS_ADDR"'
    )
    config = config_of(shell)
    # Never attested: no config appears.
    with nothing_changes(cas, config):
        done = shell.run(wrong, check=False)
    assert error_lines(done)[0] == "Error: Error during attestation of CAS", done.stderr
    assert "Enclave hash does not match expectation" in done.stderr
    # Attested before: the pinned entry stays as it was.
    shell.run(SETUP)
    with nothing_changes(cas, config):
        done = shell.run(wrong, check=False)
    assert error_lines(done)[0] == "Error: Error during attestation of CAS", done.stderr
    assert "0" * 63 + "7" in done.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_config_is_left_untouched(shell: Shell, cas: CasInstance, damage: str) -> None:
    shell.run(SETUP)
    config = config_of(shell)
    good = config.read_bytes()
    if damage == "garbage":
        config.write_bytes(b'{\n  "cas_db": {},\n  oops\n}\n')
        where = "line 3"
    else:
        config.write_bytes(good[: len(good) // 2])  # what a crash mid-write would leave
        where = "line "
    bad = config.read_bytes()
    listing = sorted(p.name for p in config.parent.iterdir())
    for command in (
        "scone session read example_session",
        "scone cas list",
        "scone self show-key-hash",
        ATTEST,
    ):
        with nothing_changes(cas, config):
            done = shell.run(command, check=False)
        first = error_lines(done)[0]
        assert str(config) in first and where in first, (command, first)
        assert "untouched" in first or "not valid JSON" in first, first
        assert config.read_bytes() == bad
        assert sorted(p.name for p in config.parent.iterdir()) == listing


# -- the HTTP API ------------------------------------------------------------------------


def test_oversized_request_gets_413(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP)
    # Sizes just over the limit and a few MiB more, each several times: every one must get
    # the 413 answer (not a reset connection), with or without `Expect: 100-continue`.
    for size in (1024 * 1024 + 1, 2 * 1024 * 1024, 4 * 1024 * 1024):
        shell.run(f"head -c {size} /dev/zero | tr '\\0' ' ' > big.json")
        for expect in ("", "-H 'Expect:'") * 3:
            with nothing_changes(cas):
                done = shell.run(
                    f"{CURL} --cacert cas_cert.crt --cert client.pem -H 'Content-Type:"
                    f" application/json' {expect} --data-binary @big.json -w '\\n%{{http_code}}'"
                    " https://cas:8081/v1/sessions",
                    check=False,
                )
            assert done.returncode == 0, (size, expect, done.stderr)
            body, status = done.stdout.rsplit("\n", 1)
            assert status == "413", (size, expect, done.stdout)
            msg = json.loads(body)["msg"]
            assert any("exceeds" in m and "1048576" in m for m in msg), msg


def test_plain_http_on_the_tls_port(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP + NS_FILE)
    for option, path in (("", "/"), ("-d '{}'", "/v1/sessions")):
        with nothing_changes(cas):
            done = shell.run(
                f'curl -sS {option} -w "\\n%{{http_code}}" "http://$SCONE_CAS_ADDR:8081{path}"'
            )
        body, status = done.stdout.rsplit("\n", 1)
        assert status == "400", done.stdout
        assert "https only" in body.lower(), body
    # The listener still speaks TLS, to curl and to the CLI.
    done = shell.run(
        f"{CURL} --cacert cas_cert.crt"
        " https://cas:8081/v1/values/session=example_session,secret=example_value\n"
        f"scone session create -e NS={unique()} ns.yml\n"
    )
    value, digest = done.stdout.rsplit("}", 1)
    assert json.loads(value + "}")["value"] == "42"
    assert len(digest.strip()) == 64, done.stdout


def test_head_on_values_is_405(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP)
    for url in (
        "https://cas:8081/v1/values/session=example_session,secret=example_value",
        "https://cas:8081/v1/values/session=example_session",
        "https://cas:8081/v1/values/session=no-such-session,secret=nothing",
    ):
        done = shell.run(f'{CURL} --cacert cas_cert.crt -I -o /dev/null -w "%{{http_code}}" {url}')
        assert done.stdout == "405", (url, done.stdout)


def test_unknown_endpoint_is_404_json(shell: Shell, cas: CasInstance) -> None:
    shell.run(SETUP)
    for option, path in (("", "/v1/nothing"), ("", "/"), ("-d '{}'", "/v1/session")):
        with nothing_changes(cas):
            done = shell.run(
                f"{CURL} --cacert cas_cert.crt --cert client.pem {option}"
                f" -w '\\n%{{http_code}}' https://cas:8081{path}"
            )
        body, status = done.stdout.rsplit("\n", 1)
        assert status == "404", (path, done.stdout)
        msg = json.loads(body)["msg"]
        assert isinstance(msg, list) and any(path in m for m in msg), msg


@pytest.mark.parametrize(
    "request_",
    ["-d '{\"x\": 1}' https://cas:8081/v1/nothing", "-X PUT -d '{}' https://cas:8081/v1/sessions"],
    ids=["POST-404", "PUT-405"],
)
def test_refused_request_body_does_not_poison_keep_alive(
    shell: Shell, cas: CasInstance, request_: str
) -> None:
    # curl reuses the connection for the request after --next; the refused request's body
    # must not be read as the start of that next request.
    shell.run(SETUP)
    options = '--cacert cas_cert.crt --connect-to "cas:8081:$SCONE_CAS_ADDR:8081" -sS'
    done = shell.run(
        f"curl {options} -o first.out -w '%{{http_code}} ' {request_}"
        f" --next {options} -o second.out -w '%{{http_code}}' https://cas:8081/v1/version"
    )
    first, second = done.stdout.split()
    assert first in ("404", "405"), done.stdout
    assert "msg" in json.loads((shell.home / "first.out").read_text())
    assert second == "200", (shell.home / "second.out").read_text()[:300]
    assert "version" in json.loads((shell.home / "second.out").read_text())
