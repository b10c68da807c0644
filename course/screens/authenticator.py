"""Provides :class:`AuthenticatorScreen`: the course's virtual authenticator in the TUI.

Scan a QR code by giving its file (``qrcode.svg`` that otpqr wrote), an ``otpauth://``
URI or a base32 secret; the account is kept (:class:`course.authenticator.AccountStore`)
and its current code shown with the seconds it stays valid, refreshed every second.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from course.authenticator import AccountStore
from course.otp import OtpError, current_code, load, read_account

__all__ = ["AuthenticatorScreen", "newest_qr_code"]


def newest_qr_code(directory: Path) -> Path | None:
    """The most recently written ``*.svg`` in ``directory`` (what the learner just made)."""
    try:
        found = [p for p in directory.glob("*.svg") if p.is_file()]
    except OSError:
        return None
    return max(found, key=lambda p: p.stat().st_mtime_ns, default=None)


class AuthenticatorScreen(ModalScreen[None]):
    """Scanned accounts and their current codes; scan more, or forget one."""

    DEFAULT_CSS = """
    AuthenticatorScreen { align: center middle; }
    AuthenticatorScreen > Vertical {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    AuthenticatorScreen #auth-title { text-style: bold; margin: 1 0 0 0; }
    AuthenticatorScreen #auth-help { color: $text-muted; margin: 0 0 1 0; }
    AuthenticatorScreen DataTable { height: auto; max-height: 12; margin: 1 0 0 0; }
    AuthenticatorScreen #auth-status { height: auto; margin: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="auth.close"),
        # In the account list (tab there): the file-name field keeps its own keys.
        Binding("d,delete", "forget", "Forget account", id="auth.forget"),
    ]

    def __init__(self, store: AccountStore, directory: Path, home: Path) -> None:
        """Creates the panel.

        Args:
            store: Where scanned accounts are kept.
            directory: The open assignment's directory; relative file names start there.
            home: The course HOME, for ``~`` in file names.
        """
        super().__init__()
        self.store, self.directory, self.home = store, directory, home

    def compose(self) -> ComposeResult:
        qr = newest_qr_code(self.directory)
        with Vertical():
            yield Static("Authenticator", id="auth-title")
            yield Static(
                "Scan: a QR-code file (relative to this assignment's directory), an"
                " otpauth:// URI or a base32 secret, then Enter. Scanned accounts are kept,"
                " so the QR code can be shredded; tab to the list and d forgets one.",
                id="auth-help",
            )
            yield Input(
                value=qr.name if qr is not None else "",
                placeholder="file name, e.g. qrcode.svg",
                id="auth-source",
            )
            table: DataTable[str] = DataTable(id="auth-accounts", cursor_type="row")
            table.add_columns("#", "account", "code", "valid for")
            yield table
            yield Static(id="auth-status")
            yield Footer()

    def on_mount(self) -> None:
        self.refresh_codes()
        self.set_interval(1.0, self.refresh_codes)
        self.query_one(Input).focus()

    def _say(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#auth-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    def refresh_codes(self) -> None:
        """Redraws every account's current code (called each second)."""
        table = self.query_one(DataTable)
        try:
            accounts = self.store.accounts()
        except OtpError as err:
            self._say(str(err), problem=True)
            return
        row = table.cursor_row
        table.clear()
        now = time.time()
        for number, account in enumerate(accounts, 1):
            code = current_code(account, now)
            name = account.label or "(no name)"
            if account.issuer:
                name += f" ({account.issuer})"
            shown = f"{code.code[:3]} {code.code[3:]}"
            table.add_row(str(number), name, shown, f"{code.seconds_left:2d} s")
        if accounts:
            table.move_cursor(row=min(row, len(accounts) - 1))
        elif not str(self.query_one("#auth-status", Static).content):
            self._say("No account yet: scan a QR code.")

    def _resolve(self, source: str) -> str:
        if source.startswith("otpauth://"):
            return source
        if source.startswith("~/"):
            source = str(self.home / source[2:])
        path = Path(source)
        if not path.is_absolute() and (self.directory / path).exists():
            source = str(self.directory / path)
        return load(source)

    @on(Input.Submitted, "#auth-source")
    def _scan(self, event: Input.Submitted) -> None:
        source = event.value.strip()
        if not source:
            self._say("Give a QR-code file, an otpauth:// URI or a secret.", problem=True)
            return
        try:
            account = read_account(self._resolve(source))
            added = self.store.add(account)
        except OtpError as err:
            self._say(f"Cannot scan {source}: {err}", problem=True)
            return
        name = account.label or "the account"
        self._say(f"Added {name}." if added else f"{name} is kept already.")
        event.input.value = ""
        self.refresh_codes()

    def action_forget(self) -> None:
        """Forgets the highlighted account: its secret is gone, as with a lost phone."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        try:
            gone = self.store.forget(table.cursor_row)
        except OtpError as err:
            self._say(str(err), problem=True)
            return
        self._say(f"Forgot {gone.label or 'the account'}: its codes are gone with it.")
        self.refresh_codes()

    def action_close(self) -> None:
        """Back to the course."""
        self.dismiss(None)
