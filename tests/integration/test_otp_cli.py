"""`scone-course otp` as a learner runs it: the code of a QR code, the same as oathtool's."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from localcas.runtime.container import Container
from localcas.runtime.otpqr import main as otpqr

pytestmark = pytest.mark.skipif(shutil.which("oathtool") is None, reason="needs oathtool")

SECRET = "KRUGS4ZANFZSAYJAOZSXE6JAONSWG4TFOQQHG5DSNFXGOIBB"
COURSE = [sys.executable, "-m", "course.cli"]


def _oathtool() -> str:
    return subprocess.run(
        ["oathtool", "--totp", "-b", SECRET], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_code_of_a_qr_code_matches_oathtool(tmp_path: Path) -> None:
    env = {
        "OTP_SINGLE_USE": "/root/once",
        "OTP_ACCOUNT_NAME": "SCONE OTP",
        "OTP_ACCOUNT_LOGIN": "otp-user",
        "OTP_SECRET": SECRET,
        "OTP_OUTPUT_FILE": "/root/qrcode.svg",
    }
    assert otpqr(env, [], Container(tmp_path / "s", [(str(tmp_path), "/root")]), io.StringIO()) == 0
    before = _oathtool()
    workspace = ["--workspace", str(tmp_path / "ws")]
    scanned = subprocess.run(
        [*COURSE, *workspace, "otp", str(tmp_path / "qrcode.svg")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert scanned.stderr == "kept SCONE OTP:otp-user in your authenticator\n"
    (tmp_path / "qrcode.svg").unlink()  # shredded after scanning: the account is kept
    shown = subprocess.run(
        [*COURSE, *workspace, "otp"], capture_output=True, text=True, check=True
    ).stdout
    after = _oathtool()
    code, left, name = shown.split(None, 2)
    # The step may change between the calls: the code must be one of the two around it.
    assert code in {before, after}
    assert left.startswith("(") and name.strip() == "s left)  SCONE OTP:otp-user"
    forgot = subprocess.run(
        [*COURSE, *workspace, "otp", "--forget", "1"], capture_output=True, text=True, check=True
    )
    assert forgot.stdout == "forgot SCONE OTP:otp-user: its codes are gone with it\n"
    empty = subprocess.run([*COURSE, *workspace, "otp"], capture_output=True, text=True)
    assert empty.returncode == 1
    assert empty.stderr.startswith("scone-course: no account kept yet")


def test_unreadable_source_is_one_clear_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [*COURSE, "--workspace", str(tmp_path / "ws"), "otp", str(tmp_path / "missing.svg")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr == f"scone-course: no such file: {tmp_path / 'missing.svg'}\n"
