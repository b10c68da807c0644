"""Probes for the OTP section: `docker` and `solution` exist, and `restore: true` leaves no
trace in the sandbox (CAS and HOME), with a real sandbox CAS."""

from __future__ import annotations

from pathlib import Path

from grader.catalog import Catalog, CheckSpec
from grader.probes import run_probe
from grader.sandbox import Sandbox
from grader.state import take_snapshot

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """\
echo "$@" > args.txt
"""
ATTEST = """\
scone cas attest -G --only_for_testing-ignore-signer --only_for_testing-debug \
  --mrenclave "$(curl -fsS "$SCONE_CAS_PAGE" | grep -oE '[0-9a-f]{64}' | head -n1)" \
  "$SCONE_CAS_ADDR" > /dev/null
"""
PROBE = (
    """\
solution one two
cat args.txt
docker run --rm -e SCONE_HASH=1 otpqr:scone /bin/otpqr | wc -c
printf 'name: probe-ns\\nversion: "0.3"\\n' > ns.yml
"""
    + ATTEST
    + """\
scone session create ns.yml > /dev/null && echo created
rm -f keep.txt
"""
)


def test_restore_puts_cas_and_home_back(tmp_path: Path) -> None:
    catalog = Catalog.load(ROOT)
    with Sandbox(catalog, base=tmp_path) as sandbox:
        work = sandbox.workdir("otp1-once")
        (work / "solution.sh").write_text(SCRIPT)
        (work / "keep.txt").write_text("still here")
        before = take_snapshot(sandbox.db, {})
        spec = CheckSpec("p", "probe", "t", None, {"run": PROBE, "restore": True})
        outcome = run_probe(sandbox, "otp1-once", spec)
        assert outcome.exit_code == 0, outcome.output
        assert outcome.output.splitlines() == ["one two", "65", "created"]
        assert (work / "keep.txt").read_text() == "still here"
        assert not (work / "args.txt").exists()
        assert take_snapshot(sandbox.db, {}).sessions == before.sessions
        # The running CAS sees the restored database: the session is gone for it too.
        read = ATTEST + "scone session read probe-ns"
        gone = run_probe(sandbox, "otp1-once", CheckSpec("g", "probe", "t", None, {"run": read}))
        assert gone.exit_code != 0 and "not found" in gone.output, gone.output
        # Without restore the probe's changes stay.
        spec = CheckSpec("p", "probe", "t", None, {"run": PROBE})
        assert run_probe(sandbox, "otp1-once", spec).exit_code == 0
        assert not (work / "keep.txt").exists()
        assert "probe-ns" in take_snapshot(sandbox.db, {}).sessions
