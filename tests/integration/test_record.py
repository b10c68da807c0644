"""`scone-course record`: real sandboxes, real CAS, real interactive bash under pexpect.

What a recording must be: valid asciicast v2 (header, times that never go back, one marker
per step), played by `asciinema cat` to the transcript the recorder wrote, free of every
value the sandbox CAS generated and of private keys, and the same text every time.
Bad input gives one clear line, a non-zero exit, and no file.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.recording.errors import RecordError
from course.recording.recorder import RecordOptions, record, reference_cast
from course.recording.steps import split_script
from course.recording.transcript import normalise_transcript, transcript_of
from grader import world
from grader.cast import REDACTED, read_cast
from grader.catalog import Catalog
from grader.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
ASCIINEMA = Path(sys.executable).with_name("asciinema")
LEAKY = ROOT / "tests" / "data" / "recording" / "leaky.sh"


def scone_course(
    *args: str | Path, base: Path, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Runs `scone-course ARGS…` with a private sandbox base and workspace."""
    env = {**os.environ, "SCONE_GRADER_TMP": str(base)}
    return subprocess.run(
        [sys.executable, "-m", "course.cli", "--workspace", str(base / "ws"), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def no_leftovers(base: Path) -> None:
    """Every sandbox the recorder made is gone."""
    boxes = base / "boxes"
    assert not boxes.exists() or not list(boxes.iterdir())


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(ROOT)


@pytest.fixture(scope="module")
def a2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """a2-namespace's reference, recorded once through the CLI: (cast, transcript, base)."""
    work = tmp_path_factory.mktemp("a2")
    base = work / "base"
    cast, text = work / "a2.cast", work / "a2.txt"
    done = scone_course(
        "record", "a2-namespace", "-o", cast, "--transcript", text, "--cols", "90", base=base
    )
    assert done.returncode == 0, done.stderr
    yield cast, text, base


def test_cast_is_valid_asciicast_v2_with_a_marker_per_step(
    a2: tuple[Path, Path, Path], catalog: Catalog
) -> None:
    cast, _, base = a2
    lines = cast.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2
    assert (header["width"], header["height"]) == (90, 30)
    assert header["idle_time_limit"] == 2.0
    assert "a2-namespace" in header["title"] and "bash" in header["title"]
    events = [json.loads(line) for line in lines[1:]]
    assert all(isinstance(e, list) and len(e) == 3 and e[1] in "om" for e in events)
    times = [e[0] for e in events]
    assert times == sorted(times) and times[-1] > 10  # typed at a human pace
    script = catalog.get("a2-namespace").reference("bash").read_text()
    labels = [s.label for s in split_script(script, "bash") if s.lines]
    assert [e[2] for e in events if e[1] == "m"] == labels
    # Each marker comes before the typing of its statement.
    first = next(i for i, e in enumerate(events) if e[1] == "m" and e[2] == "echo OK.")
    typed = "".join(e[2] for e in events[first + 1 :] if e[1] == "o")
    assert typed.startswith("echo OK.")
    no_leftovers(base)


def test_asciinema_cat_plays_it_to_the_transcript(a2: tuple[Path, Path, Path]) -> None:
    cast, text, _ = a2
    played = subprocess.run(
        [str(ASCIINEMA), "cat", str(cast)], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    from course.recording.transcript import cast_text

    shown = normalise_transcript(cast_text([(0.0, "o", played)]))
    assert shown == text.read_text(encoding="utf-8") == transcript_of(cast)
    assert "Created namespace my_exercise-<user>-<suffix>." in shown
    assert "Namespace my_exercise-<user>-<suffix> has hash <hash-1>" in shown


def test_recording_is_deterministic_modulo_timing(tmp_path: Path, catalog: Catalog) -> None:
    options = RecordOptions(base=tmp_path / "base")
    first = record(catalog, "a0-alias", tmp_path / "1.cast", options=options)
    second = record(catalog, "a0-alias", tmp_path / "2.cast", options=options)
    assert first.transcript == second.transcript
    assert "OK." in first.transcript
    _, one = read_cast(first.cast)
    _, two = read_cast(second.cast)
    # The same bytes on screen and the same markers (how output is cut into events varies).
    for code in ("o", "m"):
        assert [d for _, c, d in one if c == code] != []
        assert "".join(d for _, c, d in one if c == code) == "".join(
            d for _, c, d in two if c == code
        )

    # The typing rhythm comes from the seeded RNG: the same keystroke delays both times.
    def typing(events: list[tuple[float, str, str]]) -> list[float]:
        keys = [(a, b) for a, b in itertools.pairwise(events) if len(a[2]) == len(b[2]) == 1]
        return [round(b[0] - a[0], 6) for a, b in keys if a[1] == b[1] == "o"]

    assert typing(one) == pytest.approx(typing(two), abs=1e-5)


def test_no_generated_value_or_private_key_reaches_the_cast(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A solution that prints a generated secret and the learner's private key."""
    seen: dict[str, Any] = {"values": set(), "keys": set()}
    real = world.secrets_to_redact

    def spy(sandbox: Sandbox) -> tuple[str, ...]:
        values = real(sandbox)
        seen["values"].update(values)
        config = sandbox.home / ".cas" / "config.json"
        if config.exists():
            identity = json.loads(config.read_text())["identity"]
            body = identity.split("-----BEGIN PRIVATE KEY-----")[1].split("-----END")[0]
            seen["keys"].update(line for line in body.split("\n") if len(line) > 20)
        return values

    monkeypatch.setattr(world, "secrets_to_redact", spy)
    options = RecordOptions(solution=LEAKY, base=tmp_path / "base")
    done = record(catalog, "a3-hash", tmp_path / "leak.cast", options=options)
    assert seen["values"] and seen["keys"], "the leaky solution leaked nothing to look for"
    raw = done.cast.read_text(encoding="utf-8")
    _, events = read_cast(done.cast)
    shown = "".join(data for _, _, data in events)
    for secret in seen["values"] | seen["keys"]:
        # As printed, and as a JSON answer of the CAS prints it (escaped quotes, backslashes).
        for form in (secret, json.dumps(secret)[1:-1]):
            assert form not in shown and json.dumps(form)[1:-1] not in raw
    assert shown.count(REDACTED) >= 2  # the value and the key
    assert '"value": "[REDACTED]"' in done.transcript
    assert "-----BEGIN CERTIFICATE-----" in done.transcript  # certificates are not secret


def test_a_failing_solution_is_an_error_that_names_the_step(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sh"
    broken.write_text("set -e\necho before\nfalse\necho after\n")
    out = tmp_path / "broken.cast"
    done = scone_course("record", "a0-alias", "--solution", broken, "-o", out, base=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "step 3 of 4 (false)" in done.stderr and "before" in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".broken.cast*"))
    no_leftovers(tmp_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "a9-nothing", "-o", "{d}/x.cast"], "unknown assignment 'a9-nothing'"),
        (["record", "a0-alias", "-o", "{d}/exists.cast"], "exists; pass --force"),
        (["record", "a0-alias", "-o", "{d}/missing/x.cast"], "does not exist"),
        (["record", "a0-alias", "-o", "/proc/x.cast"], "cannot write /proc/x.cast"),
        (
            ["record", "a0-alias", "--solution", "{d}/nope.sh", "-o", "{d}/x.cast"],
            "no such solution",
        ),
        (["record", "--all", "-o", "{d}/exists.cast"], "is not a directory"),
        (["record", "a0-alias", "--cols", "5", "-o", "{d}/x.cast"], "--cols must be between"),
        (["record", "-o", "{d}/x.cast"], "give an assignment id, --all or --live"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "exists.cast").write_text("keep me\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    done = scone_course(*[a.replace("{d}", str(tmp_path)) for a in args], base=tmp_path / "b")
    assert done.returncode == 1
    assert done.stderr.startswith("scone-course: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "b") == before
    assert (tmp_path / "exists.cast").read_text() == "keep me\n"


def test_reference_cast_records_once_then_comes_from_the_cache(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCONE_GRADER_TMP", str(tmp_path / "base"))
    cache = tmp_path / "cache"
    first = reference_cast(catalog, "a0-alias", "bash", cache_dir=cache)
    assert first.parent == cache and first.name.startswith("a0-alias.bash.")
    header, events = read_cast(first)
    assert header["version"] == 2 and any(code == "m" for _, code, _ in events)
    stamp = first.stat().st_mtime_ns
    assert reference_cast(catalog, "a0-alias", "bash", cache_dir=cache) == first
    assert first.stat().st_mtime_ns == stamp  # not recorded again
    with pytest.raises(RecordError, match="unknown assignment 'nope'"):
        reference_cast(catalog, "nope", cache_dir=cache)
