"""The package boundaries of architecture §2, enforced on the source and at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"localcas", "grader", "course"}
FORBIDDEN = {
    "localcas": {"grader", "course", "textual"},
    "grader": {"course", "textual"},
}


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_source_imports_respect_boundaries() -> None:
    for package, forbidden in FORBIDDEN.items():
        bad = {m: files for m, files in _imports(package).items() if m in forbidden}
        assert not bad, f"{package} must not import {sorted(bad)}: {bad}"


def test_importing_grader_loads_no_textual_or_course() -> None:
    code = (
        "import sys, grader, localcas, localcas.cli.app, localcas.server.main;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'course'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


def test_cli_start_up_imports_stay_lean() -> None:
    # `scone session read` runs many times per script: no YAML, no cryptography, no httpx.
    code = (
        "import sys; from localcas.cli.app import build_parser; build_parser();"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'yaml', 'cryptography', 'httpx', 'OpenSSL'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"
