# OTP Assignment 1 (xonsh): issue the QR code of an OTP account at most once.
# Read the lesson first.
#
#   xonsh solution.xsh [create]     the namespace and the policy of otpqr (the default)
#   xonsh solution.xsh gen-qr-code  run otpqr once through the SCONE runtime: qrcode.svg
import sys
from pathlib import Path

def die(message):
    print(f"FATAL ERROR: {message}.", file=sys.stderr)
    sys.exit(1)

source-bash ~/.scone/alias
docker = ${...}.get("DOCKER") or f"{$SCONE_COURSE_TOOLS}/docker"

def create():
    # TODO 1: take NS from state.env (source-bash state.env), or make a new one
    #         (otp-<random>) and write NS and SESSION ("{NS}/otpqr-x") to state.env first.
    # TODO 2: Path("single_run").mkdir(exist_ok=True)
    # TODO 3: read-or-create the namespace (version "0.3", CREATOR may read, update and
    #         create sessions).
    # TODO 4: read-or-create the session: service otpqr with the five OTP_* variables
    #         (OTP_SECRET: $$SCONE::otp_secret:base32nopad$$), pwd /root,
    #         `security: attestation: mode: none`, secret {name: otp_secret, kind: binary, size: 32}.
    print("create: nothing done yet: work through the TODOs.")

def gen_qr_code():
    # TODO 5: run @(docker) run --rm -w /root -v f"{$PWD}:/root" … otpqr:scone /bin/otpqr
    #         with SCONE_CAS_ADDR and SCONE_CONFIG_ID={SESSION}/otpqr, output to qr.output;
    #         die() when it fails.
    print("gen-qr-code: nothing done yet.")

commands = {"create": create, "gen-qr-code": gen_qr_code}
command = $ARGS[1] if len($ARGS) > 1 else "create"
if command not in commands:
    die(f"unknown command '{command}' (use: {', '.join(commands)})")
commands[command]()
