"""The asciicast v2 writer: file format, times, markers and redaction of secrets."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from grader.cast import REDACTED, CastWriter, read_cast, redact_text

SECRET = "Zq8VtN3kP0wXy7Lm"
KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAr0b3jXxLr5tWq2d4fQvq8y0hP7yQ1k2v9mZ3sY6a\n"
    "KZ7nG1cV0tqB9p4Jx1vQm8sRr2hT6uW3eYfL0dN5aC2jH4kP7oS1qE9\n"
    "-----END RSA PRIVATE KEY-----"
)


def _check_format(path: Path) -> tuple[dict[str, object], list[list[object]]]:
    """Validates the file line by line, independently of read_cast."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2
    assert isinstance(header["width"], int) and isinstance(header["height"], int)
    assert isinstance(header["timestamp"], int)
    assert isinstance(header["env"], dict)
    events = [json.loads(line) for line in lines[1:]]
    last = 0.0
    for event in events:
        assert isinstance(event, list) and len(event) == 3
        at, code, data = event
        assert isinstance(at, int | float) and at >= last
        assert code in ("o", "i", "m") and isinstance(data, str)
        last = at
    return header, events


def _output(events: list[list[object]]) -> str:
    return "".join(str(data) for _, code, data in events if code == "o")


def test_header_and_events(tmp_path: Path) -> None:
    path = tmp_path / "run1.cast"
    env = {"SHELL": "/bin/bash", "TERM": "xterm-256color"}
    with CastWriter(
        path, width=100, height=30, title="a4-update run1", env=env, idle_time_limit=2.0
    ) as cast:
        cast.output("$ scone session read ns\r\n", at=0.5)
        cast.marker("scone session read ns", at=0.5)
        cast.input("y\r", at=0.75)
        cast.output("\x1b[32mok\x1b[0m ✓\r\n", at=1.0)
    header, events = _check_format(path)
    assert header["width"] == 100 and header["height"] == 30
    assert header["title"] == "a4-update run1" and header["env"] == env
    assert header["idle_time_limit"] == 2.0
    assert events == [
        [0.5, "o", "$ scone session read ns\r\n"],
        [0.5, "m", "scone session read ns"],
        [0.75, "i", "y\r"],
        [1.0, "o", "\x1b[32mok\x1b[0m ✓\r\n"],
    ]
    assert read_cast(path) == (header, [tuple(e) for e in events])


def test_optional_header_keys_are_left_out(tmp_path: Path) -> None:
    CastWriter(tmp_path / "c.cast", timestamp=1700000000).close()
    header, events = _check_format(tmp_path / "c.cast")
    assert "idle_time_limit" not in header and "title" not in header
    assert header["timestamp"] == 1700000000 and events == []


def test_times_never_go_backwards(tmp_path: Path) -> None:
    ticks = iter([100.0, 101.0, 100.5, 103.0])
    path = tmp_path / "c.cast"
    cast = CastWriter(path, clock=lambda: next(ticks))  # starts at 100.0
    cast.output("a")  # 1.0
    cast.output("b")  # 0.5 → clamped to 1.0
    cast.output("c", at=0.25)  # clamped to 1.0
    cast.marker("m")  # 3.0
    cast.close()
    _, events = _check_format(path)
    assert [e[0] for e in events] == [1.0, 1.0, 1.0, 3.0]


def test_closed_writer_refuses_events(tmp_path: Path) -> None:
    cast = CastWriter(tmp_path / "c.cast")
    cast.close()
    cast.close()  # twice is fine
    with pytest.raises(ValueError, match="closed"):
        cast.output("late")


def test_secret_in_one_chunk_is_redacted(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    with CastWriter(path, redact=[SECRET]) as cast:
        cast.output(f"value={SECRET}\r\n", at=0.1)
        cast.marker(f"scone session create -e PW={SECRET}", at=0.2)
        cast.input(f"{SECRET}\r", at=0.3)
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    _, events = _check_format(path)
    assert _output(events) == f"value={REDACTED}\r\n"
    assert [e[2] for e in events if e[1] == "m"] == [f"scone session create -e PW={REDACTED}"]


@pytest.mark.parametrize("split", range(1, len(SECRET)))
def test_secret_split_across_chunks_never_appears(tmp_path: Path, split: int) -> None:
    path = tmp_path / "c.cast"
    with CastWriter(path, redact=[SECRET]) as cast:
        cast.output("before " + SECRET[:split], at=0.1)
        cast.output(SECRET[split:] + " after\r\n", at=0.2)
        cast.output("tail " + SECRET[:3], at=0.3)  # a prefix that never completes
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    _, events = _check_format(path)
    assert _output(events) == f"before {REDACTED} after\r\ntail {SECRET[:3]}"
    # Nothing of the secret's first half may be written before the second half arrived.
    first = next(e for e in events if e[1] == "o")
    assert first[2] == "before "


def test_secret_split_over_three_chunks(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    with CastWriter(path, redact=[SECRET]) as cast:
        for at, piece in enumerate((SECRET[:4], SECRET[4:9], SECRET[9:] + "!")):
            cast.output(piece, at=float(at))
    _, events = _check_format(path)
    assert _output(events) == REDACTED + "!"


def test_added_redaction_applies_to_held_text(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    other = "generated-otp-secret-123"
    with CastWriter(path) as cast:
        cast.add_redaction(SECRET)
        cast.output("a " + SECRET[:5], at=0.1)
        cast.add_redaction(other)
        cast.output(SECRET[5:] + " b " + other, at=0.2)
    _, events = _check_format(path)
    assert _output(events) == f"a {REDACTED} b {REDACTED}"


def test_private_key_is_always_redacted(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    pieces = ["key:\r\n" + KEY[:20], KEY[20:70], KEY[70:-10], KEY[-10:] + "\r\ndone\r\n"]
    with CastWriter(path) as cast:
        for at, piece in enumerate(pieces):
            cast.output(piece, at=float(at))
    text = path.read_text(encoding="utf-8")
    assert "PRIVATE KEY" not in text and "MIIE" not in text
    _, events = _check_format(path)
    assert _output(events) == f"key:\r\n{REDACTED}\r\ndone\r\n"


def test_unterminated_private_key_is_redacted_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    with CastWriter(path) as cast:
        cast.output("x " + KEY[:60], at=0.1)
        cast.output("more key material\r\n", at=0.2)
    _, events = _check_format(path)
    assert _output(events) == f"x {REDACTED}"
    assert redact_text("x " + KEY[:60] + " more") == f"x {REDACTED}"


def test_stray_end_line_before_a_key_does_not_end_it(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    end = KEY.rsplit("\n", 1)[1]
    with CastWriter(path) as cast:
        cast.output(f"{end}\r\n{KEY[:40]}", at=0.1)
        cast.output(KEY[40:90], at=0.2)
        cast.output(KEY[90:] + "\r\nok", at=0.3)
    _, events = _check_format(path)
    assert _output(events) == f"{end}\r\n{REDACTED}\r\nok"


def test_other_pem_blocks_pass_through(tmp_path: Path) -> None:
    cert = "-----BEGIN CERTIFICATE-----\nMIIBxz\n-----END CERTIFICATE-----\n"
    path = tmp_path / "c.cast"
    with CastWriter(path) as cast:
        cast.output(cert[:15], at=0.1)
        cast.output(cert[15:], at=0.2)
    _, events = _check_format(path)
    assert _output(events) == cert


@pytest.mark.parametrize("seed", range(40))
def test_streaming_equals_redacting_the_whole_text(tmp_path: Path, seed: int) -> None:
    # Whatever the chunking, the cast holds exactly what redact_text makes of the whole.
    rng = random.Random(seed)
    secrets = [SECRET, "abcab", "otp-JBSWY3DP"]
    words = [*secrets, KEY, "abc", "ab", "-----", "-----BEGIN ", "x", "\r\n", "otp-", SECRET[:7]]
    text = "".join(rng.choice(words) for _ in range(60))
    path = tmp_path / "c.cast"
    with CastWriter(path, redact=secrets) as cast:
        pos = 0
        while pos < len(text):
            step = rng.randint(1, 40)
            cast.output(text[pos : pos + step], at=pos / 1000)
            pos += step
    _, events = _check_format(path)
    assert _output(events) == redact_text(text, secrets)


def test_redact_text_rules() -> None:
    text = f"a {SECRET} b {SECRET[:-1]} c\n{KEY}\nd"
    assert redact_text(text, [SECRET]) == f"a {REDACTED} b {SECRET[:-1]} c\n{REDACTED}\nd"
    # The longer of two overlapping secrets wins, and empty secrets are ignored.
    assert redact_text("xx-abcdef-yy", ["abc", "abcdef", ""]) == f"xx-{REDACTED}-yy"
    assert redact_text("plain", []) == "plain"
    ec = "-----BEGIN EC PRIVATE KEY-----\nAAA\n-----END EC PRIVATE KEY-----"
    assert redact_text(f"<{ec}>") == f"<{REDACTED}>"


def test_undecodable_output_still_writes_valid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.cast"
    with CastWriter(path) as cast:
        cast.output("bad \udcff byte", at=0.1)
    _, events = _check_format(path)
    assert _output(events) == "bad ? byte"


def test_read_cast_rejects_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "bad.cast"
    path.write_text('{"version": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="v2"):
        read_cast(path)
    path.write_text('{"version": 2, "width": 80, "height": 24}\n[1.0, "o"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        read_cast(path)


def test_a_secret_is_hidden_in_the_forms_it_reaches_a_screen_in(tmp_path: Path) -> None:
    # A generated binary value (known as hex) exported as Base32, the way an OTP secret is;
    # a generated ASCII value with a quote, as a JSON answer escapes it.
    binary, ascii_value = "00ff10ab20cd30ef", 'pa"ss\\word'
    shown = 'otp AD7RBKZAZUYO6 and b64 AP8QqyDNMO8= and json "pa\\"ss\\\\word"\n'
    assert redact_text(shown, [binary, ascii_value]) == (
        f'otp {REDACTED} and b64 {REDACTED} and json "{REDACTED}"\n'
    )
    path = tmp_path / "forms.cast"
    with CastWriter(path, redact=[binary, ascii_value]) as cast:
        for chunk in (shown[:10], shown[10:40], shown[40:]):
            cast.output(chunk)
    _, events = read_cast(path)
    written = "".join(str(e[2]) for e in events)
    for leaked in ("AD7RBKZAZUYO6", "AP8QqyDNMO8", "ss\\\\word"):
        assert leaked not in written, written
