"""The virtual authenticator (course/otp.py) reads what otpqr writes, and agrees with RFC 6238."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from course.otp import OtpError, current_code, load, read_account, show
from localcas.runtime.container import Container
from localcas.runtime.otpqr import main as otpqr

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_reads_the_svg_that_otpqr_writes(tmp_path: Path) -> None:
    env = {
        "OTP_SINGLE_USE": "/root/once",
        "OTP_ACCOUNT_NAME": "SCONE OTP",
        "OTP_ACCOUNT_LOGIN": "otp-user",
        "OTP_SECRET": SECRET,
        "OTP_OUTPUT_FILE": "/root/qrcode.svg",
    }
    assert otpqr(env, [], Container(tmp_path / "s", [(str(tmp_path), "/root")]), io.StringIO()) == 0
    account = read_account(load(str(tmp_path / "qrcode.svg")))
    assert (account.secret, account.issuer, account.label) == (
        SECRET,
        "SCONE OTP",
        "SCONE OTP:otp-user",
    )


def test_codes_follow_rfc_6238() -> None:
    # RFC 6238 appendix B: SHA1, secret "12345678901234567890", T=59 -> 94287082 (8 digits);
    # its last 6 digits are the 6-digit code.
    rfc_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert current_code(read_account(rfc_secret), at=59).code == "287082"
    assert current_code(read_account(rfc_secret), at=59).seconds_left == 1
    code = show(f"otpauth://totp/A:b?secret={SECRET}&issuer=A", at=1_000_000_005)
    assert code.seconds_left == 15 and len(code.code) == 6  # 1_000_000_005 % 30 == 15


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<svg><rect/></svg>", "cannot read this QR code"),
        ("otpauth://totp/A:b?secret=1111", "no valid base32 secret"),
        (f"otpauth://totp/A:b?secret={SECRET}&digits=8", "digits=8"),
        ("hello", "expected a QR-code SVG"),
    ],
)
def test_refuses_what_it_cannot_use(source: str, message: str) -> None:
    with pytest.raises(OtpError, match=message):
        read_account(source)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OtpError, match="no such file"):
        load(str(tmp_path / "qrcode.svg"))


def test_scans_the_modules_not_the_description(tmp_path: Path) -> None:
    import segno

    uri = f"otpauth://totp/Other:someone?secret={SECRET}&issuer=Other"
    out = io.BytesIO()
    segno.make(uri, error="h").save(out, kind="svg", scale=3, desc="otpauth://totp/X:y?secret=AAAA")
    account = read_account(out.getvalue().decode())
    assert (account.secret, account.issuer) == (SECRET, "Other")
    text = io.BytesIO()
    segno.make("hello world", error="m", micro=False).save(text, kind="svg")
    with pytest.raises(OtpError, match="holds no TOTP account"):
        read_account(text.getvalue().decode())
