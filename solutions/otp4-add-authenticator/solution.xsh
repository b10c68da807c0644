# OTP Assignment 4 (xonsh): add an authenticator, for whoever proves with an OTP that
# they hold one already.
#
#   xonsh solution.xsh [create]                   the namespace and both policies (default)
#   xonsh solution.xsh gen-qr-code                issue the QR code once: qrcode.svg
#   xonsh solution.xsh test-qr-code               the same for the service "test"
#   xonsh solution.xsh add-authenticator --otp N  issue it again, for a valid OTP N
#
# $NS/otpqr-x issues the QR code once (marker on the protected volume single_run).
# $NS/otpqr-reset runs the same otpqr with OTP_RESET set, and CAS configures it only for
# a valid OTP of the account's secret, once per 30-second step. It shares the volume and
# the secret, which otpqr-x exports to it; only the policy can set OTP_RESET, because the
# runtime ignores the host's environment.
import argparse
import re
import secrets
import sys
from pathlib import Path

def die(message):
    print(f"FATAL ERROR: {message}.", file=sys.stderr)
    sys.exit(1)

def write_file(path, text):
    """Replaces path with text in one step."""
    tmp = Path(f"{path}.tmp")
    tmp.write_text(text)
    tmp.replace(path)

if Path("~/.scone/alias").expanduser().is_file():
    source-bash ~/.scone/alias
if "scone" not in aliases:
    die("alias 'scone' undefined. Run Assignment 0 first")
# The course's docker runs course images on the (emulated) SCONE runtime; with a real
# SCONE installation, run this script with DOCKER=docker.
docker = ${...}.get("DOCKER") or f"{$SCONE_COURSE_TOOLS}/docker"

def load_state(creating=False):
    """NS and MRENCLAVE from state.env; new ones (written down first) for create."""
    for name in ("NS", "SESSION", "SESSION2", "MRENCLAVE"):
        ${...}.pop(name, None)
    if Path("state.env").is_file():
        source-bash state.env
    ns = ${...}.get("NS", "")
    if not ns:
        if not creating:
            die(f"No state.env here yet. Run '{$ARGS[0]} create' first")
        ns = f"otp-{secrets.token_hex(10)}"
    session = f"{ns}/otpqr-x"
    session2 = f"{ns}/otpqr-reset"
    mrenclave = ${...}.get("MRENCLAVE", "")
    if not mrenclave:
        if not creating:
            die(f"No MRENCLAVE in state.env. Run '{$ARGS[0]} create' first")
        # SCONE_HASH=1: the runtime prints the program's MRENCLAVE instead of running it.
        mrenclave = $(@(docker) run --rm -e SCONE_HASH=1 otpqr:scone /bin/otpqr).strip()
        if not re.fullmatch(r"[0-9a-f]{64}", mrenclave):
            die(f'unexpected MRENCLAVE "{mrenclave}"')
    write_file(
        "state.env",
        f'export NS="{ns}"\nexport SESSION="{session}"\nexport SESSION2="{session2}"\n'
        f'export MRENCLAVE="{mrenclave}"\n',
    )
    return ns, session, session2, mrenclave

def ensure_policy(name, path):
    """Creates policy name from path unless CAS has it already (read first)."""
    read = !(scone session read @(name))
    if read:
        Path("session_read.yml").write_text(read.out)
        print(f"Policy {name} exists already.")
        return
    scone session check @(path) > /dev/null
    if not !(scone session create @(path) > /dev/null):
        die(f"Creating policy {name} failed")
    print(f"Created policy {name}.")

def create(args=()):
    ns, session, session2, mrenclave = load_state(creating=True)
    # otpqr keeps its marker in single_run/, which the container sees as /root/single_run.
    Path("single_run").mkdir(exist_ok=True)
    write_file("namespace.yml", f"""\
name: {ns}
version: "0.3"
access_policy:
  read: [CREATOR]
  update: [CREATOR]
  create_sessions: [CREATOR]
""")
    # CAS fills in $$SCONE::otp_secret:base32nopad$$ with the secret it generated.
    write_file("session.yml", f"""\
name: {session}
version: "0.3"
access_policy:
  read: [CREATOR]
  update: [CREATOR]
services:
  - name: otpqr
    image_name: otpqr_image
    attestation:
      - mrenclave: ["{mrenclave}"]
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: otp-user
      OTP_SECRET: $$SCONE::otp_secret:base32nopad$$
      OTP_OUTPUT_FILE: /root/qrcode.svg
    pwd: /root
  - name: test
    image_name: otpqr_image
    attestation:
      - mrenclave: ["{mrenclave}"]
    environment:
      OTP_SINGLE_USE: /root/single_run/test
      OTP_ACCOUNT_NAME: otp_test_account
      OTP_ACCOUNT_LOGIN: otp_test_user
      OTP_SECRET: TESTTESTTESTTEST
      OTP_OUTPUT_FILE: /root/test.svg
    pwd: /root
# CAS keeps the volume's key and the tag of its latest state; the runtime keeps the
# files encrypted on disk, listed in single_run/volume.fspf.
volumes:
  - name: single_run
    export:
      - session: {session2}
images:
  - name: otpqr_image
    volumes:
      - name: single_run
        path: /root/single_run
secrets:
  - name: otp_secret
    kind: binary
    size: 32
    export:
      - session: {session2}
""")
    # The same otpqr, but with OTP_RESET: it issues the QR code although the marker
    # exists. CAS checks the OTP before anything else; a session-wide OTP secret applies
    # to every service of this policy, which is why this is a policy of its own.
    write_file("session2.yml", f"""\
name: {session2}
version: "0.3"
access_policy:
  read: [CREATOR]
  update: [CREATOR]
services:
  - name: otpqr
    image_name: otpqr_image
    command: /bin/otpqr
    attestation:
      - mrenclave: ["{mrenclave}"]
    environment:
      OTP_SINGLE_USE: /root/single_run/once
      OTP_ACCOUNT_NAME: SCONE OTP
      OTP_ACCOUNT_LOGIN: otp-user
      OTP_SECRET: $$SCONE::otp_secret:base32nopad$$
      OTP_OUTPUT_FILE: /root/qrcode.svg
      OTP_RESET: "TRUE"
    pwd: /root
security:
  attestation:
    one_time_password_shared_secret: $$SCONE::otp_secret:base32nopad$$
volumes:
  - name: single_run
    import:
      session: {session}
      volume: single_run
images:
  - name: otpqr_image
    volumes:
      - name: single_run
        path: /root/single_run
secrets:
  - name: otp_secret
    import:
      session: {session}
      secret: otp_secret
""")
    # Order matters: otpqr-x may export to otpqr-reset before that exists, but otpqr-reset
    # can only import what otpqr-x exports.
    ensure_policy(ns, "namespace.yml")
    ensure_policy(session, "session.yml")
    ensure_policy(session2, "session2.yml")

def run_otpqr(config_id, command):
    """Runs otpqr as config_id; the runtime ignores all but SCONE_*: the policy decides."""
    args = ["run", "--rm", "-w", "/root", "-v", f"{$PWD}:/root",
            "-e", f"SCONE_CAS_ADDR={$SCONE_CAS_ADDR}", "-e", f"SCONE_CONFIG_ID={config_id}"]
    run = !(@(docker) @(args) otpqr:scone /bin/otpqr > qr.output)
    if not run:
        print(run.err, end="", file=sys.stderr)
        die(f"executing '{command}' failed (exit code {run.returncode})")

def gen_qr_code(args=()):
    ns, session, _, _ = load_state()
    run_otpqr(f"{session}/otpqr", "gen-qr-code")
    print("Written QR code to file qrcode.svg.")
    print("Scan it (scone-course otp qrcode.svg), then remove it: shred -n 3 -z -u qrcode.svg")

def add_authenticator(args):
    """Issues the QR code again through otpqr-reset, for a valid OTP (used at most once)."""
    parser = argparse.ArgumentParser(prog=f"{$ARGS[0]} add-authenticator")
    parser.add_argument("--otp", help="the current code of an existing authenticator")
    otp = parser.parse_args(args).otp
    if otp is None:
        if not sys.stdin.isatty():
            die("add-authenticator needs the OTP of an existing authenticator: --otp N")
        print("Adding a new authenticator requires an OTP from an existing authenticator.")
        otp = input("Type OTP and press enter: ")
    otp = "".join(otp.split())
    if not re.fullmatch(r"[0-9]{6}", otp):
        die(f'an OTP is 6 digits, not "{otp}"')
    ns, session, session2, _ = load_state()
    run_otpqr(f"{session2}/otpqr@{otp}", "add-authenticator")
    print("Written QR code to file qrcode.svg.")
    print("Scan it with the new authenticator, then remove it: shred -n 3 -z -u qrcode.svg")

def test_qr_code(args=()):
    ns, session, _, _ = load_state()
    run_otpqr(f"{session}/test", "test-qr-code")
    print("Written test QR code to file test.svg. - This cannot be used for authorization.")

commands = {
    "create": create,
    "gen-qr-code": gen_qr_code,
    "test-qr-code": test_qr_code,
    "add-authenticator": add_authenticator,
}
command = $ARGS[1] if len($ARGS) > 1 else "create"
if command not in commands:
    die(f"unknown command '{command}' (use: {', '.join(commands)})")
# Every command takes the arguments after its name.
commands[command]($ARGS[2:])
print("OK.")
