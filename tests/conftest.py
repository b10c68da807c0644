"""Shared fixtures: real CAS processes on private loopback addresses, course shells."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localcas.instance import CasInstance
from tests.helpers import Shell, make_shell

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CasInstance]:
    """A CAS shared by the tests of one module (each test uses its own identities)."""
    db = tmp_path_factory.mktemp("cas") / "cas.db"
    instance = CasInstance(db).start()
    yield instance
    instance.stop()


@pytest.fixture
def shell(tmp_path: Path, cas: CasInstance) -> Shell:
    """A course environment with a brand-new identity (its own HOME)."""
    home = tmp_path / "home"
    home.mkdir()
    return make_shell(home, cas)
