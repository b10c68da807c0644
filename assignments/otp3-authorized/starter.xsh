# OTP Assignment 3 (xonsh): a second policy, {NS}/otpqr-reset, that runs otpqr with
# OTP_RESET only for a valid one-time password. Read the lesson first.
#
# Start from your script of OTP Assignment 2: copy it here over this file
# (cp ../otp2-volume/solution.xsh solution.xsh), then work through the TODOs below.

# TODO 1: keep SESSION2 = f"{ns}/otpqr-reset" in state.env beside NS, SESSION, MRENCLAVE.
# TODO 2: in the first policy, export the volume single_run and the secret otp_secret to
#         SESSION2 (`export: [{session: …}]` on each).
# TODO 3: write the policy SESSION2: service otpqr (command /bin/otpqr, the same image,
#         MRENCLAVE and environment, plus OTP_RESET: "TRUE"), the volume single_run and
#         the secret otp_secret imported from SESSION, and
#         `security: attestation: one_time_password_shared_secret: $$SCONE::otp_secret:base32nopad$$`.
# TODO 4: read-or-create SESSION2 after SESSION.

print("Nothing done yet: work through the TODOs.")
