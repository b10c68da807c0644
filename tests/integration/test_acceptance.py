"""The acceptance scenarios of localcas part 1, run in bash with real curl and jq."""

from __future__ import annotations

import json
import re

from localcas.instance import CasInstance
from tests.helpers import ATTEST, Shell, make_shell

CURL = 'curl -sS --connect-to "cas:8081:$SCONE_CAS_ADDR:8081"'


def test_documented_scrape_finds_mrenclave(shell: Shell) -> None:
    # The 2022 reference pipeline: 9th token of the last line naming `scone cas attest`.
    done = shell.run(
        'curl -fsS "$SCONE_CAS_PAGE" | grep "scone cas attest" | tail -1 | awk \'{ print $9 }\''
    )
    assert re.fullmatch(r"[0-9a-f]{64}\n", done.stdout)


def test_attest_with_documented_flags(shell: Shell) -> None:
    done = shell.run(
        'M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE "[0-9a-f]{64}" | head -n1)\n'
        'scone cas attest -G --mrenclave "$M" --only_for_testing-ignore-signer'
        ' --only_for_testing-debug "$SCONE_CAS_ADDR"\n'
        "scone cas list\n"
        "jq -r .default_cas ~/.cas/config.json\n"
    )
    addr = shell.env["SCONE_CAS_ADDR"]
    lines = done.stdout.splitlines()
    assert lines[0] == f"CAS {addr} at https://{addr}:8081/ is trustworthy"
    assert f"* {addr}: https://{addr}:8081/" in lines
    assert lines[-1] == addr
    config = shell.home / ".cas" / "config.json"
    assert oct(config.stat().st_mode & 0o777) == "0o600"


def test_attest_positional_mrenclave_form(shell: Shell) -> None:
    shell.run(
        'M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE "[0-9a-f]{64}" | head -n1)\n'
        'scone cas attest "$SCONE_CAS_ADDR" "$M" -GCS --only_for_testing-debug'
        " --only_for_testing-ignore-signer\n"
    )


def _attest_fails(shell: Shell, flags: str, mrenclave: str = '"$M"') -> str:
    done = shell.run(
        'M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE "[0-9a-f]{64}" | head -n1)\n'
        f'scone cas attest {flags} --mrenclave {mrenclave} "$SCONE_CAS_ADDR"',
        check=False,
    )
    assert done.returncode != 0, done.stdout
    assert not (shell.home / ".cas" / "config.json").exists() or "cas_db" not in json.loads(
        (shell.home / ".cas" / "config.json").read_text()
    ).get("cas_db", {})
    assert done.stderr.startswith("Error: ")
    return done.stderr


def test_attest_refuses_without_G(shell: Shell) -> None:
    err = _attest_fails(shell, "--only_for_testing-ignore-signer --only_for_testing-debug")
    assert "GROUP_OUT_OF_DATE" in err and "-G" in err


def test_attest_refuses_wrong_mrenclave(shell: Shell) -> None:
    err = _attest_fails(
        shell, "-G --only_for_testing-ignore-signer --only_for_testing-debug", "a" * 64
    )
    assert err.splitlines()[:3] == [
        "Error: Error during attestation of CAS",
        "Caused by: Enclave hash does not match expectation:",
        "Caused by: " + "a" * 64,
    ]


def test_attest_refuses_debug_without_ignore_signer(shell: Shell) -> None:
    err = _attest_fails(shell, "-G --only_for_testing-debug")
    assert "only allowed together with --only_for_testing-ignore-signer" in err


def test_attest_refuses_a_scraped_word(shell: Shell) -> None:
    err = _attest_fails(
        shell, "-G --only_for_testing-ignore-signer --only_for_testing-debug", "the"
    )
    assert "not a valid MRENCLAVE" in err


def test_public_value_with_cacert(shell: Shell) -> None:
    done = shell.run(
        ATTEST + "scone cas show-certificate > cas_cert.crt\n"
        "grep -c 'BEGIN CERTIFICATE' cas_cert.crt\n"
        f"{CURL} --cacert cas_cert.crt"
        " https://cas:8081/v1/values/session=example_session,secret=example_value\n"
    )
    count, body = done.stdout.split("\n", 1)
    assert count == "2"
    assert json.loads(body) == {"kind": "string", "value": "42", "expires": None, "renew": None}


def test_public_value_needs_cacert(shell: Shell) -> None:
    done = shell.run(
        f"{CURL} https://cas:8081/v1/values/session=example_session,secret=example_value",
        check=False,
    )
    assert done.returncode == 60  # curl: peer certificate cannot be authenticated


def test_create_read_verify_and_rest_by_hash(shell: Shell) -> None:
    done = shell.run(
        ATTEST + "NS=ns-$RANDOM$RANDOM\n"
        "printf 'name: $NS\\nversion: \"0.2\"\\n' > session.yml\n"
        'H=$(scone session create -e NS="$NS" session.yml)\n'
        'scone session read "$NS" > r.yml\n'
        "V=$(scone session verify r.yml)\n"
        'V2=$(scone session verify -e NS="$NS" session.yml)\n'
        "scone cas show-certificate > cas_cert.crt\n"
        'printf "\\n$(jq .identity ~/.cas/config.json | tr -d \'\\"\')" > client.pem\n'
        f'{CURL} --cacert cas_cert.crt --cert client.pem "https://cas:8081/v1/sessions/$NS?hash=$H"'
        " | jq -r .session > rest.yml\n"
        'echo "$H"; echo "$V"; echo "$V2"; echo "$NS"\n'
    )
    h, v, v2, ns = done.stdout.split()
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == v == v2
    read_form = (shell.home / "r.yml").read_text()
    assert (shell.home / "rest.yml").read_text() == read_form
    assert f"name: {ns}\n" in read_form and "predecessor: null\n" in read_form
    assert "creator: |" in read_form


def test_upgrade_through_predecessor_and_walk_history(shell: Shell) -> None:
    done = shell.run(
        ATTEST + "NS=ns-$RANDOM$RANDOM\n"
        "printf 'name: $NS\\nversion: \"0.2\"\\n' > a2.yml\n"
        'H1=$(scone session create -e NS="$NS" a2.yml)\n'
        "cat > a4.yml <<'EOF'\n"
        'name: $NS\nversion: "0.3"\npredecessor: $PREDECESSOR\n'
        "access_policy:\n  read: [CREATOR]\n  update: [CREATOR]\n  create_sessions: [CREATOR]\n"
        "EOF\n"
        'scone session check -e NS="$NS" -e PREDECESSOR="$H1" a4.yml >/dev/null\n'
        'H2=$(scone session create -e NS="$NS" -e PREDECESSOR="$(printf "%s\\r" "$H1")" a4.yml)\n'
        "scone cas show-certificate > cas_cert.crt\n"
        'printf "\\n$(jq .identity ~/.cas/config.json | tr -d \'\\"\')" > client.pem\n'
        f"get() {{ {CURL} --cacert cas_cert.crt --cert client.pem"
        ' "https://cas:8081/v1/sessions/$NS$1" | jq -r .session; }\n'
        'pred() { python3 -c "import sys,yaml;'
        " print(yaml.safe_load(sys.stdin)['predecessor'])\"; }\n"
        'P=$(get "" | pred)\n'
        'seen="$P"\n'
        'while [ "$P" != "None" ]; do\n'
        '  P=$(get "?hash=$P" | pred)\n'
        '  seen="$seen $P"\n'
        "done\n"
        'echo "$H1 $H2 $seen"\n'
        "get '' | grep -c 'version:'\n"
        'printf "name: $NS/child\\nversion: \\"0.3\\"\\n" > child.yml\n'
        "scone session create child.yml\n"
    )
    out = done.stdout.split()
    h1, h2, walked = out[0], out[1], out[2:4]
    assert h1 != h2
    assert walked == [h1, "None"]


def test_private_value_never_served(shell: Shell) -> None:
    done = shell.run(
        ATTEST + "NS=ns-$RANDOM$RANDOM\n"
        "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"
        'scone session create -e NS="$NS" ns.yml >/dev/null\n'
        "cat > values.yml <<EOF\n"
        'name: $NS/private_public_values\nversion: "0.3"\nsecrets:\n'
        '  - {name: public_value, kind: ascii, value: "42", export_public: true}\n'
        '  - {name: private_value, kind: ascii, value: "007"}\n'
        "EOF\n"
        "scone session create values.yml >/dev/null\n"
        "scone cas show-certificate > cas_cert.crt\n"
        'printf "\\n$(jq .identity ~/.cas/config.json | tr -d \'\\"\')" > client.pem\n'
        'U="https://cas:8081/v1/values/session=$NS/private_public_values"\n'
        f'{CURL} --cacert cas_cert.crt "$U,secret=public_value" | jq -r .value\n'
        f'{CURL} --cacert cas_cert.crt -I "$U,secret=private_value" | head -n1\n'
        f'{CURL} --cacert cas_cert.crt --cert client.pem -I "$U,secret=private_value" | head -n1\n'
        f'{CURL} --cacert cas_cert.crt -w " %{{http_code}}" "$U,secret=private_value"; echo\n'
        f'{CURL} --cacert cas_cert.crt --cert client.pem -w " %{{http_code}}"'
        ' "$U,secret=private_value"; echo\n'
        f'{CURL} --cacert cas_cert.crt "$U"; echo\n'
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "42"
    assert " 405 " in lines[1] and " 405 " in lines[2]
    assert lines[3].endswith(" 404") and lines[4].endswith(" 404")
    assert "Secret does not exist or is not visible for a public client" in lines[3]
    assert json.loads(lines[5]) == {
        "values": {
            "public_value": {"kind": "string", "value": "42", "expires": None, "renew": None}
        }
    }
    assert "007" not in done.stdout


def test_second_identity_is_locked_out(shell: Shell, tmp_path, cas: CasInstance) -> None:
    done = shell.run(
        ATTEST + "NS=ns-$RANDOM$RANDOM\n"
        "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"
        'H=$(scone session create -e NS="$NS" ns.yml)\n'
        "scone session read $NS > mine.yml\n"
        'echo "$NS $H"\n'
    )
    ns, h = done.stdout.split()
    other = make_shell(shell.home, cas)
    other.env["SCONE_CLI_CONFIG"] = str(tmp_path / "other" / "config.json")
    attempts = {
        "read": f"scone session read {ns}",
        "update": f'printf \'name: {ns}\\nversion: "0.3"\\npredecessor: {h}\\n'
        "access_policy: {read: [ANY], update: [ANY]}\\n' > steal.yml;"
        " scone session create steal.yml",
        "child": f"printf 'name: {ns}/intruder\\nversion: \"0.3\"\\n' > c.yml;"
        " scone session create c.yml",
    }
    for what, command in attempts.items():
        done = other.run(ATTEST + command, check=False)
        assert done.returncode != 0, what
        assert done.stderr.startswith("Error: "), (what, done.stderr)
        assert "not permitted" in done.stderr or "Not allowed" in done.stderr, done.stderr
    # Nothing changed: the namespace still has one version, by its creator.
    assert shell.run("scone session verify mine.yml").stdout.strip() == h
