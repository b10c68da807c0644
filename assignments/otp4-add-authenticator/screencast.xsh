# Deploy, and issue the first QR code.
xonsh solution.xsh
xonsh solution.xsh gen-qr-code
# The first authenticator (oathtool here) holds the secret.
import re
secret = re.search(r"secret=([A-Z2-7]+)", $(cat qrcode.svg)).group(1)
shred -n 3 -z -u qrcode.svg
# A second device: prove you hold the first with a one-time password.
otp = $(oathtool --totp -b @(secret)).strip()
xonsh solution.xsh add-authenticator --otp @(otp)
ls qrcode.svg
# The same password twice is refused, and so is a made-up one.
xonsh solution.xsh add-authenticator --otp @(otp) || echo "refused: that password was used"
xonsh solution.xsh add-authenticator --otp 000000 || echo "refused: a wrong password"
