# Deploy the two policies. Run it again: the second time nothing changes.
xonsh solution.xsh
xonsh solution.xsh
# Issue the QR code for the authenticator app (the policy allows that once).
xonsh solution.xsh gen-qr-code
ls single_run
# Scan it (scone-course otp qrcode.svg in your course shell), then get rid of it.
shred -n 3 -z -u qrcode.svg
# A second QR code is refused: the marker in single_run/ says one was issued already.
xonsh solution.xsh gen-qr-code || echo "refused, as it must be"
