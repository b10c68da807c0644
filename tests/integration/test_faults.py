"""Fault injection for grading: 503, a dropped answer, and a crash point after a commit."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from localcas.instance import CasInstance
from tests.helpers import ATTEST, Shell, make_shell

SESSION = (
    'printf "name: f-%s\\nversion: \\"0.3\\"\\n" "$1" > s.yml; scone session create "${@:2}" s.yml'
)


@contextmanager
def faulty_cas(tmp_path: Path, kind: str, at: int) -> Iterator[tuple[CasInstance, Shell]]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"kind": kind, "at": at}))
    home = tmp_path / "home"
    home.mkdir()
    cas = CasInstance(
        tmp_path / "cas.db",
        request_log=tmp_path / "requests.jsonl",
        fault_plan=plan,
        events=tmp_path / "events.jsonl",
    ).start()
    try:
        shell = make_shell(home, cas)
        shell.run(ATTEST + f"mk() {{ {SESSION}; }}\n")
        yield cas, shell
    finally:
        cas.stop()


def _requests(tmp_path: Path) -> list[dict[str, object]]:
    lines = (tmp_path / "requests.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_503_is_retried_by_the_cli_or_reported(tmp_path: Path) -> None:
    with faulty_cas(tmp_path, "503", 2) as (_, shell):
        mk = f"mk() {{ {SESSION}; }}\n"
        shell.run(mk + "mk one")  # attempt 1: served
        done = shell.run(mk + "mk two --retries=0", check=False)  # attempt 2: 503
        assert done.returncode == 1
        assert "temporarily unavailable" in done.stderr
        shell.run(mk + "mk two")  # one-shot: the next attempt is served
    statuses = [r["status"] for r in _requests(tmp_path) if r["method"] == "POST"]
    assert statuses == [201, 503, 201]


def test_dropped_answer_after_commit(tmp_path: Path) -> None:
    with faulty_cas(tmp_path, "drop", 1) as (_, shell):
        done = shell.run(f"mk() {{ {SESSION}; }}\nmk a", check=False)
        assert done.returncode == 1
        assert done.stderr.startswith("Error: Connection to CAS")
        assert "lost the connection after sending" in done.stderr
        # The upload did commit: a re-run that reads first would find it.
        assert shell.run("scone session read f-a").returncode == 0
    posts = [r for r in _requests(tmp_path) if r["method"] == "POST"]
    assert posts[0]["mutated"] is True and posts[0]["fault"] == "drop"


def test_crash_point_holds_the_answer_until_the_client_dies(tmp_path: Path) -> None:
    with faulty_cas(tmp_path, "crash", 1) as (_, shell):
        (shell.home / "s.yml").write_text('name: crashed\nversion: "0.3"\n')
        client = subprocess.Popen(
            ["bash", "-c", "scone session create s.yml"],
            cwd=shell.home,
            env=shell.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        events = tmp_path / "events.jsonl"
        deadline = time.monotonic() + 20
        while not (events.exists() and events.read_text().strip()):
            assert time.monotonic() < deadline, "no crash point reported"
            assert client.poll() is None, "the client must still wait for its answer"
            time.sleep(0.02)
        assert json.loads(events.read_text().splitlines()[0])["mutation"] == 1
        assert client.poll() is None
        client.kill()
        client.communicate()
        assert shell.run("scone session read crashed").returncode == 0
        shell.run("printf 'name: later\\nversion: \"0.3\"\\n' > l.yml; scone session create l.yml")
