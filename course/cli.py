"""Provides `scone-course`: the learner's (and the course author's) entry point.

`scone-course` (and `make course`) opens the course TUI, which starts the workspace CAS.
Subcommands: ``shell`` (a course shell without the TUI), ``check ID``,
``cas status|start|stop``, ``dev check``, ``record`` (screencasts), ``otp`` (the
virtual authenticator).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from course.errors import CourseError
from course.recording.cli import add_record_parser, run_record
from course.shell import shell_command
from course.workspace import Workspace, default_workspace
from grader.errors import GraderError

__all__ = ["main"]


def _course_root() -> Path:
    env = os.environ.get("SCONE_COURSE_ROOT")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwind, so sandboxes stop their CAS and remove their trees


def _needs_terminal(what: str) -> int | None:
    if sys.stdin.isatty() and sys.stderr.isatty():
        return None
    print(f"scone-course: {what} needs a terminal (stdin or stderr is not a TTY).", file=sys.stderr)
    return 2


def _shell(ws: Workspace, shell: str | None) -> int:
    if (refused := _needs_terminal("a course shell")) is not None:
        return refused
    ws.start_cas()
    argv, env = shell_command(ws, shell=shell or ws.preferred_shell())
    return subprocess.call(argv, cwd=ws.home / "course", env=env)


def _tui(ws: Workspace) -> int:
    if (refused := _needs_terminal("the course app")) is not None:
        return refused
    from grader.catalog import Catalog

    catalog = Catalog.load(_course_root())
    ws.ensure(catalog)
    from course.app import make_app  # Textual costs ~0.4 s: only the TUI pays for it

    app = make_app(ws, catalog)
    app.run()
    return app.return_code or 0


def _check(ws: Workspace, args: argparse.Namespace) -> int:
    from grader.catalog import Catalog
    from grader.plan import GradeOptions, grade
    from grader.report import progress_line, render_terminal, write_json

    catalog = Catalog.load(_course_root())
    assignment = catalog.get(args.assignment)
    shell = args.shell or ws.preferred_shell()
    script = ws.script(assignment.id, shell)
    if not script.is_file():
        raise CourseError(f"no script at {script}; start from the starter (scone-course shell)")

    def progress(event: object) -> None:
        line = progress_line(event)  # type: ignore[arg-type]
        if line and not args.quiet:
            print(line, file=sys.stderr, flush=True)

    result = grade(catalog, assignment.id, script, GradeOptions(shell=shell, sink=progress))
    ws.record_result(result)
    sys.stdout.write(render_terminal(result, color=sys.stdout.isatty()))
    if args.json:
        write_json(result, args.json)
    return {"passed": 0, "failed": 1, "error": 2}[result.verdict]


def _otp(args: argparse.Namespace, ws: Workspace) -> int:
    """`scone-course otp [SOURCE]`: the virtual authenticator (course/otp.py).

    With SOURCE it "scans": the account is kept (as an authenticator app keeps it, so the
    QR code can be shredded) and its code shown; without, the codes of every kept account.
    """
    import time

    from course.authenticator import AccountStore
    from course.otp import Account, current_code, load, read_account

    store = AccountStore(ws.authenticator_path)
    if args.forget is not None:
        gone = store.forget(args.forget - 1)
        print(f"forgot {gone.label or 'the account'}: its codes are gone with it")
        return 0
    accounts: list[Account]
    if args.source is None:
        accounts = store.accounts()
        if not accounts:
            raise CourseError("no account kept yet: scan one with `scone-course otp qrcode.svg`")
    else:
        account = read_account(load(args.source))
        if store.add(account):
            print(f"kept {account.label or 'the account'} in your authenticator", file=sys.stderr)
        accounts = [account]
    shown: dict[int, str] = {}
    while True:
        for number, account in enumerate(accounts, 1):
            now = current_code(account)
            if now.code != shown.get(number):
                name = account.label or account.issuer or "account"
                print(f"{now.code}  ({now.seconds_left} s left)  {name}", flush=True)
                shown[number] = now.code
        if not args.watch:
            return 0
        try:
            time.sleep(1)
        except KeyboardInterrupt:
            return 0


def _dev_check(args: argparse.Namespace) -> int:
    import tempfile

    from course.devcheck import dev_check
    from grader.catalog import Catalog

    root = args.course or _course_root()
    catalog = Catalog.load(root)
    unknown = sorted(set(args.assignments or ()) - set(catalog.assignments))
    if unknown:
        print(
            f"scone-course: no assignment {', '.join(unknown)} in"
            f" {root / 'assignments/course.yaml'}; see its ids there",
            file=sys.stderr,
        )
        return 2

    def report(finding: object) -> None:
        ok, subject, message = finding.ok, finding.subject, finding.message  # type: ignore[attr-defined]
        print(f"{'✓' if ok else '✗'} {subject}: {message}", flush=True)

    with tempfile.TemporaryDirectory(prefix="scone-devcheck-") as cache:
        findings = dev_check(
            catalog,
            broken_root=args.broken or root / "tests/data/broken",
            jobs=args.jobs,
            report=report,
            cache=Path(cache),
            only=None if args.assignments is None else set(args.assignments),
        )
    bad = [f for f in findings if not f.ok]
    print(f"{len(findings) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scone-course", description="The SCONE tutorial course")
    parser.add_argument(
        "--workspace",
        type=Path,
        help="workspace directory (default ~/scone-course or $SCONE_COURSE_WORKSPACE)",
    )
    verbs = parser.add_subparsers(dest="verb")
    shell = verbs.add_parser("shell", help="open a course shell without the TUI")
    shell.add_argument(
        "--shell", choices=["bash", "xonsh"], help="default: your preferred shell (bash)"
    )
    check = verbs.add_parser("check", help="grade your script for one assignment")
    check.add_argument("assignment", help="assignment id, e.g. a2-namespace")
    check.add_argument("--shell", choices=["bash", "xonsh"])
    check.add_argument("--json", type=Path, help="also write the result as JSON")
    check.add_argument("--quiet", action="store_true", help="no progress lines")
    otp = verbs.add_parser(
        "otp", help="virtual authenticator: scan a QR code (kept), show the current codes"
    )
    otp.add_argument(
        "source",
        nargs="?",
        help="qrcode.svg written by otpqr, an otpauth:// URI, or a secret (default: every"
        " account kept so far)",
    )
    otp.add_argument("--forget", type=int, metavar="N", help="forget kept account number N")
    otp.add_argument("--watch", action="store_true", help="show each new code until Ctrl-C")
    cas = verbs.add_parser("cas", help="control the workspace CAS")
    cas.add_argument("action", choices=["status", "start", "stop"])
    dev = verbs.add_parser("dev", help="tools for course authors")
    dev_verbs = dev.add_subparsers(dest="dev_verb", required=True)
    gate = dev_verbs.add_parser("check", help="the authors' quality gate")
    gate.add_argument("--course", type=Path, help="course directory (default: this repository)")
    gate.add_argument("--broken", type=Path, help="broken variants (default: tests/data/broken)")
    gate.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    gate.add_argument(
        "--assignments",
        nargs="+",
        metavar="ID",
        help="grade only these assignments (the static checks still cover the whole course)",
    )
    add_record_parser(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs `scone-course`."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.verb == "dev":
            return _dev_check(args)
        if args.verb == "record":
            workspace = (args.workspace or default_workspace()).expanduser()
            return run_record(args, _course_root(), workspace)
        ws = Workspace((args.workspace or default_workspace()).expanduser())
        if args.verb is None:
            return _tui(ws)  # it loads the course once and copies the starters itself
        ws.ensure()
        if args.verb == "otp":
            return _otp(args, ws)
        if args.verb == "cas":
            if args.action == "status":
                running = ws.cas_running()
                state = "running" if running else "not running"
                print(
                    f"workspace CAS on {ws.cas_address}: {state} (database {ws.cas_dir / 'cas.db'})"
                )
                return 0 if running else 3
            if args.action == "start":
                print(f"workspace CAS running on {ws.start_cas()}")
                return 0
            print("workspace CAS stopped" if ws.stop_cas() else "workspace CAS was not running")
            return 0
        if args.verb == "check":
            return _check(ws, args)
        return _shell(ws, args.shell)
    except (CourseError, GraderError) as err:
        print(f"scone-course: {err}", file=sys.stderr)
        return 1 if isinstance(err, CourseError) else 2
    except KeyboardInterrupt:
        print("scone-course: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
