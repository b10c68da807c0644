#!/usr/bin/env bash
# OTP Assignment 3: a second policy, $NS/otpqr-reset, that runs otpqr with OTP_RESET
# only for a valid one-time password. Read the lesson first.
#
# Start from your script of OTP Assignment 2: copy it here over this file
# (cp ../otp2-volume/solution.sh solution.sh), then work through the TODOs below.
set -euo pipefail

# TODO 1: keep SESSION2="$NS/otpqr-reset" in state.env beside NS, SESSION, MRENCLAVE.
# TODO 2: in $SESSION, export the volume single_run and the secret otp_secret to
#         $SESSION2 (`export: [{session: $SESSION2}]` on each).
# TODO 3: write $SESSION2: service otpqr (command /bin/otpqr, the same image, MRENCLAVE
#         and environment, plus OTP_RESET: "TRUE"), the volume single_run and the secret
#         otp_secret imported from $SESSION, and
#         `security: attestation: one_time_password_shared_secret: $$SCONE::otp_secret:base32nopad$$`.
# TODO 4: read-or-create $SESSION2 after $SESSION.

echo "Nothing done yet: work through the TODOs."
