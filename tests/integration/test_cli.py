"""The `scone` CLI stand-in's verbs and options, through the launcher in bash."""

from __future__ import annotations

import json
import re

from tests.helpers import ATTEST, Shell

NS_FILE = "printf 'name: $NS\\nversion: \"0.3\"\\n' > ns.yml\n"


def test_identity_created_on_first_need_and_shown(shell: Shell) -> None:
    done = shell.run(
        "test ! -e ~/.cas/config.json\n"
        "scone self show-key-hash\n"
        "scone self show-certificate > me.pem\n"
        "scone cert show-key-hash me.pem\n"
        "scone self show | tail -n1\n"
    )
    first, second, third = done.stdout.splitlines()
    assert re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]{50}", first)
    assert first == second and third == f"Public key hash: {first}"
    identity = json.loads((shell.home / ".cas" / "config.json").read_text())["identity"]
    assert identity.startswith("-----BEGIN PRIVATE KEY-----")
    assert identity.rstrip().endswith("-----END CERTIFICATE-----")


def test_key_hash_works_in_an_access_policy(shell: Shell) -> None:
    done = shell.run(
        ATTEST + "NS=kh-$RANDOM$RANDOM\nME=$(scone self show-key-hash)\n"
        'cat > ns.yml <<EOF\nname: $NS\nversion: "0.3"\n'
        "access_policy: {read: [$ME], update: [CREATOR]}\nEOF\n"
        "scone session create ns.yml > /dev/null\n"
        'scone session read "$NS" | grep -c "$ME"\n'
    )
    assert done.stdout.strip() == "1"


def test_dash_e_wins_over_use_env_and_dash_n_renames(shell: Shell) -> None:
    done = shell.run(
        "printf 'name: $NS\\nversion: \"0.3\"\\n' > t.yml\n"
        "NS=from-env scone session check --use-env t.yml | grep name:\n"
        "NS=from-env scone session check --use-env -e NS=from-e t.yml | grep name:\n"
        "scone session check -e NS=x -n renamed t.yml | grep name:\n"
    )
    assert done.stdout.splitlines() == ["name: from-env", "name: from-e", "name: renamed"]


def test_update_fills_in_the_predecessor(shell: Shell) -> None:
    done = shell.run(
        ATTEST
        + "NS=up-$RANDOM$RANDOM\n"
        + NS_FILE
        + 'H1=$(scone session create -e NS="$NS" ns.yml)\n'
        "printf 'name: $NS\\nversion: \"0.3.10\"\\n' > v2.yml\n"
        'H2=$(scone session update -e NS="$NS" v2.yml)\n'
        'scone session read "$NS" | grep predecessor:\n'
        'echo "$H1 $H2"\n'
    )
    pred_line, hashes = done.stdout.splitlines()
    h1, h2 = hashes.split()
    assert pred_line == f"predecessor: {h1}" and h1 != h2


def test_output_file_and_argument_file(shell: Shell) -> None:
    done = shell.run(
        ATTEST
        + "NS=of-$RANDOM$RANDOM\n"
        + NS_FILE
        + 'printf "%s\\n" session create -e "NS=$NS" ns.yml > args.txt\n'
        "scone -o hash.txt @args.txt\n"
        "cat hash.txt\n"
    )
    assert re.fullmatch(r"[0-9a-f]{64}\n", done.stdout)


def test_cas_list_and_set_default(shell: Shell) -> None:
    addr = shell.env["SCONE_CAS_ADDR"]
    done = shell.run(
        ATTEST + 'M=$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE "[0-9a-f]{64}" | head -n1)\n'
        "scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug"
        ' --mrenclave "$M" "$SCONE_CAS_ADDR:8081" > /dev/null\n'
        "scone cas list\n"
        'scone cas set-default "$SCONE_CAS_ADDR:8081"\n'
        "scone cas list\n"
        'scone session read -c "$SCONE_CAS_ADDR" example_session 2>&1 | head -n1 || true\n'
    )
    lines = done.stdout.splitlines()
    assert lines[0:2] == [f"* {addr}: https://{addr}:8081/", f"  {addr}:8081: https://{addr}:8081/"]
    assert lines[2:4] == [f"  {addr}: https://{addr}:8081/", f"* {addr}:8081: https://{addr}:8081/"]
    assert "not permitted" in lines[4]  # the operator's session: attested, but not ours


def test_ledger_records_each_call(shell: Shell) -> None:
    ledger = shell.home / "ledger.jsonl"
    shell.env["SCONE_COURSE_LEDGER"] = str(ledger)
    shell.run(
        ATTEST
        + "NS=lg-$RANDOM$RANDOM\n"
        + NS_FILE
        + 'scone session create -e NS="$NS" -e MY_SECRET=hunter2 ns.yml > /dev/null\n'
        'scone session read "$NS" > /dev/null\n'
        'scone session create -e NS="$NS" ns.yml 2>/dev/null || true\n'
    )
    records = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [r["argv"][1:3] for r in records] == [
        ["cas", "attest"],
        ["session", "create"],
        ["session", "read"],
        ["session", "create"],
    ]
    _, create, read, again = records
    assert [r["mutated"] for r in records] == [False, True, False, False]
    assert [r["exit_code"] for r in records] == [0, 0, 0, 1]
    assert "MY_SECRET=***" in create["argv"] and "hunter2" not in ledger.read_text()
    assert create["sessions"] == read["sessions"] == again["sessions"]
    assert all(r["duration_s"] > 0 for r in records)


def test_config_option_and_env_choose_the_identity(shell: Shell) -> None:
    done = shell.run(
        "scone self show-key-hash\n"
        "scone -c other.json self show-key-hash\n"
        "scone --config other.json self show-key-hash\n"
        "SCONE_CLI_CONFIG=$HOME/other.json scone self show-key-hash\n"
    )
    default, other, again, env = done.stdout.split()
    assert default != other and other == again == env
    assert (shell.home / "other.json").exists()
