"""The course shell, bash and xonsh, started for real in a pty: the course environment,
the prompt, the learner's rc file, and the way back."""

from __future__ import annotations

from pathlib import Path

import pexpect
import pytest

from course.shell import shell_command
from course.workspace import Workspace


@pytest.mark.parametrize(
    ("shell", "rc_name", "rc_line", "probe"),
    [
        ("bash", ".bashrc", "export FROM_RC=bashrc-was-loaded", "echo $FROM_RC $SCONE_CAS_ADDR"),
        ("xonsh", ".xonshrc", "$FROM_RC = 'xonshrc-was-loaded'", "echo $FROM_RC $SCONE_CAS_ADDR"),
    ],
)
def test_course_shell_has_the_course_environment(
    tmp_path: Path, shell: str, rc_name: str, rc_line: str, probe: str
) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    (ws.home / rc_name).write_text(rc_line + "\n", encoding="utf-8")
    argv, env = shell_command(ws, shell=shell, back="the test")
    child = pexpect.spawn(
        argv[0], argv[1:], cwd=str(ws.home / "course"), env=env, encoding="utf-8", timeout=20
    )
    try:
        child.expect_exact("exit returns to the test")
        child.expect_exact("(scone-course)")
        child.sendline(probe)
        child.expect(rf"{rc_name[1:]}-was-loaded {ws.cas_address.replace('.', '[.]')}")
        child.expect_exact("(scone-course)")  # xonsh drops what is typed before its prompt
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
