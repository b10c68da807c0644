# OTP Assignment 2 (xonsh): attest otpqr by its MRENCLAVE and keep its marker on a
# volume that the SCONE file shield protects. Read the lesson first.
#
# Start from your script of OTP Assignment 1: copy it here over this file
# (cp ../otp1-once/solution.xsh solution.xsh), then work through the TODOs below.
#
#   xonsh solution.xsh [create]      the namespace and the policy of otpqr (the default)
#   xonsh solution.xsh gen-qr-code   run otpqr once through the SCONE runtime: qrcode.svg
#   xonsh solution.xsh test-qr-code  the same for the service "test" (test.svg)

# TODO 1: in create, determine MRENCLAVE once with
#         $(@(docker) run --rm -e SCONE_HASH=1 otpqr:scone /bin/otpqr).strip()
#         and keep it in state.env beside NS and SESSION.
# TODO 2: replace `security: attestation: mode: none` by
#         `attestation: [{mrenclave: ["<MRENCLAVE>"]}]` in the service.
# TODO 3: declare the volume single_run, an image otpqr_image that mounts it at
#         /root/single_run, and `image_name: otpqr_image` in the service.
# TODO 4: add a second service "test" (marker /root/single_run/test, account
#         otp_test_account / otp_test_user, secret TESTTESTTESTTEST, output /root/test.svg)
#         and the command test-qr-code that runs it.

print("Nothing done yet: work through the TODOs.")
