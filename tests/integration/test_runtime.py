"""The emulated SCONE runtime end to end: a real CAS, the `docker` launcher, real oathtool.

These tests replay the OTP screencast (spec §1.15) with the documented command lines: the
QR code is issued once; a valid OTP works once per time step; the file shield detects a
deleted file, a deleted protection file and a restored older copy of the volume.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from localcas.runtime.tools import write_docker_launcher
from tests.helpers import ATTEST, Shell

pytestmark = pytest.mark.skipif(shutil.which("oathtool") is None, reason="needs oathtool")

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY"

POLICIES = r"""
NS="rt-$(head -c6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat > ns.yml <<YAML
name: $NS
version: "0.3"
YAML
cat > x.yml <<YAML
name: $NS/otpqr-x
version: "0.3"
services:
  - name: otpqr
    image_name: otpqr_image
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: learner
      OTP_SECRET: \$\$SCONE::otp_secret\$\$
      OTP_OUTPUT_FILE: /root/qrcode.svg
    pwd: /root
  - name: test
    image_name: otpqr_image
    environment:
      OTP_SINGLE_USE: /root/single_run/test
      OTP_ACCOUNT_NAME: otp_test_account
      OTP_ACCOUNT_LOGIN: otp_test_user
      OTP_SECRET: test
      OTP_OUTPUT_FILE: /root/test.svg
    pwd: /root
security:
  attestation:
    mode: none
volumes:
  - name: single_run
    export:
      - session: $NS/otpqr-reset
images:
  - name: otpqr_image
    volumes:
      - name: single_run
        path: /root/single_run
secrets:
  - name: otp_secret
    kind: ascii
    value: "$SECRET"
    export:
      - session: $NS/otpqr-reset
YAML
cat > reset.yml <<YAML
name: $NS/otpqr-reset
version: "0.3"
services:
  - name: otpqr
    image_name: otpqr_image
    command: /bin/otpqr
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: learner
      OTP_SECRET: \$\$SCONE::otp_secret\$\$
      OTP_OUTPUT_FILE: /root/qrcode.svg
      OTP_RESET: "TRUE"
    pwd: /root
security:
  attestation:
    mode: none
    one_time_password_shared_secret: "$SECRET"
volumes:
  - name: single_run
    import:
      session: $NS/otpqr-x
      volume: single_run
images:
  - name: otpqr_image
    volumes:
      - name: single_run
        path: /root/single_run
secrets:
  - name: otp_secret
    import:
      session: $NS/otpqr-x
      secret: otp_secret
YAML
scone session create ns.yml >/dev/null
scone session create x.yml >/dev/null
scone session create reset.yml >/dev/null
echo "$NS" > ns.txt
mkdir -p single_run
"""

RUN = (
    'run() { "$SCONE_COURSE_TOOLS/docker" run --rm -w /root -v "$PWD:/root"'
    ' -e SCONE_CAS_ADDR="$SCONE_CAS_ADDR" -e SCONE_CONFIG_ID="$1" "${@:2}" otpqr:scone'
    " /bin/otpqr; }\n"
    'scone() { "$SCONE_COURSE_TOOLS/scone" "$@"; }\n'
)


@pytest.fixture
def otp(shell: Shell, tmp_path: Path) -> tuple[Shell, Path]:
    """A shell whose working directory holds the two OTP policies on the CAS."""
    write_docker_launcher(Path(shell.env["SCONE_COURSE_TOOLS"]))
    work = tmp_path / "work"
    work.mkdir()
    shell.env["SECRET"] = SECRET
    shell.run(RUN + ATTEST + POLICIES, cwd=work)
    return shell, work


def _gen(shell: Shell, work: Path, extra: str = "") -> tuple[int, str]:
    done = shell.run(RUN + f'run "$(cat ns.txt)/otpqr-x/otpqr" {extra}', cwd=work, check=False)
    return done.returncode, done.stdout + done.stderr


def test_qr_code_is_issued_once_and_host_env_is_ignored(otp: tuple[Shell, Path]) -> None:
    shell, work = otp
    code, out = _gen(shell, work)
    assert code == 0, out
    assert out == ""  # nothing on the terminal: neither the secret nor the SVG
    svg = (work / "qrcode.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and f"secret={SECRET}" in svg
    assert (work / "single_run" / "volume.fspf").is_file()
    assert (work / "single_run" / "once").read_bytes().startswith(b"LCFS1")  # sealed
    code, out = _gen(shell, work, "-e OTP_RESET=TRUE")
    assert code == 1
    assert "error: opt_qr:  OTP_SINGLE_USE (=/root/single_run/once) already exists!" in out
    assert SECRET not in out


def test_otp_valid_once_per_step_wrong_refused(otp: tuple[Shell, Path]) -> None:
    shell, work = otp
    assert _gen(shell, work)[0] == 0
    wrong = shell.run(RUN + 'run "$(cat ns.txt)/otpqr-reset/otpqr@12345x"', cwd=work, check=False)
    assert wrong.returncode == 134
    lines = wrong.stderr.splitlines()
    assert lines[0].startswith("[SCONE|FATAL] src/process/init.c:")
    assert lines[0].endswith("Could not initialize enclave state: Attestation failed")
    assert lines[1] == (
        "  Caused by: CAS sent an attestation/configuration error: Failed to retrieve"
        " service attestation configuration"
    )
    assert lines[2] == "  Caused by: The given One-time Password is invalid. Please try again."
    assert re.match(r"Note: Connecting to CAS at \S+ \(port 18765\) using service ID ", lines[3])
    once = RUN + 'OTP=$(oathtool --totp -b "$SECRET"); run "$(cat ns.txt)/otpqr-reset/otpqr@$OTP"'
    twice = once + '; run "$(cat ns.txt)/otpqr-reset/otpqr@$OTP"'
    done = shell.run(twice, cwd=work, check=False)
    assert done.returncode == 134, done.stderr
    assert "Caused by: A One-time Password was already used within this time-step." in done.stderr
    assert done.stderr.count("[SCONE|FATAL]") == 1  # the first use worked


def test_file_shield_detects_deletion_and_replay(otp: tuple[Shell, Path]) -> None:
    shell, work = otp
    test = RUN + 'run "$(cat ns.txt)/otpqr-x/test"'
    assert shell.run(test, cwd=work, check=False).returncode == 0
    shutil.copytree(work / "single_run", work / "rollback")
    assert _gen(shell, work)[0] == 0
    shutil.rmtree(work / "single_run")
    (work / "rollback").rename(work / "single_run")
    code, out = _gen(shell, work)
    assert code == 134
    assert "Caused by: the supplied tag is not fresh - suspected replay attack" in out
    # The old copy stays refused whatever is done to it: the tag is checked first.
    (work / "single_run" / "once").unlink(missing_ok=True)
    code, out = _gen(shell, work)
    assert code == 134 and "not fresh" in out


def test_deleted_marker_and_deleted_fspf_are_detected(otp: tuple[Shell, Path]) -> None:
    shell, work = otp
    assert _gen(shell, work)[0] == 0
    (work / "single_run" / "once").unlink()
    code, out = _gen(shell, work)
    assert code == 134
    assert "the file /root/single_run/once of the protected volume 'single_run' is missing" in out
    (work / "single_run" / "volume.fspf").unlink()
    code, out = _gen(shell, work)
    assert code == 134
    assert "protection file /root/single_run/volume.fspf" in out and "was removed" in out


def test_scone_hash_and_mrenclave_attestation(otp: tuple[Shell, Path]) -> None:
    shell, work = otp
    done = shell.run(
        '"$SCONE_COURSE_TOOLS/docker" run --rm -e SCONE_HASH=1 otpqr:scone /bin/otpqr', cwd=work
    )
    assert re.fullmatch(r"[0-9a-f]{64}\n", done.stdout)
    mrenclave = done.stdout.strip()
    policy = (
        RUN + 'cat > m.yml <<YAML\nname: $(cat ns.txt)/measured\nversion: "0.3"\nservices:\n'
        '  - name: otpqr\n    attestation:\n      - mrenclave: ["$M"]\n'
        "    environment: {OTP_SINGLE_USE: /root/m, OTP_ACCOUNT_NAME: a, OTP_ACCOUNT_LOGIN: b,"
        " OTP_SECRET: JBSWY3DPEHPK3PXP, OTP_OUTPUT_FILE: /root/m.svg}\nYAML\n"
        "scone session create m.yml\n"
    )
    shell.run(policy.replace("$M", "0" * 64), cwd=work)
    refused = shell.run(RUN + 'run "$(cat ns.txt)/measured/otpqr"', cwd=work, check=False)
    assert refused.returncode == 134
    assert f"MRENCLAVE {mrenclave} is not permitted" in refused.stderr
    shell.run(
        policy.replace("$M", mrenclave).replace(
            "version:",
            "predecessor: $(scone session"
            " read $(cat ns.txt)/measured >r.yml && scone session verify r.yml)\nversion:",
            1,
        ),
        cwd=work,
    )
    assert shell.run(RUN + 'run "$(cat ns.txt)/measured/otpqr"', cwd=work).returncode == 0
    assert (work / "m.svg").is_file()
    bad = shell.run('"$SCONE_COURSE_TOOLS/docker" run --rm alpine ls', cwd=work, check=False)
    assert bad.returncode == 125 and "Unable to find image 'alpine'" in bad.stderr
