# Deploy, and issue the QR code once.
./solution.sh
./solution.sh gen-qr-code
# Your authenticator holds the secret now; oathtool stands in for it here.
secret=$(grep -oE 'secret=[A-Z2-7]+' qrcode.svg | head -n1 | cut -d= -f2)
shred -n 3 -z -u qrcode.svg
source state.env
# otpqr-reset runs only with a one-time password from the authenticator:
otp=$(oathtool --totp -b "$secret")
"$SCONE_COURSE_TOOLS/docker" run --rm -w /root -v "$PWD:/root" -e SCONE_CAS_ADDR="$SCONE_CAS_ADDR" -e SCONE_CONFIG_ID="$SESSION2/otpqr@$otp" otpqr:scone /bin/otpqr
ls qrcode.svg
# The same password a second time is refused.
"$SCONE_COURSE_TOOLS/docker" run --rm -w /root -v "$PWD:/root" -e SCONE_CAS_ADDR="$SCONE_CAS_ADDR" -e SCONE_CONFIG_ID="$SESSION2/otpqr@$otp" otpqr:scone /bin/otpqr || echo "refused: that password was used"
