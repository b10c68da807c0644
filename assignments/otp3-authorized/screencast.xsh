# Deploy, and issue the QR code once.
xonsh solution.xsh
xonsh solution.xsh gen-qr-code
# Your authenticator holds the secret now; oathtool stands in for it here.
import re
secret = re.search(r"secret=([A-Z2-7]+)", $(cat qrcode.svg)).group(1)
shred -n 3 -z -u qrcode.svg
source-bash state.env
# otpqr-reset runs only with a one-time password from the authenticator:
otp = $(oathtool --totp -b @(secret)).strip()
config_id = f"{$SESSION2}/otpqr@{otp}"
$SCONE_COURSE_TOOLS/docker run --rm -w /root -v f"{$PWD}:/root" -e f"SCONE_CAS_ADDR={$SCONE_CAS_ADDR}" -e f"SCONE_CONFIG_ID={config_id}" otpqr:scone /bin/otpqr
ls qrcode.svg
# The same password a second time is refused.
$SCONE_COURSE_TOOLS/docker run --rm -w /root -v f"{$PWD}:/root" -e f"SCONE_CAS_ADDR={$SCONE_CAS_ADDR}" -e f"SCONE_CONFIG_ID={config_id}" otpqr:scone /bin/otpqr || echo "refused: that password was used"
