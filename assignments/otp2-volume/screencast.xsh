# Deploy, and issue the QR code once: single_run/ is now a protected volume.
xonsh solution.xsh
xonsh solution.xsh gen-qr-code
shred -n 3 -z -u qrcode.svg
ls single_run
# Deleting the marker does not open the door again: the file shield misses the file.
rm single_run/once
xonsh solution.xsh gen-qr-code || echo "refused: a file of the volume is missing"
# Nor does deleting the volume's metadata as well.
rm -f single_run/once single_run/volume.fspf
xonsh solution.xsh gen-qr-code || echo "refused: the volume's metadata is missing"
