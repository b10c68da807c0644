"""The server process: ready line, clean stop on SIGTERM and SIGINT, address in use."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from localcas.instance import CasInstance


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    instance = CasInstance(tmp_path / "cas.db").start()
    assert instance.process is not None
    instance.process.send_signal(sig)
    assert instance.process.wait(10) == 0
    instance.stop()
    # The database is consistent and reusable after the stop.
    with CasInstance(tmp_path / "cas.db", instance.address):
        pass


def test_address_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with CasInstance(tmp_path / "a.db") as first:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "localcas",
                "serve",
                "--address",
                first.address,
                "--db",
                str(tmp_path / "b.db"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot listen on" in lines[0] and "in use" in lines[0]


def test_not_a_database_is_one_clear_line(tmp_path: Path) -> None:
    bogus = tmp_path / "cas.db"
    bogus.write_text("this is not sqlite\n" * 100)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "localcas",
            "serve",
            "--address",
            "127.0.0.1",
            "--port",
            "1",
            "--db",
            str(bogus),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("localcas: cannot open CAS database")
    assert bogus.read_text() == "this is not sqlite\n" * 100
