"""`scone-course record --live`: a course shell under `asciinema rec`, redacted afterwards.

The live recording is driven through a real pseudo-terminal with pexpect (asciinema needs
one, as a learner's terminal would be); no tmux is needed. :func:`redact_cast`, which the
live recording applies afterwards, is also tested on its own with a cast written here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect

from course.recording.live import redact_cast
from grader.cast import REDACTED, CastWriter, read_cast

ROOT = Path(__file__).resolve().parents[2]
KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n"


def test_redact_cast_hides_secrets_split_across_events_and_keeps_the_rest(tmp_path: Path) -> None:
    source, target = tmp_path / "raw.cast", tmp_path / "clean.cast"
    with CastWriter(source, width=120, height=40, title="t", idle_time_limit=1.5, timestamp=7) as w:
        w.output("value: s3cr", at=0.5)
        w.output("et-value\r\n", at=0.7)
        w.marker("step", at=0.8)
        w.input("typed s3cret-value\r", at=0.9)
        w.output(KEY[:30], at=1.0)
        w.output(KEY[30:] + "after\r\n", at=1.2)
    written = redact_cast(source, target, ["s3cret-value"])
    header, events = read_cast(target)
    assert (header["width"], header["height"], header["title"]) == (120, 40, "t")
    assert (header["idle_time_limit"], header["timestamp"]) == (1.5, 7)
    text = "".join(data for _, _, data in events)
    assert "s3cret" not in text and "MIGHAgEA" not in text
    assert text.count(REDACTED) == 3 and "after" in text
    assert written == 6 and [c for _, c, _ in events].count("i") == 1
    times = [t for t, _, _ in events]
    assert times == sorted(times) and times[-1] == 1.2


def test_live_recording_of_a_course_shell_is_redacted(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    cast = tmp_path / "live.cast"
    env = {**os.environ, "SCONE_GRADER_TMP": str(tmp_path / "base")}
    argv = ["-m", "course.cli", "--workspace", str(workspace), "record", "--live"]
    child = pexpect.spawn(
        sys.executable,
        [*argv, "--cols", "100", "--rows", "30", "-o", str(cast)],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        dimensions=(30, 100),
        timeout=60,
    )
    try:
        child.expect("scone-course")  # the course shell's greeting and prompt
        child.sendline('"$SCONE_COURSE_TOOLS/scone" self show-key-hash > /dev/null')
        child.sendline("cat ~/.cas/config.json; echo; echo live-''done")
        child.expect("live-done")
        child.sendline("exit")
        child.expect("recorded the course shell")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        subprocess.run(
            [sys.executable, "-m", "course.cli", "--workspace", str(workspace), "cas", "stop"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert child.exitstatus == 0
    header, events = read_cast(cast)
    assert header["version"] == 2 and (header["width"], header["height"]) == (100, 30)
    shown = "".join(data for _, code, data in events if code == "o")
    assert "live-done" in shown and REDACTED in shown
    identity = json.loads((workspace / "home" / ".cas" / "config.json").read_text())["identity"]
    body = identity.split("-----BEGIN PRIVATE KEY-----")[1].split("-----END")[0]
    for line in (line for line in body.split("\n") if len(line) > 20):
        assert line not in shown
    assert not list(tmp_path.glob(".live.cast*"))  # asciinema's raw file is gone
