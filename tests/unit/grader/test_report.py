"""The report renderers: terminal text, JSON and JUnit XML, on hand-built results."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

import grader.report as rep
from grader import events as ev
from grader.results import CallRecord, CheckResult, GradeResult, RunRecord

ANSI = re.compile("\x1b")
CAST = "/home/learner/.cache/scone-course/casts/a4-update/2026-05-01T10-00-00/run1.cast"


def _calls(count: int, mutating: int) -> list[CallRecord]:
    return [
        CallRecord(["scone", "session", "create", f"s{i}.yaml"], 0, 0.05, mutated=i < mutating)
        for i in range(count)
    ]


def _runs() -> list[RunRecord]:
    transcript = "".join(f"step {i}: \x1b[32mok\x1b[0m\n" for i in range(50))
    return [
        RunRecord("run1", 0, 1.25, transcript, cast=CAST, calls=_calls(6, 2)),
        RunRecord("run2", 1, 0.5, "Error: session exists\n", calls=_calls(2, 1)),
        RunRecord("crash-k1", None, 0.2, "", killed_at_call=1, calls=_calls(1, 1)),
        RunRecord(
            "hang",
            None,
            60.0,
            "",
            timed_out=True,
            truncated=True,
            note="timed out after 60 s while running scone session create",
        ),
    ]


FAILED_CHECK = CheckResult(
    "idempotent",
    "Running the script twice equals running it once",
    "failed",
    message="Run 2 changed the CAS state: it created the namespace again.",
    expected="no change between run 1 and run 2",
    actual="1 mutating call in run 2: scone session create ns.yaml",
    diff="--- after run 1\n+++ after run 2\n+ sessions/<NS2>: created by <learner>\n"
    + "+ "
    + "x" * 150,
    hint="Read the session first and create it only when the read fails.",
    excerpt="\n".join(f"excerpt line {i}" for i in range(30)) + "\n\x1b[31mFAILED\x1b[0m\r\n",
    run="run2",
)


def _failed() -> GradeResult:
    checks = [
        CheckResult("run1-succeeds", "Run 1 exits with 0", "passed"),
        CheckResult("run1-changes-state", "Run 1 changes the CAS state", "passed"),
        CheckResult("run2-succeeds", "Run 2 exits with 0", "passed"),
        FAILED_CHECK,
        CheckResult(
            "matches-reference",
            "The state matches the reference",
            "failed",
            message="SECOND-MSG",
        ),
        CheckResult(
            "crash-converges", "A re-run after a crash converges", "skipped", message="run 2 failed"
        ),
    ]
    return GradeResult(
        "a4-update", "bash", checks, _runs(), submission="solution.sh", duration_s=4.5,
        script_time_s=3.0, notes=["isolation: private network namespace"],
    )  # fmt: skip


def _passed() -> GradeResult:
    checks = [CheckResult("run1-succeeds", "Run 1 exits with 0", "passed")]
    return GradeResult("a0-alias", "xonsh", checks, _runs()[:1], duration_s=1.0)


def _error() -> GradeResult:
    checks = [
        CheckResult("run1-succeeds", "Run 1 exits with 0", "passed"),
        CheckResult("idempotent", "Twice equals once", "skipped", message="the grading failed"),
    ]
    return GradeResult("a4-update", "bash", checks, [], error="the CAS did not start: port busy")


# --- terminal -------------------------------------------------------------------------


def test_first_failure_is_expanded_before_the_table() -> None:
    text = rep.render_terminal(_failed(), color=False)
    first_line = text.splitlines()[0]
    assert "✗" in first_line and "a4-update" in first_line and "bash" in first_line
    assert "score 60%" in first_line
    expanded = text.index(FAILED_CHECK.message)
    table = text.index("Checks")
    assert expanded < table
    for part in ("Expected", "no change between run 1", "Actual", "+ sessions/<NS2>", "Hint"):
        assert text.index(part) < table, part
    # Only the first failure is expanded; the second one is just a row of the table.
    assert "SECOND-MSG" not in text
    assert "matches-reference" in text[table:]


def test_excerpt_shows_the_last_lines_only() -> None:
    text = rep.render_terminal(_failed(), color=False)
    assert "FAILED" in text and "excerpt line 29" in text
    assert "excerpt line 10" not in text  # 31 lines, the last 20 shown
    assert "excerpt line 11" in text


def test_excerpt_falls_back_to_the_run_transcript() -> None:
    check = dataclasses.replace(FAILED_CHECK, excerpt=None, run="run1")
    result = dataclasses.replace(_failed(), checks=[check])
    text = rep.render_terminal(result, color=False)
    assert "step 49: ok" in text and "step 29: ok" not in text


def test_plain_rendering_has_no_escape_codes_and_fits_80_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Environment variables that make rich colour its output must not matter.
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    for result in (_failed(), _passed(), _error()):
        text = rep.render_terminal(result, color=False)
        assert not ANSI.search(text)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert text == rep.render_terminal(result, color=False)  # pure


def test_colour_rendering_uses_ansi_and_respects_width() -> None:
    text = rep.render_terminal(_failed(), color=True, width=60)
    assert ANSI.search(text)
    assert max(len(rep.plain_text(line)) for line in text.splitlines()) <= 60


def test_skipped_checks_show_their_reason() -> None:
    text = rep.render_terminal(_failed(), color=False)
    assert "skipped: run 2 failed" in text


def test_runs_are_listed_last_with_their_facts() -> None:
    text = rep.render_terminal(_failed(), color=False)
    runs = text.index("Runs")
    assert runs > text.index("Checks")
    tail = text[runs:]
    assert "exit 0" in tail and "exit 1" in tail and "6 (2 mutating)" in tail
    assert "killed after call 1" in tail and "timed out" in tail
    assert "run1.cast" in tail and str(Path(CAST).parent) in tail.replace("\n", "")
    assert "timed out after 60 s while running scone session create" in tail.replace("\n", " ")


def test_passed_result_says_so() -> None:
    text = rep.render_terminal(_passed(), color=False)
    assert text.startswith("✓ PASSED")
    assert "Every check passed" in text


def test_error_result_is_not_the_learners_fault() -> None:
    text = rep.render_terminal(_error(), color=False)
    assert text.startswith("! ERROR")
    flat = " ".join(text.replace("│", " ").split())
    assert "the grader or its sandbox failed; your script was not judged" in flat
    assert "the CAS did not start: port busy" in flat
    assert "not scored" in text


def test_learner_text_is_not_rich_markup() -> None:
    check = dataclasses.replace(FAILED_CHECK, message="printed [bold]x[/bold] and :smile:")
    result = dataclasses.replace(_failed(), checks=[check])
    assert "printed [bold]x[/bold] and :smile:" in rep.render_terminal(result, color=True)


def test_plain_text_strips_ansi_and_keeps_the_last_redraw() -> None:
    raw = "\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok\r\n 10%\r 50%\r100%\n\x07bell\x9b2K"
    assert rep.plain_text(raw) == "red ok\n100%\nbell"


def test_progress_lines() -> None:
    result = _failed()
    assert (
        rep.progress_line(ev.PhaseStarted("prerequisites", "a0-alias"))
        == "▸ prerequisites: a0-alias"
    )
    assert rep.progress_line(ev.RunStarted("run1")) == "  run1 …"
    assert rep.progress_line(ev.OutputChunk("run1", "text")) is None
    assert rep.progress_line(ev.RunFinished(result.runs[1])) == (
        "  run2: exit 1 in 0.5 s, 2 scone calls (1 mutating)"
    )
    line = rep.progress_line(ev.CheckFinished(FAILED_CHECK))
    assert line == f"  ✗ idempotent: {FAILED_CHECK.message}"
    assert rep.progress_line(ev.GradingFinished(result)) == "✗ failed, score 60%"
    assert rep.progress_line(ev.GradingFinished(_error())) == "! error"


# --- JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("make", [_failed, _passed, _error])
def test_json_round_trip_keeps_the_key_order(make: Callable[[], GradeResult]) -> None:
    result = make()
    text = rep.to_json(result)
    assert json.loads(text) == result.to_dict()
    assert list(json.loads(text)) == list(result.to_dict())
    assert text.endswith("\n") and "  " in text


def test_json_with_an_undecodable_byte_still_round_trips(tmp_path: Path) -> None:
    run = RunRecord("run1", 0, 0.1, "bad \udcff byte ✓")
    result = dataclasses.replace(_passed(), runs=[run])
    path = rep.write_json(result, tmp_path / "result.json")
    assert json.loads(path.read_text(encoding="utf-8")) == result.to_dict()


def test_write_json_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("old", encoding="utf-8")
    rep.write_json(_failed(), target)
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"] == "failed"
    assert os.listdir(tmp_path) == ["result.json"]  # no temporary file left behind


# --- JUnit ----------------------------------------------------------------------------


def _suite(xml: str) -> ET.Element:
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def test_junit_counts_and_cases() -> None:
    suite = _suite(rep.to_junit(_failed()))
    assert suite.get("name") == "scone-course.a4-update.bash"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "2", "0")
    assert suite.get("skipped") == "1" and suite.get("time") == "4.500"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [c.id for c in _failed().checks]
    assert {c.get("classname") for c in cases} == {"a4-update"}
    failures = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == ["idempotent", "matches-reference"]
    failure = failures[0].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message") == FAILED_CHECK.message
    for part in ("Expected: no change", "Actual: 1 mutating call", "<NS2>", "Hint: Read"):
        assert part in failure.text
    skipped = cases[-1].find("skipped")
    assert skipped is not None and skipped.get("message") == "run 2 failed"
    out = suite.findtext("system-out") or ""
    assert "run1: exit 0" in out and "cast " + CAST in out and "killed after call 1" in out


def test_junit_grading_error_is_an_error_case() -> None:
    suite = _suite(rep.to_junit(_error()))
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("3", "1", "0")
    error = suite.find("testcase[@name='grading']/error")
    assert error is not None and error.get("message") == "the CAS did not start: port busy"


def test_junit_check_error_maps_to_error_element() -> None:
    check = CheckResult("probe-reader", "Another identity cannot read", "error", message="boom")
    result = dataclasses.replace(_passed(), checks=[check])
    suite = _suite(rep.to_junit(result))
    assert suite.get("errors") == "1"
    assert suite.find("testcase/error") is not None


def test_junit_strips_ansi_and_characters_xml_cannot_hold(tmp_path: Path) -> None:
    nasty = "red \x1b[31mtext\x1b[0m nul\x00 bell\x07 ff\x0c esc\x1b[2Kok lone\udcff end\ufffe"
    check = dataclasses.replace(FAILED_CHECK, message=nasty, excerpt=nasty, diff=nasty)
    result = dataclasses.replace(_failed(), checks=[check], notes=[nasty])
    xml = rep.to_junit(result)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe]", xml)
    suite = _suite(xml)
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "red text nul bell ff escok lone end"
    path = rep.write_junit(result, tmp_path / "junit.xml")
    ET.parse(path)  # the file, as written, parses too
