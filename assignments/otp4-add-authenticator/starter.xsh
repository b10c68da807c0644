# OTP Assignment 4 (xonsh): the command add-authenticator --otp N. Read the lesson first.
#
# Start from your script of OTP Assignment 3: copy it here over this file
# (cp ../otp3-authorized/solution.xsh solution.xsh), then work through the TODOs below.

# TODO 1: add the command `add-authenticator [--otp N]` (argparse on $ARGS[2:]). Without
#         --otp, prompt for the OTP when sys.stdin.isatty(), otherwise stop with a message.
# TODO 2: strip whitespace from the OTP and check that it is 6 digits.
# TODO 3: run otpqr of the otpqr-reset policy: SCONE_CONFIG_ID=f"{session2}/otpqr@{otp}".
# TODO 4: on success say "Written QR code to file qrcode.svg."; on failure show otpqr's
#         error output and exit non-zero.

print("Nothing done yet: work through the TODOs.")
