# Deploy, and issue the QR code.
./solution.sh
./solution.sh gen-qr-code
shred -n 3 -z -u qrcode.svg
# The phone is lost. Rolling forward destroys every authenticator, so it wants --force.
./solution.sh roll-forward || echo "refused without --force"
cp state.env state.old
./solution.sh roll-forward --force
diff state.old state.env || true
# A fresh secret and a fresh volume: the QR code is issued once more, once.
./solution.sh gen-qr-code
./solution.sh gen-qr-code || echo "refused, as it must be"
# The rollback attack: keep a copy of the volume, use it, put the copy back.
./solution.sh roll-forward --force
./solution.sh test-qr-code
cp -r single_run rollback
./solution.sh gen-qr-code
rm -rf single_run; mv rollback single_run
./solution.sh gen-qr-code || echo "refused: an old copy of the volume"
