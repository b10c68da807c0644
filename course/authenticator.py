"""Provides :class:`AccountStore`: the accounts the course's virtual authenticator keeps.

An authenticator app keeps an account once its QR code is scanned; that is why the course
can tell learners to shred the QR code right after scanning it. The TUI's authenticator
panel (and ``scone-course otp --add``) do the same: the account goes into
``authenticator.json`` in the workspace, readable by the learner only, and the codes come
from there. Losing it on purpose (``forget``) is how Section 2 practises the lost
authenticator.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from course.otp import Account, OtpError

__all__ = ["AccountStore"]


class AccountStore:
    """The scanned accounts of one workspace, in the order they were scanned."""

    def __init__(self, path: Path) -> None:
        """Uses the store at ``path`` (created on the first :meth:`add`)."""
        self.path = path

    def accounts(self) -> list[Account]:
        """The stored accounts; an unreadable store is an error, never silently empty.

        Raises:
            OtpError: the file exists but is not a store (the message names it).
        """
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as err:
            fix = "move it aside to start afresh"
            raise OtpError(f"cannot read {self.path}: {err}; {fix}") from err
        if not isinstance(data, list):
            raise OtpError(f"{self.path} is not an account list; move it aside to start afresh")
        return [
            Account(
                secret=str(item["secret"]),
                issuer=str(item.get("issuer", "")),
                label=str(item.get("label", "")),
                period=int(item.get("period", 30)),
            )
            for item in data
            if isinstance(item, dict) and "secret" in item
        ]

    def add(self, account: Account) -> bool:
        """Keeps ``account``; False (and nothing written) when its secret is kept already."""
        accounts = self.accounts()
        if any(kept.secret == account.secret for kept in accounts):
            return False
        self._write([*accounts, account])
        return True

    def forget(self, index: int) -> Account:
        """Removes and returns the account at ``index`` (its secret is gone for good).

        Raises:
            OtpError: no account at ``index``.
        """
        accounts = self.accounts()
        if not 0 <= index < len(accounts):
            raise OtpError(f"there is no account number {index + 1}")
        gone = accounts.pop(index)
        self._write(accounts)
        return gone

    def _write(self, accounts: list[Account]) -> None:
        # Secrets: mode 0600 from the first byte, and a whole file or none (temp + rename).
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".authenticator-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump([asdict(a) for a in accounts], out, indent=2)
                out.write("\n")
            os.replace(name, self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
