"""The virtual authenticator's account store: kept, deduplicated, private, and loud when
its file is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.authenticator import AccountStore
from course.otp import Account, OtpError

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def test_accounts_are_kept_once_in_scan_order(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "ws" / "authenticator.json")
    assert store.accounts() == []
    assert store.add(Account(SECRET, "otpqr", "otpqr:me"))
    assert not store.add(Account(SECRET, "other", "same secret"))
    assert store.add(Account("GEZDGNBVGY3TQOJQGEZDGNBV", "b", "b:me"))
    assert [a.label for a in AccountStore(store.path).accounts()] == ["otpqr:me", "b:me"]
    assert store.path.stat().st_mode & 0o777 == 0o600
    assert store.forget(0).secret == SECRET
    assert [a.label for a in store.accounts()] == ["b:me"]
    with pytest.raises(OtpError, match="no account number 5"):
        store.forget(4)


def test_a_broken_store_is_an_error_and_stays_untouched(tmp_path: Path) -> None:
    path = tmp_path / "authenticator.json"
    path.write_text("{not json", encoding="utf-8")
    store = AccountStore(path)
    with pytest.raises(OtpError, match="move it aside"):
        store.accounts()
    with pytest.raises(OtpError):
        store.add(Account(SECRET))
    assert path.read_text(encoding="utf-8") == "{not json"
    assert [p.name for p in tmp_path.iterdir()] == ["authenticator.json"], "no temp file left"
