# Deploy, and issue the QR code.
xonsh solution.xsh
xonsh solution.xsh gen-qr-code
shred -n 3 -z -u qrcode.svg
# The phone is lost. Rolling forward destroys every authenticator, so it wants --force.
xonsh solution.xsh roll-forward || echo "refused without --force"
cp state.env state.old
xonsh solution.xsh roll-forward --force
diff state.old state.env || true
# A fresh secret and a fresh volume: the QR code is issued once more, once.
xonsh solution.xsh gen-qr-code
xonsh solution.xsh gen-qr-code || echo "refused, as it must be"
# The rollback attack: keep a copy of the volume, use it, put the copy back.
xonsh solution.xsh roll-forward --force
xonsh solution.xsh test-qr-code
cp -r single_run rollback
xonsh solution.xsh gen-qr-code
rm -rf single_run && mv rollback single_run
xonsh solution.xsh gen-qr-code || echo "refused: an old copy of the volume"
