#!/usr/bin/env bash
# OTP Assignment 1: issue the QR code of an OTP account at most once.
# Read the lesson first.
#
#   ./solution.sh [create]     the namespace and the policy of otpqr (the default)
#   ./solution.sh gen-qr-code  run otpqr once through the SCONE runtime: qrcode.svg
set -euo pipefail
trap 'echo "COMMAND \"$BASH_COMMAND\" FAILED." >&2' ERR

die() { echo "FATAL ERROR: $*." >&2; exit 1; }

shopt -s expand_aliases
source "$HOME/.scone/alias"
type -a scone > /dev/null
DOCKER=${DOCKER:-$SCONE_COURSE_TOOLS/docker}

create() {
  # TODO 1: take NS from state.env, or make a new one (otp-<random>) and write
  #         `export NS="…"` and `export SESSION="$NS/otpqr-x"` to state.env first.
  # TODO 2: mkdir -p single_run
  # TODO 3: read-or-create the namespace $NS (version "0.3", CREATOR may read, update
  #         and create sessions).
  # TODO 4: read-or-create $SESSION: service otpqr with the five OTP_* variables
  #         (OTP_SINGLE_USE=/root/single_run/once, OTP_SECRET from the CAS-generated
  #         secret otp_secret), pwd /root, `security: attestation: mode: none`, and the
  #         secret {name: otp_secret, kind: binary, size: 32}.
  echo "create: nothing done yet: work through the TODOs."
}

gen_qr_code() {
  # TODO 5: source state.env; run
  #         "$DOCKER" run --rm -w /root -v "$PWD:/root" -e SCONE_CAS_ADDR="$SCONE_CAS_ADDR" \
  #           -e SCONE_CONFIG_ID="$SESSION/otpqr" otpqr:scone /bin/otpqr > qr.output
  #         and exit non-zero (with a clear message) when it fails.
  echo "gen-qr-code: nothing done yet."
}

case "${1:-create}" in
  create) create ;;
  gen-qr-code) gen_qr_code ;;
  *) die "unknown command '$1' (use: create, gen-qr-code)" ;;
esac
