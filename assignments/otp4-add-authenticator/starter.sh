#!/usr/bin/env bash
# OTP Assignment 4: the command add-authenticator --otp N. Read the lesson first.
#
# Start from your script of OTP Assignment 3: copy it here over this file
# (cp ../otp3-authorized/solution.sh solution.sh), then work through the TODOs below.
set -euo pipefail

# TODO 1: add the command `add-authenticator [--otp N]`. Without --otp, prompt for the
#         OTP when stdin is a terminal (`[ -t 0 ]`), otherwise stop with a message.
# TODO 2: strip whitespace from the OTP and check that it is 6 digits.
# TODO 3: run otpqr of the otpqr-reset policy: SCONE_CONFIG_ID="$SESSION2/otpqr@$OTP".
# TODO 4: on success say "Written QR code to file qrcode.svg."; on failure show otpqr's
#         error output and exit non-zero.

echo "Nothing done yet: work through the TODOs."
