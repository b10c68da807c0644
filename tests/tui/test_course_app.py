"""Pilot tests of the course TUI: navigation, a real Check, hints, solution rules, reset,
watch, replay and progress that survives a restart.

The Checks here run the real grader (its own CAS per sandbox) on the fixture course.
"""

from __future__ import annotations

import io
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual import _tree_sitter
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from course.app import CourseApp, make_app
from course.authenticator import AccountStore
from course.dialogs.confirm import ConfirmDialog
from course.dialogs.report import ReportDialog
from course.otp import current_code, read_account
from course.screens.authenticator import AuthenticatorScreen
from course.screens.course import CourseScreen
from course.screens.solution import SolutionScreen
from course.workspace import Workspace
from grader.catalog import Catalog
from localcas.runtime.otpqr import _svg, otpauth_uri
from tests.tui.conftest import put_reference

pytestmark = pytest.mark.slow

SIZE = (100, 30)
RANDOM_NAME = """\
#!/usr/bin/env bash
# Broken on purpose: a new namespace on every run.
set -euo pipefail
scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }
NS="fixture-$RANDOM$RANDOM"
echo "export NS=\\"$NS\\"" > state.env
printf 'name: $NS\\nversion: "0.3"\\n' > session.yml
scone session create -e NS="$NS" session.yml
echo OK.
"""


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (Rich renderables rendered, 200 columns wide)."""
    content = widget.content
    if isinstance(content, str | Text):
        return str(content)
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(content)
    return captured.get()


def course_screen(app: CourseApp) -> CourseScreen:
    screen = app.screen
    assert isinstance(screen, CourseScreen), type(screen)
    return screen


async def settle(pilot: Pilot[None]) -> None:
    """Waits until every worker (a Check, a reset) is done and the UI caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def progress(ws: Workspace) -> dict[str, Any]:
    return ws.progress()


async def test_opens_first_assignment_and_steps_through_the_course(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        assert screen.current.id == "t0-attest"
        assert screen.tabs.active == "lesson"
        labels = [str(leaf.label) for leaf in screen.sidebar._leaves()]
        assert labels == ["○ t0-attest Attest the CAS", "○ t1-namespace A namespace of your own"]
        await pilot.press("n")
        assert screen.current.id == "t1-namespace"
        await pilot.press("n")  # the last one: stays
        assert screen.current.id == "t1-namespace"
        await pilot.press("p")
        assert screen.current.id == "t0-attest"
        await pilot.press("2")
        assert screen.tabs.active == "script"
        await pilot.pause()
        assert screen.editor.text_area.text.startswith("#!/usr/bin/env bash\n# Starter: attest")
        # The outline: down to the second assignment, and Enter chooses it.
        screen.sidebar.outline.focus()
        await pilot.press("down", "down", "enter")  # past the heading of Section 2
        await pilot.pause()
        assert screen.current.id == "t1-namespace"
        assert screen.tabs.active == "lesson"


async def test_editor_saves_to_the_workspace(workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("e")
        await pilot.pause()
        assert screen.editor.text_area.has_focus
        screen.editor.text_area.load_text("echo edited\n")
        assert screen.editor.dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert workspace.script("t0-attest", "bash").read_text() == "echo edited\n"
        assert not screen.editor.dirty
        # Unsaved edits are saved before the app quits.
        screen.editor.text_area.load_text("echo unsaved\n")
        await pilot.press("ctrl+q")
    assert workspace.script("t0-attest", "bash").read_text() == "echo unsaved\n"


async def test_check_of_a_correct_script_passes_and_is_remembered(
    workspace: Workspace, catalog: Catalog
) -> None:
    put_reference(workspace, catalog, "t1-namespace")
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("n", "c")
        assert screen.results.running
        assert screen.tabs.active == "results-tab"
        await settle(pilot)
        assert not screen.results.running
        verdict = text_of(screen.results.verdict)
        assert "PASSED" in verdict, verdict
        streamed = "\n".join(text_of(w) for w in screen.results.query(Static))
        for check in ("run1-succeeds", "idempotent", "crash-converges", "other-cannot-read"):
            assert check in streamed, streamed
        assert screen.sidebar.statuses["t1-namespace"] == "passed"
        assert "1 of 2 passed" in text_of(screen.sidebar.query_one("#progress-label", Static))
        # Every run of the Check can be replayed.
        await pilot.press("4")
        await pilot.pause()
        assert screen.replay.playback is not None
        assert screen.replay.playback.recording.markers, "a run with scone calls has markers"
        await pilot.press("right_square_bracket")
        assert screen.replay.playback.position > 0
    entry = progress(workspace)["t1-namespace"]
    assert entry["passed"] is True and entry["attempts"] == 1
    assert Path(str(entry["last_result"])).is_file()


async def test_check_of_a_broken_script_expands_the_first_failure(
    workspace: Workspace, catalog: Catalog
) -> None:
    workspace.script("t1-namespace", "bash").write_text(RANDOM_NAME, encoding="utf-8")
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("n", "c")
        await settle(pilot)
        assert "FAILED" in text_of(screen.results.verdict)
        open_boxes = [box for box in screen.results._details.values() if not box.collapsed]
        assert [box.id for box in open_boxes] == ["check-idempotent"]
        details = "\n".join(text_of(w) for w in open_boxes[0].query(Static))
        assert "fixture-" in details, "the diff names the second namespace"
        assert screen.sidebar.statuses["t1-namespace"] == "failed"
    assert progress(workspace)["t1-namespace"]["last_verdict"] == "failed"


async def test_hints_are_revealed_one_at_a_time_and_recorded(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("n")
        assert screen.hints_seen() == 0
        await pilot.press("h")
        await pilot.pause()
        assert screen.hints_seen() == 1
        shown = screen.lesson_view.query("Markdown")
        text = "\n".join(str(getattr(m, "source", "")) for m in shown)
        assert "make up a name only when" in text
        assert "before `scone session create`" not in text, "hint 2 is not shown yet"
        await pilot.press("h", "h")
        await pilot.pause()
        assert screen.hints_seen() == 3
        await pilot.press("h")  # nothing more to reveal
        await pilot.pause()
        assert screen.hints_seen() == 3
        assert screen.sidebar.statuses["t1-namespace"] == "in progress"
    entry = progress(workspace)["t1-namespace"]
    assert entry["hints"] == 3
    assert [h["level"] for h in entry["hint_log"]] == [1, 2, 3]


async def test_solution_needs_a_confirmation_before_passing(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # not yet: nothing shown, nothing recorded
        await pilot.pause()
        assert isinstance(app.screen, CourseScreen)
        assert "solution" not in progress(workspace).get("t0-attest", {})
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SolutionScreen)
        diff = text_of(app.screen.query_one("#solution-diff", Static))
        assert "scone cas show-certificate > cas_cert.crt" in diff
        await pilot.press("escape")
        await pilot.pause()
        # Once seen, no second question.
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SolutionScreen)
    seen = progress(workspace)["t0-attest"]["solution"]
    assert seen["before_passing"] is True and seen["views"] == 2


async def test_solution_after_passing_needs_no_confirmation(
    workspace: Workspace, catalog: Catalog
) -> None:
    put_reference(workspace, catalog, "t0-attest")
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
        assert "PASSED" in text_of(course_screen(app).results.verdict)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SolutionScreen)
    seen = progress(workspace)["t0-attest"]["solution"]
    assert seen["before_passing"] is False


async def test_reset_restores_the_starter_and_the_practice_cas(
    workspace: Workspace, catalog: Catalog
) -> None:
    script = workspace.script("t1-namespace", "bash")
    script.write_text("echo my work\n", encoding="utf-8")
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ReportDialog), "the reset says what it did"
        said = "\n".join(text_of(w) for w in app.screen.query(Static))
        assert "Replayed the reference of t0-attest" in said, said
        screen = app.screen_stack[-2]
        assert isinstance(screen, CourseScreen)
        assert screen.editor.text_area.text == script.read_text()
    starter = catalog.get("t1-namespace").starter("bash").read_text()
    assert script.read_text() == starter
    backups = list(script.parent.glob("solution.sh.bak-*"))
    assert [b.read_text() for b in backups] == ["echo my work\n"]
    assert workspace.cas_running()
    # The prerequisite's reference ran against the fresh CAS: the learner's HOME attested it.
    assert (workspace.home / "course" / "t0-attest" / "cas_cert.crt").is_file()
    assert not list((workspace.home / "course").rglob("solution.sh.*scone-reset*"))
    assert progress(workspace)["t1-namespace"]["resets"][0]["backup"] == str(backups[0])


async def test_watch_rechecks_when_the_script_changes_on_disk(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("w")
        assert screen.watching
        script = workspace.script("t0-attest", "bash")
        script.write_text("echo changed elsewhere\n", encoding="utf-8")
        stat = script.stat()
        os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        for _ in range(50):  # the watch polls the file's mtime twice a second
            await pilot.pause(0.1)
            if screen.results.running:
                break
        assert screen.results.running, "a save started a Check"
        await settle(pilot)
        assert screen.editor.text_area.text == "echo changed elsewhere\n"
        assert "FAILED" in text_of(screen.results.verdict)
    assert workspace.preference("watch") is True


async def test_the_app_resumes_where_the_learner_left_off(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "h", "w")
        await pilot.pause()
    again = make_app(workspace, catalog, start_cas=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(again)
        assert screen.current.id == "t1-namespace"
        assert screen.hints_seen() == 1
        assert screen.watching
        assert screen.sidebar.statuses["t1-namespace"] == "in progress"


async def test_x_switches_between_bash_and_xonsh(workspace: Workspace, catalog: Catalog) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("2", "x")
        await pilot.pause()
        assert screen.shell == "xonsh"
        assert screen.tabs.active == "script", "the learner stays where they were"
        assert screen.editor.path == workspace.script("t0-attest", "xonsh")
        assert screen.editor.text_area.language == "python"
        # Highlighting needs tree-sitter and its grammars (pinned dependencies); without
        # them Textual shows plain text and says nothing.
        assert _tree_sitter.get_language("python") is not None
        assert _tree_sitter.get_language("bash") is not None
        await pilot.press("x")
        await pilot.pause()
        assert screen.shell == "bash"
        assert screen.editor.text_area.language == "bash"
    assert workspace.preferred_shell() == "bash"


async def test_a_practice_cas_that_cannot_start_is_a_clear_message(
    workspace: Workspace, catalog: Catalog
) -> None:
    # Another program holds the workspace CAS's address and port first.
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind((workspace.cas_address, 8081))
    squatter.listen()
    try:
        app = make_app(workspace, catalog, start_cas=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ReportDialog)
            said = "\n".join(text_of(w) for w in app.screen.query(Static))
            assert "The practice CAS did not start" in said
            assert "scone-course cas start" in said, "the message says what to do"
            assert "Traceback" not in said
            assert "CAS down" in str(app.screen_stack[-2].sub_title)
    finally:
        squatter.close()
    assert not workspace.cas_running()


async def test_reference_screencast_follows_the_solution_rule_and_plays(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = course_screen(app)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "a screencast shows the solution"
        await pilot.press("y")
        await settle(pilot)
        assert screen.tabs.active == "replay"
        playback = screen.replay.playback
        assert playback is not None
        assert playback.recording.markers, "one marker per step of the reference"
        await pilot.press("end")
        await pilot.pause()
        shown = text_of(screen.replay.query_one("#replay-screen", Static))
        assert "scone cas show-certificate" in shown, shown
    assert progress(workspace)["t0-attest"]["solution"]["before_passing"] is True
    assert list((workspace.root / "screencasts").glob("t0-attest.bash.*.cast"))


async def test_authenticator_scans_a_qr_code_keeps_it_and_forgets_it(
    workspace: Workspace, catalog: Catalog
) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
    uri = otpauth_uri(secret, "learner", "otpqr")
    directory = workspace.home / "course" / "t0-attest"
    (directory / "qrcode.svg").write_bytes(_svg(uri))  # what otpqr writes
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuthenticatorScreen)
        source = screen.query_one(Input)
        assert source.value == "qrcode.svg", "the QR code just written is offered"
        await pilot.press("enter")
        await pilot.pause()
        (directory / "qrcode.svg").unlink()  # shredded after scanning, as the lesson says
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        row = table.get_row_at(0)
        expected = current_code(read_account(uri))
        assert str(row[1]) == "otpqr:learner (otpqr)"
        assert str(row[2]).replace(" ", "") in {
            expected.code,
            current_code(read_account(uri), time.time()).code,  # a step may have passed
        }
        # A second scan of the same account keeps one copy; a bad source is one line.
        source.value = "no-such.svg"
        await pilot.press("enter")
        await pilot.pause()
        assert "no such file" in text_of(screen.query_one("#auth-status", Static))
        await pilot.press("d")  # in the file-name field: just a letter
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("tab", "d")
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CourseScreen)
    assert AccountStore(workspace.authenticator_path).accounts() == []
    assert workspace.authenticator_path.stat().st_mode & 0o077 == 0, "secrets: owner only"


async def test_keys_lists_every_course_key_from_the_bindings(
    workspace: Workspace, catalog: Catalog
) -> None:
    app = make_app(workspace, catalog, start_cas=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, ReportDialog)
        said = [text_of(w) for w in app.screen.query(Static)]
        for line in ("c or ctrl+r — Check", "a — Authenticator", "Script tab: ctrl+s — Save"):
            assert f"• {line}" in said, said
        assert "• Replay tab: ] — Next marker" in said, said
        await pilot.press("escape", "f1")
        await pilot.pause()
        assert isinstance(app.screen, ReportDialog), "f1 opens the same list"
