# Deploy, and issue the first QR code.
./solution.sh
./solution.sh gen-qr-code
# The first authenticator (oathtool here) holds the secret.
secret=$(grep -oE 'secret=[A-Z2-7]+' qrcode.svg | head -n1 | cut -d= -f2)
shred -n 3 -z -u qrcode.svg
# A second device: prove you hold the first with a one-time password.
otp=$(oathtool --totp -b "$secret")
./solution.sh add-authenticator --otp "$otp"
ls qrcode.svg
# The same password twice is refused, and so is a made-up one.
./solution.sh add-authenticator --otp "$otp" || echo "refused: that password was used"
./solution.sh add-authenticator --otp 000000 || echo "refused: a wrong password"
