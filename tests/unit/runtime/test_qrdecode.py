"""The QR reader reads back what segno writes: all segment modes, small and large versions."""

from __future__ import annotations

import io

import pytest
import segno

from course.qrdecode import QrDecodeError, decode_svg


def _svg(text: str, error: str, scale: int = 1) -> str:
    out = io.BytesIO()
    segno.make(text, error=error, micro=False).save(out, kind="svg", scale=scale, border=4)
    return out.getvalue().decode()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("HELLO WORLD", "l"),  # alphanumeric, version 1
        ("0123456789012", "m"),  # numeric
        ("otpauth://totp/SCONE%20OTP:otp-user?secret=" + "A" * 52, "h"),  # bytes, version > 9
        ("x" * 400, "q"),  # several blocks of two sizes
        ("grüße", "h"),  # UTF-8 bytes
    ],
)
def test_reads_back_what_segno_writes(text: str, error: str) -> None:
    assert decode_svg(_svg(text, error, scale=4)) == text


def test_refuses_what_is_not_a_qr_code() -> None:
    with pytest.raises(QrDecodeError, match="no path"):
        decode_svg("<svg></svg>")
    with pytest.raises(QrDecodeError, match="no QR code size"):
        decode_svg('<svg><path d="M0 0.5h3m-3 1h3"/></svg>')
    broken = _svg("HELLO WORLD", "l").replace("M4 4.5h7", "M4 4.5h1m1 0h5")  # finder damaged
    assert decode_svg(broken) == "HELLO WORLD"  # a few wrong modules are tolerated
